package dev.baton.orchestrator.traffic;

import dev.baton.orchestrator.haproxy.HaproxyException;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.wire.CheckoutFrontend;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Topology;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Drains a DC's checkout traffic at the load balancers: every DC's HAProxy has a checkout backend
 * with one server per DC's app (named after the DC), and the weights decide which app serves.
 * Clients that still reach the drained DC (DNS caches) are forwarded to the target's app.
 */
public final class CheckoutDrain {
    /** The weight of a server that takes traffic; 0 takes none yet stays usable. */
    public static final int FULL = 100;

    private final Topology topology;

    public CheckoutDrain(Topology topology) {
        this.topology = topology;
    }

    /** Per DC's HAProxy, the weight of each checkout server, in the backend's order. */
    public Map<String, Map<String, Integer>> weights() {
        Map<String, Map<String, Integer>> all = new LinkedHashMap<>();
        for (Datacenter dc : topology.datacenters()) all.put(dc.name(), read(dc, runtime(dc)));
        return all;
    }

    /**
     * On every DC's HAProxy the source's app goes to weight 0 and, wherever it had weight (or where
     * nothing else would be left), the target's app to {@link #FULL}. Idempotent.
     */
    public DrainChange drain(String source, String target) {
        return drain(source, target, false);
    }

    /**
     * As {@link #drain(String, String)}; with {@code sourceDown} (the source DC is DOWN: an emergency
     * failover) the source's own HAProxy, when it cannot be reached, is left alone and named in the
     * change instead of failing the drain: no client reaches it either.
     */
    public DrainChange drain(String source, String target, boolean sourceDown) {
        return apply("drain " + source + " -> " + target, draining(source, target), true, sourceDown ? source : null);
    }

    /** What {@link #drain} would change, read from every HAProxy; changes nothing. */
    public DrainChange previewDrain(String source, String target) {
        return previewDrain(source, target, false);
    }

    /** What {@link #drain(String, String, boolean)} would change; changes nothing. */
    public DrainChange previewDrain(String source, String target, boolean sourceDown) {
        return apply("preview drain " + source + " -> " + target, draining(source, target), false, sourceDown ? source : null);
    }

    private BiFunction<Datacenter, Map<String, Integer>, Map<String, Integer>> draining(String source, String target) {
        requireDc(source, "source");
        requireDc(target, "target");
        if (source.equals(target)) throw new IllegalArgumentException("cannot drain DC " + source + " into itself");
        return (dc, before) -> {
            requireServer(dc, before, source);
            requireServer(dc, before, target);
            Map<String, Integer> after = new LinkedHashMap<>(before);
            after.put(source, 0);
            if (before.get(source) > 0 || after.values().stream().allMatch(w -> w == 0)) after.put(target, FULL);
            return after;
        };
    }

    /** Back to local-only: every DC's HAProxy sends checkouts to its own DC's app alone. Idempotent. */
    public DrainChange undrain() {
        return apply("undrain", UNDRAINING, true, null);
    }

    /** What {@link #undrain} would change, read from every HAProxy; changes nothing. */
    public DrainChange previewUndrain() {
        return apply("preview undrain", UNDRAINING, false, null);
    }

    private static final BiFunction<Datacenter, Map<String, Integer>, Map<String, Integer>> UNDRAINING = (dc, before) -> {
        requireServer(dc, before, dc.name());
        Map<String, Integer> after = new LinkedHashMap<>();
        before.keySet().forEach(server -> after.put(server, server.equals(dc.name()) ? FULL : 0));
        return after;
    };

    /** Puts every weight {@code change} moved back where it was before it; for rolling a drain back. */
    public DrainChange restore(DrainChange change) {
        return apply("restore weights", (dc, before) -> {
            Map<String, Integer> after = new LinkedHashMap<>(before);
            change.weights().stream().filter(w -> w.haproxy().equals(dc.name()) && after.containsKey(w.server()))
                    .forEach(w -> after.put(w.server(), w.before()));
            return after;
        }, true, null);
    }

    /** Whether DC {@code name}'s own HAProxy sends none of its checkouts to its own app, i.e. the DC is drained. */
    public boolean drained(String name) {
        requireDc(name, "the");
        Datacenter dc = topology.datacenter(name).orElseThrow();
        Map<String, Integer> weights = read(dc, runtime(dc));
        requireServer(dc, weights, name);
        return weights.get(name) == 0;
    }

    /**
     * Applies the wanted weights on every DC's HAProxy, going on past one that fails so the others
     * still move, then throws naming the failed ones.
     *
     * @param downDc a DC that is DOWN, whose HAProxy is left alone (and named) when it cannot be reached; null for none
     */
    private DrainChange apply(String action, BiFunction<Datacenter, Map<String, Integer>, Map<String, Integer>> plan,
                              boolean change, String downDc) {
        List<String> missing = topology.datacenters().stream().filter(dc -> dc.checkoutFrontend() == null)
                .map(Datacenter::name).toList();
        if (!missing.isEmpty()) {
            throw new TrafficException("cannot " + action + ": no checkout frontend in the topology for DC(s) " + missing);
        }
        List<WeightChange> changes = new ArrayList<>();
        List<String> applied = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        TrafficException failure = null;
        for (Datacenter dc : topology.datacenters()) {
            try {
                changes.addAll(apply(dc, plan, change));
                applied.add(dc.name());
            } catch (TrafficException | HaproxyException e) {
                if (dc.name().equals(downDc) && unreachable(e)) {
                    unreachable.add("HAProxy of " + dc.name() + " at " + dc.haproxyRuntime() + " (DC " + dc.name() + " is down): "
                            + e.getMessage());
                    continue;
                }
                String message = "cannot " + action + " on HAProxy of " + dc.name() + " at " + dc.haproxyRuntime() + ": "
                        + e.getMessage();
                if (failure == null) failure = new TrafficException(message, e);
                else failure.addSuppressed(new TrafficException(message, e));
            }
        }
        if (failure != null) {
            // A preview only read the others; say so, or the message reads as if weights had moved.
            throw new TrafficException(failure.getMessage() + (change ? " (done on HAProxy of " + applied + "; changes " + changes + ")"
                    : " (read HAProxy of " + applied + "; changed nothing)"), failure);
        }
        return new DrainChange(changes, unreachable);
    }

    private List<WeightChange> apply(Datacenter dc, BiFunction<Datacenter, Map<String, Integer>, Map<String, Integer>> plan,
                                     boolean change) {
        HaproxyRuntime runtime = runtime(dc);
        String backend = dc.checkoutFrontend().backend();
        Map<String, Integer> before = read(dc, runtime);
        Map<String, Integer> wanted = plan.apply(dc, before);
        if (!change) {
            return before.keySet().stream()
                    .map(server -> new WeightChange(dc.name(), backend, server, before.get(server), wanted.get(server)))
                    .toList();
        }
        // Raise before lowering, in one round trip: with every server at weight 0 HAProxy answers 503 at once.
        List<String> commands = wanted.entrySet().stream()
                .filter(e -> !e.getValue().equals(before.get(e.getKey())))
                .sorted(Comparator.comparing(e -> e.getValue() < before.get(e.getKey())))
                .map(e -> "set server " + backend + "/" + e.getKey() + " weight " + e.getValue())
                .toList();
        if (!commands.isEmpty()) {
            List<String> answers = runtime.execute(commands);
            for (int i = 0; i < commands.size(); i++) {
                if (!answers.get(i).isBlank()) {
                    throw new TrafficException("'" + commands.get(i) + "' refused: " + answers.get(i).lines().findFirst().orElse(""));
                }
            }
        }
        Map<String, Integer> after = read(dc, runtime);
        if (!after.equals(wanted)) throw new TrafficException("weights are " + after + " after setting " + wanted);
        return before.keySet().stream()
                .map(server -> new WeightChange(dc.name(), backend, server, before.get(server), after.get(server)))
                .toList();
    }

    /** Nothing answered at all (refused, timed out): not an HAProxy that refused a command. */
    private static boolean unreachable(RuntimeException e) {
        return e instanceof HaproxyException && (e.getCause() instanceof ConnectException || e.getCause() instanceof SocketTimeoutException
                || e.getCause() instanceof NoRouteToHostException);
    }

    /** Server name to weight (srv_uweight, the 8th field of {@code show servers state}). */
    private static Map<String, Integer> read(Datacenter dc, HaproxyRuntime runtime) {
        CheckoutFrontend frontend = dc.checkoutFrontend();
        if (frontend == null) throw new TrafficException("DC " + dc.name() + " has no checkout frontend in the topology");
        String command = "show servers state " + frontend.backend();
        String answer = runtime.execute(command);
        if (!answer.startsWith("1\n# be_id")) {
            throw new TrafficException("HAProxy of " + dc.name() + " at " + runtime.endpoint() + " refused '" + command + "': "
                    + answer.lines().findFirst().orElse(""));
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        answer.lines().skip(2).filter(line -> !line.isBlank()).map(line -> line.trim().split("\\s+"))
                .forEach(f -> weights.put(f[3], Integer.parseInt(f[7])));
        return weights;
    }

    private static HaproxyRuntime runtime(Datacenter dc) {
        return new HaproxyRuntime(dc.haproxyRuntime());
    }

    private void requireDc(String name, String role) {
        if (topology.datacenter(name).isEmpty()) {
            throw new IllegalArgumentException("unknown " + role + " DC '" + name + "'; the topology has " + topology.datacenterNames());
        }
    }

    private static void requireServer(Datacenter dc, Map<String, Integer> weights, String server) {
        if (!weights.containsKey(server)) {
            throw new TrafficException("backend " + dc.checkoutFrontend().backend() + " has no server '" + server
                    + "'; it has " + weights.keySet());
        }
    }
}
