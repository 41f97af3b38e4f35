package dev.baton.orchestrator.consul;

import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Role;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The Consul director's behaviour, run against the stand-in here and against the real
 * {@code hashicorp/consul} image where Docker exists. Each test has its own topology name, so its own
 * key and service, and the tests of a class can share one server.
 */
abstract class ConsulDirectorScenarios {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    abstract String consulUrl();

    final String name = "t" + UUID.randomUUID().toString().substring(0, 8);
    final Topology topology = topology(name);

    ConsulTarget target() {
        return new ConsulTarget(consulUrl(), "baton/" + name + "/active", "checkout-" + name);
    }

    ConsulDirector director() {
        return new ConsulDirector(target(), topology);
    }

    @Test
    void theFirstActivationCreatesTheKeyAndRegistersEachDc() {
        try (ConsulDirector consul = director()) {
            assertThat(consul.current()).isEmpty();
            assertThat(consul.tags()).isEmpty();
            ActiveDc east = ActiveDc.allIn(topology, "east", "f-1", T0);

            ActiveDcChange preview = consul.preview(east);
            assertThat(preview.before()).isNull();
            assertThat(preview.after()).isEqualTo(east);
            assertThat(preview.observedIndex()).isZero();
            assertThat(preview.tags()).containsExactly(
                    new TagChange(target().service(), "east", null, List.of("active")),
                    new TagChange(target().service(), "west", null, List.of("standby")));
            assertThat(consul.current()).as("a preview changes nothing").isEmpty();

            assertThat(consul.apply(preview)).isEqualTo(preview);
            assertThat(consul.current()).contains(east);
            assertThat(east.shards()).isEqualTo(Map.of("s0", "east", "s1", "east"));
            assertThat(consul.tags()).isEqualTo(Map.of("east", List.of("active"), "west", List.of("standby")));
        }
    }

    @Test
    void switchingToWestFlipsTheDocumentAndTheTagsAndASecondSwitchChangesNothing() {
        try (ConsulDirector consul = director()) {
            ActiveDc east = ActiveDc.allIn(topology, "east", "f-1", T0);
            ActiveDc west = ActiveDc.allIn(topology, "west", "f-2", T0.plusSeconds(60));
            consul.activate(east);

            ActiveDcChange flip = consul.activate(west);
            assertThat(flip.before()).isEqualTo(east);
            assertThat(flip.after()).isEqualTo(west);
            assertThat(flip.changed()).isTrue();
            assertThat(flip.tags()).extracting(TagChange::dc, TagChange::before, TagChange::after).containsExactly(
                    tuple("east", List.of("active"), List.of("standby")),
                    tuple("west", List.of("standby"), List.of("active")));
            assertThat(consul.current()).contains(west);
            assertThat(consul.tags()).isEqualTo(Map.of("east", List.of("standby"), "west", List.of("active")));

            long index = consul.preview(west).observedIndex();
            ActiveDcChange again = consul.activate(ActiveDc.allIn(topology, "west", "f-3", T0.plusSeconds(120)));
            assertThat(again.changed()).isFalse();
            assertThat(again.after()).as("the document that made it so stays").isEqualTo(west);
            assertThat(consul.preview(west).observedIndex()).as("nothing was written").isEqualTo(index);
        }
    }

    @Test
    void aSingleShardMovesWithoutMovingTheActiveDc() {
        try (ConsulDirector consul = director()) {
            ActiveDc east = ActiveDc.allIn(topology, "east", "f-1", T0);
            consul.activate(east);
            ActiveDcChange move = consul.activate(east.withShard("s1", "west", "f-2", T0.plusSeconds(5)));
            assertThat(move.after().shards()).isEqualTo(Map.of("s0", "east", "s1", "west"));
            assertThat(move.tags()).noneMatch(TagChange::changed);
            assertThat(consul.current().orElseThrow().activeDc()).isEqualTo("east");
        }
    }

    @Test
    void ofTwoWritersThatReadTheSameIndexOnlyOneWins() {
        try (ConsulDirector a = director(); ConsulDirector b = director()) {
            a.activate(ActiveDc.allIn(topology, "east", "f-1", T0));
            ActiveDcChange toWest = a.preview(ActiveDc.allIn(topology, "west", "f-a", T0.plusSeconds(1)));
            ActiveDcChange toWestButS0 = b.preview(ActiveDc.allIn(topology, "west", "f-b", T0.plusSeconds(1))
                    .withShard("s0", "east", "f-b", T0.plusSeconds(1)));
            assertThat(toWestButS0.observedIndex()).isEqualTo(toWest.observedIndex());

            a.apply(toWest);
            assertThatThrownBy(() -> b.apply(toWestButS0))
                    .isInstanceOf(CasConflict.class)
                    .hasMessageContaining(target().key())
                    .hasMessageContaining("read at index " + toWest.observedIndex())
                    .hasMessageContaining("failover f-a")
                    .hasMessageContaining("another writer won");
            assertThat(b.current().orElseThrow().failoverId()).isEqualTo("f-a");
            assertThat(b.current().orElseThrow().shards()).containsEntry("s0", "west");
        }
    }

    @Test
    void twoWritersCreatingTheKeyRaceTheSameWay() {
        try (ConsulDirector a = director(); ConsulDirector b = director()) {
            ActiveDcChange east = a.preview(ActiveDc.allIn(topology, "east", "f-a", T0));
            ActiveDcChange west = b.preview(ActiveDc.allIn(topology, "west", "f-b", T0));
            b.apply(west);
            assertThatThrownBy(() -> a.apply(east)).isInstanceOf(CasConflict.class)
                    .satisfies(e -> assertThat(((CasConflict) e).expectedIndex()).isZero());
            assertThat(a.current().orElseThrow().activeDc()).isEqualTo("west");
            assertThat(a.tags()).as("the loser touched no tag").isEqualTo(Map.of("east", List.of("standby"), "west", List.of("active")));
        }
    }

    @Test
    void applyingAStalePreviewOfNoChangeIsAConflictToo() {
        try (ConsulDirector a = director(); ConsulDirector b = director()) {
            ActiveDc east = ActiveDc.allIn(topology, "east", "f-1", T0);
            a.activate(east);
            ActiveDcChange nothing = a.preview(east);
            assertThat(nothing.changed()).isFalse();
            b.activate(ActiveDc.allIn(topology, "west", "f-2", T0));
            assertThatThrownBy(() -> a.apply(nothing)).isInstanceOf(CasConflict.class);
            assertThat(a.tags()).containsEntry("west", List.of("active"));
        }
    }

    @Test
    void otherTagsOfAnInstanceAreKeptAndPlainStepsWriteWhatTheySay() {
        try (ConsulDirector consul = director()) {
            String service = target().service();
            TagChange canary = consul.setTags(service, "east", List.of("v2", "standby"));
            assertThat(canary).isEqualTo(new TagChange(service, "east", null, List.of("v2", "standby")));
            assertThat(consul.setTags(service, "east", List.of("v2", "standby")).changed()).isFalse();

            consul.activate(ActiveDc.allIn(topology, "east", "f-1", T0));
            assertThat(consul.tags()).containsEntry("east", List.of("v2", "active"));

            String key = "baton/" + name + "/note";
            KvChange put = consul.putKv(key, "drill at 10:00");
            assertThat(put).isEqualTo(new KvChange(key, null, "drill at 10:00", 0));
            KvChange same = consul.putKv(key, "drill at 10:00");
            assertThat(same.changed()).isFalse();
            assertThat(same.observedIndex()).isPositive();
            assertThat(consul.putKv(key, "drill at 14:00").before()).isEqualTo("drill at 10:00");
        }
    }

    @Test
    void aRestorePutsBackTheValueOrDeletesACreatedKeyOnceAndRefusesAChangeMadeSince() {
        try (ConsulDirector consul = director()) {
            String note = "baton/" + name + "/note";
            consul.putKv(note, "blue");
            KvChange recolor = consul.putKv(note, "west");
            KvChange undo = consul.restore(recolor);
            assertThat(undo.before()).isEqualTo("west");
            assertThat(undo.after()).isEqualTo("blue");
            assertThat(consul.previewKv(note, "").before()).isEqualTo("blue");
            assertThat(consul.restore(recolor).changed()).as("a second undo finds it back already").isFalse();

            String created = "baton/" + name + "/created";
            KvChange create = consul.putKv(created, "by west");
            assertThat(consul.restore(create).after()).isNull();
            assertThat(consul.previewKv(created, "").before()).as("deleted").isNull();
            assertThat(consul.restore(create).changed()).isFalse();

            KvChange again = consul.putKv(note, "west");
            consul.putKv(note, "set by ops");
            assertThatThrownBy(() -> consul.restore(again)).isInstanceOf(ConsulDirectorException.class)
                    .hasMessage("Consul at " + consulUrl() + ": key " + note + " not restored to 'blue': expected 'west' (what the step "
                            + "wrote), found 'set by ops' (index " + consul.previewKv(note, "").observedIndex() + "): someone changed it since");
            assertThat(consul.previewKv(note, "").before()).isEqualTo("set by ops");
            KvChange unchanged = consul.putKv(note, "set by ops");
            consul.putKv(note, "later");
            assertThat(consul.restore(unchanged).changed()).as("a step that wrote nothing has nothing to put back").isFalse();
        }
    }

    @Test
    void aTagRestorePutsBackTheTagsOrDeregistersAndRefusesAChangeMadeSince() {
        try (ConsulDirector consul = director()) {
            String service = target().service();
            consul.setTags(service, "west", List.of("v1"));
            TagChange west = consul.setTags(service, "west", List.of("active"));
            TagChange east = consul.setTags(service, "east", List.of("standby"));
            assertThat(consul.restore(west)).isEqualTo(new TagChange(service, "west", List.of("active"), List.of("v1")));
            assertThat(consul.restore(east)).isEqualTo(new TagChange(service, "east", List.of("standby"), null));
            assertThat(consul.tags()).containsOnlyKeys("west").containsEntry("west", List.of("v1"));
            assertThat(consul.restore(east).changed()).as("a second undo finds it back already").isFalse();

            TagChange again = consul.setTags(service, "west", List.of("active"));
            consul.setTags(service, "west", List.of("drained"));
            assertThatThrownBy(() -> consul.restore(again)).isInstanceOf(ConsulDirectorException.class)
                    .hasMessage("Consul at " + consulUrl() + ": catalog " + service + " in DC west not restored to [v1]: expected [active] "
                            + "(what the step set), found [drained]: someone changed them since");
        }
    }

    @Test
    void aKeyHoldingSomethingElseAndAnUnknownDcAreClearErrors() {
        try (ConsulDirector consul = director()) {
            assertThatThrownBy(() -> consul.preview(ActiveDc.allIn(topology, "north", "f-1", T0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("north").hasMessageContaining("[east, west]");
            assertThatThrownBy(() -> consul.preview(ActiveDc.allIn(topology, "east", "f-1", T0).withShard("s9", "east", "f-1", T0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shard s9 is not in topology " + name);
            assertThatThrownBy(() -> consul.preview(ActiveDc.allIn(topology, "east", "f-1", T0).withShard("s1", "north", "f-1", T0)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shard s1's primary DC north");
            assertThatThrownBy(() -> consul.setTags(target().service(), "north", List.of("active")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("north");
            consul.putKv(target().key(), "east");
            assertThatThrownBy(consul::current).isInstanceOf(ConsulDirectorException.class)
                    .hasMessageContaining(consulUrl()).hasMessageContaining(target().key())
                    .hasMessageContaining("does not hold an active-DC document");
        }
    }

    static Topology topology(String name) {
        List<String> dcs = List.of("east", "west");
        List<Datacenter> datacenters = IntStream.range(0, dcs.size()).mapToObj(i -> new Datacenter(dcs.get(i),
                "127.0." + (i + 1) + ".1", new Endpoint("127.0." + (i + 1) + ".1", 9100),
                new Endpoint("127.0." + (i + 1) + ".1", 8080), List.of(), null)).toList();
        List<Shard> shards = IntStream.range(0, 2).mapToObj(s -> new Shard("s" + s, s, IntStream.range(0, dcs.size())
                .mapToObj(i -> new DbServer("s" + s + "-" + dcs.get(i), "s" + s, dcs.get(i),
                        new Endpoint("127.0." + (i + 1) + ".1", 3306 + s), i == 0 ? Role.PRIMARY : Role.REPLICA)).toList())).toList();
        return new Topology(name, datacenters, shards,
                new Dns("example.test.", "checkout.example.test.", 1, new Endpoint("127.0.0.1", 53), "http://127.0.0.1:8081", "k"),
                new Endpoint("127.0.0.1", 2181), null);
    }
}
