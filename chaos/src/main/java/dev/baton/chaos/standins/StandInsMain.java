package dev.baton.chaos.standins;

import dev.baton.chaos.consul.ConsulStandIn;
import dev.baton.wire.Endpoint;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the lab's stand-ins in one small JVM until SIGTERM: the {@link ConsulStandIn} and the
 * {@link NotificationSink}. Usage: {@code --consul HOST:PORT --notify HOST:PORT --notifications FILE}.
 */
public final class StandInsMain {
    private StandInsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String consul = null;
        String notify = null;
        Path notifications = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--consul" -> consul = value(args, ++i, "--consul");
                case "--notify" -> notify = value(args, ++i, "--notify");
                case "--notifications" -> notifications = Path.of(value(args, ++i, "--notifications"));
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (consul == null || notify == null || notifications == null) usage("--consul, --notify and --notifications are required");

        Endpoint consulAt = endpoint("--consul", consul);
        Endpoint notifyAt = endpoint("--notify", notify);
        ConsulStandIn consulStandIn = ConsulStandIn.start(consulAt.host(), consulAt.port());
        NotificationSink sink = NotificationSink.start(notifyAt.host(), notifyAt.port(), notifications);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sink.close();
            consulStandIn.close();
            stopped.countDown();
        }, "stand-ins-shutdown"));
        System.out.println("Consul stand-in (not Consul) on " + consulStandIn.url() + "; notification sink on "
                + sink.url("<channel>") + ", writing " + notifications);
        stopped.await();
    }

    private static Endpoint endpoint(String flag, String address) {
        int colon = address.lastIndexOf(':');
        try {
            if (colon > 0) return new Endpoint(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            // falls through to the usage message
        }
        usage(flag + " '" + address + "' is not HOST:PORT");
        throw new IllegalStateException("unreachable: usage exits");
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) usage(flag + " needs a value");
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: StandInsMain --consul HOST:PORT --notify HOST:PORT --notifications FILE");
        System.exit(2);
    }
}
