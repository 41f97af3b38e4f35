package dev.baton.wire;

/** JDBC URLs for the MariaDB driver, the same everywhere so every client behaves alike. */
public final class Jdbc {
    private Jdbc() {
    }

    /**
     * Loopback lab servers have no TLS; the 4.x driver would otherwise insist on it.
     * {@code connectTimeout} is generous on purpose: during a switchover HAProxy holds a new
     * connection in its queue (no greeting yet) for the length of the write pause.
     */
    public static String url(Endpoint endpoint, String database, int connectTimeoutMs, int socketTimeoutMs) {
        return "jdbc:mariadb://" + endpoint.host() + ":" + endpoint.port() + "/" + database
                + "?sslMode=disable&connectTimeout=" + connectTimeoutMs + "&socketTimeout=" + socketTimeoutMs
                + "&allowPublicKeyRetrieval=true";
    }
}
