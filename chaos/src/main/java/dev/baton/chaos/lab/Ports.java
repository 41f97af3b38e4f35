package dev.baton.chaos.lab;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out the lab's ports. Every port number is distinct within one lab even across addresses,
 * so a log line or an error naming a port is never ambiguous.
 */
final class Ports {
    private final int basePort;
    private final Set<Integer> taken = new HashSet<>();
    private int next;

    Ports(int basePort) {
        this.basePort = basePort;
        this.next = basePort;
    }

    /** A port free on every one of {@code addresses} (TCP; and UDP too when {@code udp}). */
    int allocate(List<String> addresses, boolean udp) {
        if (basePort != 0) {
            int port = next++;
            taken.add(port);
            for (String address : addresses) requireFree(address, port, udp);
            return port;
        }
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = candidate();
            if (taken.contains(port)) continue;
            if (addresses.stream().allMatch(a -> isFree(a, port, udp))) {
                taken.add(port);
                return port;
            }
        }
        throw new LabException("found no free port on " + addresses + " after 200 attempts");
    }

    /** Throws a LabException naming {@code address:port} when something listens there already. */
    static void requireFree(String address, int port, boolean udp) {
        if (!isFree(address, port, udp)) {
            throw new LabException(address + ":" + port + " is already in use" + (udp ? " (TCP or UDP)" : ""));
        }
    }

    static boolean isFree(String address, int port, boolean udp) {
        // SO_REUSEADDR like the servers themselves, so a port in TIME_WAIT still counts as free.
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        } catch (IOException e) {
            return false;
        }
        if (!udp) return true;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), port))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether something accepts TCP connections on {@code address:port}. */
    static boolean isListening(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A random port BELOW the kernel's ephemeral range: ports the kernel hands out for outgoing
     * connections (the lab's own HAProxy-to-MariaDB traffic makes hundreds a second) could take a
     * port between our check and the server's bind, and the server would die at start.
     */
    private static int candidate() {
        return ThreadLocalRandom.current().nextInt(LOWEST, EPHEMERAL_START);
    }

    private static final int LOWEST = 10_000;
    private static final int EPHEMERAL_START = ephemeralStart();

    private static int ephemeralStart() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            int start = Integer.parseInt(range[0]);
            return start > LOWEST + 1_000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default
        }
    }
}
