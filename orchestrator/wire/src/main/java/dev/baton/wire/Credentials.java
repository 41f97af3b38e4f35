package dev.baton.wire;

/**
 * Database accounts. {@code admin} is what the orchestrator uses (it bypasses read_only);
 * {@code app} is the non-admin account the checkout workload writes as, so read_only fences it.
 */
public record Credentials(String database, String adminUser, String adminPassword,
                          String appUser, String appPassword, String replUser, String replPassword) {
}
