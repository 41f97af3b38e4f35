package dev.baton.chaos.bench.footprint;

/**
 * A process whose footprint is measured.
 *
 * @param kind what it is, e.g. {@code mariadbd}, {@code coordinator}, {@code load generator}
 * @param name which one, e.g. {@code mariadb s1-east}
 */
public record Tracked(String kind, String name, long pid) {
    /** The kind from a lab process name: its first word ({@code mariadb s1-east} is a mariadbd, {@code agent east} an agent). */
    public static Tracked labProcess(String name, long pid) {
        String first = name.contains(" ") ? name.substring(0, name.indexOf(' ')) : name;
        String kind = switch (first) {
            case "mariadb" -> "mariadbd";
            default -> first;
        };
        return new Tracked(kind, name, pid);
    }
}
