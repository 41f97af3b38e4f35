package dev.baton.orchestrator.haproxy;

import dev.baton.wire.Endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * An idle TCP connection through an HAProxy frontend to its server. While it is open the server
 * counts one current connection, so {@code maxconn 1} makes HAProxy queue every new connection
 * instead of passing it on: that is how writes are held during a switchover. It never answers the
 * greeting; it only reads it, to know HAProxy has really connected it through to a server that
 * keeps it open. So it is MySQL-specific, like the writer backends it holds.
 */
public final class HolderConnection implements AutoCloseable {
    private static final byte HANDSHAKE_V10 = 0x0a;
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
            // A MySQL packet: 3 bytes length, 1 byte sequence, then 0x0a for a handshake or 0xff for an
            // error (e.g. too many connections), after which the server hangs up and holds nothing.
            byte[] header = socket.getInputStream().readNBytes(5);
            if (header.length < 5) throw new IOException("closed before the backend greeted");
            if (header[4] != HANDSHAKE_V10) {
                throw new IOException("the backend answered with an error packet instead of a handshake");
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
