package dev.baton.chaos.workload;

import dev.baton.chaos.workload.checkout.CheckoutApp;
import dev.baton.chaos.workload.checkout.CheckoutOptions;
import dev.baton.wire.Topology;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** Runs one DC's checkout app until SIGTERM: {@code --topology FILE --dc NAME}. */
public final class CheckoutMain {
    private CheckoutMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path topologyFile = null;
        String dc = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--topology" -> topologyFile = Path.of(value(args, ++i, "--topology"));
                case "--dc" -> dc = value(args, ++i, "--dc");
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (topologyFile == null || dc == null) usage("both --topology and --dc are required");

        CheckoutApp app = CheckoutApp.start(Topology.read(topologyFile), dc, CheckoutOptions.defaults());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "checkout-shutdown"));
        System.out.println("checkout app " + dc + " listening on " + app.endpoint());
        stopped.await();
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) usage(flag + " needs a value");
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: CheckoutMain --topology FILE --dc NAME");
        System.exit(2);
    }
}
