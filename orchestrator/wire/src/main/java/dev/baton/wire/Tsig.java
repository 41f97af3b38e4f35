package dev.baton.wire;

/**
 * A TSIG key (RFC 8945) that signs dynamic DNS updates (RFC 2136).
 *
 * @param name      the key's name as the server knows it, e.g. {@code baton-lab.}
 * @param algorithm e.g. {@code hmac-sha256}
 * @param secret    the shared secret, base64
 */
public record Tsig(String name, String algorithm, String secret) {
    public Tsig {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("TSIG key name is empty");
        if (algorithm == null || algorithm.isBlank()) throw new IllegalArgumentException("TSIG key " + name + " has no algorithm");
        if (secret == null || secret.isBlank()) throw new IllegalArgumentException("TSIG key " + name + " has no secret");
    }

    /** Leaves the secret out: topologies and DNS settings end up in logs and error messages. */
    @Override
    public String toString() {
        return "Tsig[name=" + name + ", algorithm=" + algorithm + ", secret=(" + secret.length() + " chars)]";
    }
}
