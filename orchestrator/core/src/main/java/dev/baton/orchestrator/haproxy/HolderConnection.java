package dev.baton.orchestrator.haproxy;

import dev.baton.wire.Endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * An idle TCP connection through an HAProxy frontend to its server. While it is open the server
 * counts one current connection, so {@code maxconn 1} makes HAProxy queue every new connection
 * instead of passing it on: that is how writes are held during a switchover. It never speaks the
 * backend's protocol; it only waits for the backend's first bytes (the MySQL greeting) to know
 * HAProxy has really connected it through.
 */
public final class HolderConnection implements AutoCloseable {
    private final Socket socket;

    private HolderConnection(Socket socket) {
        this.socket = socket;
    }

    public static HolderConnection open(Endpoint frontend, int timeoutMs) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(frontend.host(), frontend.port()), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            if (socket.getInputStream().read() < 0) {
                throw new IOException("closed before the backend greeted");
            }
            return new HolderConnection(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new HaproxyException("cannot hold a connection through frontend " + frontend + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket nobody reads from again: nothing to recover.
        }
    }
}
