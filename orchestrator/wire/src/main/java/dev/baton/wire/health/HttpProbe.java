package dev.baton.wire.health;

/** An HTTP health check, e.g. the DC's checkout app. {@code status} is 0 when no response came. */
public record HttpProbe(String name, String url, int status, long latencyMs, String error) implements Probe {
    public boolean healthy() {
        return error == null && status >= 200 && status < 300;
    }
}
