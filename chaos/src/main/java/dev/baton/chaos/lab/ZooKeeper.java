package dev.baton.chaos.lab;

import dev.baton.wire.Endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One ZooKeeper, a child JVM running the ZooKeeper jar this module depends on. */
final class ZooKeeper {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private ZooKeeper() {
    }

    static List<String> prepare(Endpoint endpoint, Path home) {
        Path cfg = home.resolve("zoo.cfg");
        try {
            Files.createDirectories(home.resolve("data"));
            Files.writeString(cfg, Templates.render("zoo.cfg", Map.of(
                    "home", home, "address", endpoint.host(), "port", endpoint.port())));
        } catch (IOException e) {
            throw new LabException("cannot prepare ZooKeeper in " + home + ": " + e.getMessage(), e);
        }
        List<String> command = new java.util.ArrayList<>(List.of(Java.binary()));
        command.addAll(JvmOptions.of(JvmOptions.Kind.ZOOKEEPER));
        command.addAll(List.of("-cp", Java.classpath(), "org.apache.zookeeper.server.ZooKeeperServerMain", cfg.toString()));
        return command;
    }

    static void awaitReady(LabProcess process, String marker) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                if (fourLetterWord(process.endpoint(), "ruok").equals("imok")) return;
            } catch (IOException e) {
                if (Processes.gone(process.pid(), marker)) {
                    throw Processes.exitedWhileStarting("ZooKeeper", process.pid(), process.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new LabException("ZooKeeper at " + process.endpoint() + " did not answer ruok within "
                            + START_TIMEOUT.toSeconds() + " s (log: " + process.log() + ")");
                }
            }
            Processes.sleep(50);
        }
    }

    static String fourLetterWord(Endpoint endpoint, String word) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }
}
