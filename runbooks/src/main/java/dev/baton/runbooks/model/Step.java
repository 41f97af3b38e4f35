package dev.baton.runbooks.model;

import java.time.Duration;
import java.util.List;

/**
 * One step of a runbook, from a closed set of kinds. Each record has the {@link StepControl} every step
 * has and its kind's own typed parameters, as written (variables unresolved).
 */
public sealed interface Step {

    StepControl control();

    default String id() {
        return control().id();
    }

    /** The name a runbook writes in {@code kind:}. */
    default String kind() {
        return Kinds.of(this);
    }

    /**
     * Conditions that must all hold before anything changes.
     *
     * @param catchUpWait how long a max-lag condition that fails only because a candidate is still catching up
     *                    (it clears by itself, e.g. just after the previous move) is checked again before the
     *                    step refuses; zero refuses at once. Any other unmet condition refuses at once.
     */
    record Precheck(StepControl control, List<Condition> conditions, Duration catchUpWait) implements Step {
        public Precheck {
            conditions = List.copyOf(conditions);
        }
    }

    /** A person with {@code role} confirms, in the console or the CLI, after reading {@code prompt}. */
    record Approval(StepControl control, String role, String prompt) implements Step {
    }

    /**
     * Points a DNS record at DC {@code to}'s address, or, as a rollback step with {@code action: restore},
     * back at the address the undone step found.
     *
     * @param to  null for a restore
     * @param via how the record is changed; null when the runbook does not say: the API for a forward
     *            step, and for a rollback step the way of the step it undoes
     */
    record DrainDns(StepControl control, DnsAction action, String record, String to, DnsVia via) implements Step {
    }

    /** Sets checkout weights in every DC's HAProxy. */
    record DrainLb(StepControl control, LbAction action, String from, String to) implements Step {
    }

    /**
     * Moves each shard's primary from {@code from} to {@code to} with the switchover engine.
     *
     * @param concurrency how many shards switch at once; {@link #ALL_AT_ONCE} for every one
     */
    record SwitchShards(StepControl control, String from, String to, List<String> shards, int concurrency,
                        Duration perShardTimeout) implements Step {
        public static final int ALL_AT_ONCE = 0;

        public SwitchShards {
            shards = List.copyOf(shards);
        }
    }

    /**
     * Promotes each shard's server in {@code to} and points every DC's writer frontend at it, without
     * fencing the old primary: for an emergency, when the old primary cannot be asked.
     */
    record FlipWriter(StepControl control, List<String> shards, String to) implements Step {
        public FlipWriter {
            shards = List.copyOf(shards);
        }
    }

    /** Writes Consul: a KV key, or a catalog service's tags; or, as a rollback step, puts back what such a step changed. */
    record Consul(StepControl control, ConsulOperation operation) implements Step {
    }

    /** Calls a URL (Slack-, PagerDuty-shaped JSON); a failing hook fails the step like any other. */
    record HttpHook(StepControl control, String method, String url, String body) implements Step {
    }

    /** Polls {@code condition} every {@code interval} until it holds or the step's timeout passes. */
    record WaitUntil(StepControl control, Condition condition, Duration interval) implements Step {
    }

    /** One synthetic checkout per shard at DC {@code dc}'s checkout app. */
    record VerifyCheckout(StepControl control, String dc, List<String> shards) implements Step {
        public VerifyCheckout {
            shards = List.copyOf(shards);
        }
    }

    /** Tells people: the event stream and audit log always, plus the named channels. */
    record Notify(StepControl control, String message, List<String> channels) implements Step {
        public Notify {
            channels = List.copyOf(channels);
        }
    }

    enum LbAction {
        /** {@code from}'s app to weight 0 everywhere, {@code to}'s up where {@code from} served. */
        DRAIN,
        /** Every DC's HAProxy back to its own app alone. */
        UNDRAIN,
        /** The weights the undone step recorded before it changed them: only as a rollback step. */
        RESTORE
    }

    enum DnsAction {
        /** The record to {@code to}'s address. */
        POINT,
        /** The address the undone drain-dns step found, as it recorded it: only as a rollback step. */
        RESTORE
    }

    /** How a drain-dns step changes the record on the authoritative server. */
    enum DnsVia {
        /** The PowerDNS HTTP API, with the topology's API key. */
        API,
        /** RFC 2136 dynamic updates signed with the topology's TSIG key: any server that takes them (BIND 9, PowerDNS). */
        RFC2136
    }

    sealed interface ConsulOperation {
        record KvPut(String key, String value) implements ConsulOperation {
        }

        record CatalogTags(String service, String dc, List<String> tags) implements ConsulOperation {
            public CatalogTags {
                tags = List.copyOf(tags);
            }
        }

        /**
         * {@code action: restore}: what the undone consul step recorded before it wrote is put back (a key
         * it created is deleted), unless someone changed it since. Only as a rollback step.
         */
        record Restore() implements ConsulOperation {
        }
    }

    /** The kind names, in one place so parser, planner and printouts agree. */
    final class Kinds {
        public static final List<String> ALL = List.of("precheck", "approval", "drain-dns", "drain-lb", "switch-shards",
                "flip-writer", "consul", "http-hook", "wait-until", "verify-checkout", "notify");

        private Kinds() {
        }

        static String of(Step step) {
            return switch (step) {
                case Precheck p -> "precheck";
                case Approval a -> "approval";
                case DrainDns d -> "drain-dns";
                case DrainLb d -> "drain-lb";
                case SwitchShards s -> "switch-shards";
                case FlipWriter f -> "flip-writer";
                case Consul c -> "consul";
                case HttpHook h -> "http-hook";
                case WaitUntil w -> "wait-until";
                case VerifyCheckout v -> "verify-checkout";
                case Notify n -> "notify";
            };
        }
    }
}
