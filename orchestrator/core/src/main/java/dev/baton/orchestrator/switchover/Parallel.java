package dev.baton.orchestrator.switchover;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Work on every server or every DC at once: one network round trip of wall time instead of one per item. */
final class Parallel {
    private Parallel() {
    }

    /**
     * Runs work on every item at once and waits for all of it; if any failed, throws one exception
     * naming every failure (the others are attached as suppressed).
     */
    static <I, O> List<O> map(List<I> items, Function<I, O> work) {
        try (ExecutorService pool = Executors.newThreadPerTaskExecutor(SwitchoverThreads.FACTORY)) {
            List<Future<O>> futures = items.stream().map(i -> pool.submit(() -> work.apply(i))).toList();
            List<O> results = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (Future<O> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (failures.isEmpty()) return results;
            IllegalStateException failed = new IllegalStateException(failures.stream().map(Throwable::getMessage)
                    .collect(Collectors.joining("; ")), failures.getFirst());
            failures.stream().skip(1).forEach(failed::addSuppressed);
            throw failed;
        }
    }
}
