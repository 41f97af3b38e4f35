package dev.baton.runbooks.plan;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.baton.runbooks.model.Condition;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.topology.TopologyView.Address;
import dev.baton.runbooks.topology.TopologyView.DnsRecord;
import dev.baton.runbooks.topology.TopologyView.Server;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a planned step does, resolved: named servers, records and HAProxy backends of the topology,
 * no variables left. One record per step kind, so an engine can run it with an exhaustive switch.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.SIMPLE_NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(Action.Check.class), @JsonSubTypes.Type(Action.Approve.class),
        @JsonSubTypes.Type(Action.PointRecord.class), @JsonSubTypes.Type(Action.RestoreRecord.class), @JsonSubTypes.Type(Action.SetWeights.class),
        @JsonSubTypes.Type(Action.SwitchShards.class), @JsonSubTypes.Type(Action.FlipWriters.class),
        @JsonSubTypes.Type(Action.ConsulKv.class), @JsonSubTypes.Type(Action.ConsulTags.class), @JsonSubTypes.Type(Action.ConsulRestore.class),
        @JsonSubTypes.Type(Action.Call.class), @JsonSubTypes.Type(Action.Wait.class),
        @JsonSubTypes.Type(Action.Checkout.class), @JsonSubTypes.Type(Action.Message.class)})
public sealed interface Action {

    /**
     * Conditions checked; any false one fails the step, except that candidates only catching up are
     * checked again for up to {@code catchUpWait} (see {@link dev.baton.runbooks.model.Step.Precheck}).
     */
    record Check(List<Condition> conditions, Duration catchUpWait) implements Action {
        public Check {
            conditions = List.copyOf(conditions);
            // A plan persisted before prechecks could wait was planned to check once.
            if (catchUpWait == null) catchUpWait = Duration.ZERO;
        }
    }

    record Approve(String role, String prompt) implements Action {
    }

    /**
     * {@code record} gets an A record for {@code address}, DC {@code dc}'s, changed on its server {@code via}
     * the API or RFC 2136 updates.
     */
    record PointRecord(DnsRecord record, String dc, String address, Step.DnsVia via) implements Action {
        public PointRecord {
            // A plan persisted before drain-dns could choose was planned for the API.
            if (via == null) via = Step.DnsVia.API;
        }
    }

    /**
     * A rollback step's: {@code record} back at the address the undone drain-dns step found, known only once
     * it ran, changed {@code via} the API or RFC 2136 updates.
     */
    record RestoreRecord(DnsRecord record, Step.DnsVia via) implements Action {
    }

    /**
     * The checkout weights in each DC's HAProxy.
     *
     * @param haproxies in order; for {@code RESTORE} their {@code after} is empty: the engine puts back what it recorded
     */
    record SetWeights(Step.LbAction action, String from, String to, List<Weights> haproxies) implements Action {
        public SetWeights {
            haproxies = List.copyOf(haproxies);
        }
    }

    /** @param after the weight each named server (a DC's checkout app) gets, in the order they are set */
    record Weights(String dc, Address runtime, String backend, Map<String, Integer> after) {
        public Weights {
            after = Collections.unmodifiableMap(new LinkedHashMap<>(after));
        }
    }

    /**
     * Shards through the switchover engine, one group after the other; the shards of a group in parallel.
     */
    record SwitchShards(String from, String to, Duration perShardTimeout, List<List<ShardMove>> groups) implements Action {
        public SwitchShards {
            groups = groups.stream().map(List::copyOf).toList();
        }
    }

    /** One shard's switchover: fence the primary, promote the candidate, repoint every DC's writer. */
    record ShardMove(String shard, Server fence, Server candidate, List<WriterFlip> flips) {
        public ShardMove {
            flips = List.copyOf(flips);
        }
    }

    /** One HAProxy's writer server for a shard, set to {@code target}'s address. */
    record WriterFlip(String dc, Address runtime, Address frontend, String backend, String server, Server target) {
    }

    /** Emergency: each shard's target promoted and every writer repointed at it, the old primary not asked. */
    record FlipWriters(List<ShardFlip> shards) implements Action {
        public FlipWriters {
            shards = List.copyOf(shards);
        }
    }

    record ShardFlip(String shard, Server target, List<WriterFlip> flips) {
        public ShardFlip {
            flips = List.copyOf(flips);
        }
    }

    record ConsulKv(String key, String value) implements Action {
    }

    record ConsulTags(String service, String dc, List<String> tags) implements Action {
        public ConsulTags {
            tags = List.copyOf(tags);
        }
    }

    /** A rollback step's: what the undone consul step recorded goes back, known only once it ran. */
    record ConsulRestore() implements Action {
    }

    record Call(String method, String url, String body) implements Action {
    }

    record Wait(Condition condition, Duration interval) implements Action {
    }

    /** One synthetic checkout per shard at DC {@code dc}'s app. */
    record Checkout(String dc, Address app, List<String> shards) implements Action {
        public Checkout {
            shards = List.copyOf(shards);
        }
    }

    record Message(String text, List<String> channels) implements Action {
        public Message {
            channels = List.copyOf(channels);
        }
    }
}
