package dev.baton.orchestrator.traffic;

import java.util.Optional;

/**
 * Points the checkout record at a DC's address and returns once the authoritative server answers
 * with it. One implementation per way of changing that server, so a runbook step can take either.
 */
public sealed interface DnsDirector permits CheckoutDns, CheckoutDnsUpdate {

    /** The checkout record as it is now; empty when there is none. */
    Optional<ARecord> current();

    /** What {@link #pointAt} would change; changes nothing. */
    DnsChange preview(String ip);

    /** Idempotent: pointing at the address it already has changes nothing (and says so). */
    DnsChange pointAt(String ip);
}
