package dev.baton.orchestrator.consul;

import dev.baton.wire.Datacenter;
import dev.baton.wire.Topology;
import org.kiwiproject.consul.CatalogClient;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.ConsulException;
import org.kiwiproject.consul.KeyValueClient;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.catalog.CatalogService;
import org.kiwiproject.consul.model.catalog.ImmutableCatalogDeregistration;
import org.kiwiproject.consul.model.catalog.ImmutableCatalogRegistration;
import org.kiwiproject.consul.model.health.ImmutableService;
import org.kiwiproject.consul.option.ImmutableDeleteOptions;
import org.kiwiproject.consul.option.ImmutablePutOptions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The Consul traffic director: the {@link ActiveDc} document in KV, written only with check-and-set on
 * the ModifyIndex it was read at (so of two writers one wins and the other gets {@link CasConflict}),
 * and the catalog service registered once per DC, tagged {@code active} or {@code standby}.
 * Like the other directors: preview what would change, apply it, get before/after; applying what is
 * already there writes nothing.
 */
public final class ConsulDirector implements AutoCloseable {
    public static final String ACTIVE = "active";
    public static final String STANDBY = "standby";

    private final ConsulTarget target;
    private final Topology topology;
    private final Consul consul;
    private final KeyValueClient kv;
    private final CatalogClient catalog;

    public ConsulDirector(ConsulTarget target, Topology topology) {
        this.target = target;
        this.topology = topology;
        // No ping at build time: the first read says clearly enough when Consul is not there.
        this.consul = Consul.builder().withUrl(target.url()).withPing(false)
                .withConnectTimeoutMillis(2_000).withReadTimeoutMillis(5_000).withWriteTimeoutMillis(5_000)
                .build();
        this.kv = consul.keyValueClient();
        this.catalog = consul.catalogClient();
    }

    /** The document as Consul holds it now; empty when the key does not exist. */
    public Optional<ActiveDc> current() {
        return read(target.key()).map(e -> parse(e.value(), e.modifyIndex()));
    }

    /** Each DC's tags on the target service; a DC whose instance is not registered is absent. */
    public Map<String, List<String>> tags() {
        return tags(target.service());
    }

    /** What {@link #apply} would change to make {@code wanted} true; changes nothing. */
    public ActiveDcChange preview(ActiveDc wanted) {
        requireDc(wanted.activeDc(), "active DC");
        wanted.shards().forEach((shard, dc) -> {
            if (topology.shard(shard).isEmpty()) throw new IllegalArgumentException("shard " + shard + " is not in topology " + topology.name());
            requireDc(dc, "shard " + shard + "'s primary DC");
        });
        Optional<Entry> entry = read(target.key());
        ActiveDc before = entry.map(e -> parse(e.value(), e.modifyIndex())).orElse(null);
        ActiveDc after = wanted.sameRouting(before) ? before : wanted;
        Map<String, List<String>> tagsNow = tags();
        List<TagChange> tagChanges = topology.datacenters().stream().map(dc -> {
            List<String> now = tagsNow.get(dc.name());
            List<String> kept = now == null ? List.of() : now.stream().filter(t -> !t.equals(ACTIVE) && !t.equals(STANDBY)).toList();
            List<String> then = new ArrayList<>(kept);
            then.add(dc.name().equals(wanted.activeDc()) ? ACTIVE : STANDBY);
            // An already right set keeps its order, so the comparison does not see a change that is none.
            return new TagChange(target.service(), dc.name(), now, now != null && Set.copyOf(now).equals(Set.copyOf(then)) ? now : then);
        }).toList();
        return new ActiveDcChange(target.key(), before, entry.map(Entry::value).orElse(null), after,
                entry.map(Entry::modifyIndex).orElse(0L), tagChanges);
    }

    /**
     * Makes {@code previewed} true: the KV document first, with check-and-set on the index the preview
     * read, then the tags. A key changed since the preview throws {@link CasConflict} before any tag is
     * touched.
     */
    public ActiveDcChange apply(ActiveDcChange previewed) {
        if (previewed.kvChanged()) {
            putCas(target.key(), previewed.after().toJson(), previewed.observedIndex());
        } else {
            // Nothing to write, but the preview must still be what is there: else its tags would follow a stale document.
            long now = read(target.key()).map(Entry::modifyIndex).orElse(0L);
            if (now != previewed.observedIndex()) throw conflict(target.key(), previewed.observedIndex());
        }
        for (TagChange tag : previewed.tags()) {
            if (tag.changed()) register(tag.service(), tag.dc(), tag.after());
        }
        ActiveDc readBack = current().orElse(null);
        if (!previewed.after().equals(readBack)) {
            throw new ConsulDirectorException("Consul at " + target.url() + ": key " + target.key() + " reads back as "
                    + readBack + " right after writing " + previewed.after());
        }
        return previewed;
    }

    /** {@link #preview} then {@link #apply}: a writer racing between the two loses with {@link CasConflict}. */
    public ActiveDcChange activate(ActiveDc wanted) {
        return apply(preview(wanted));
    }

    /** A runbook's plain KV write, with check-and-set on the index it read; an equal value is left alone. */
    public KvChange putKv(String key, String value) {
        return applyKv(previewKv(key, value));
    }

    /** What {@link #putKv} would change; changes nothing. */
    public KvChange previewKv(String key, String value) {
        Optional<Entry> entry = read(key);
        return new KvChange(key, entry.map(Entry::value).orElse(null), value, entry.map(Entry::modifyIndex).orElse(0L));
    }

    /** Writes {@code previewed} if it changes anything, with check-and-set on the index its preview read. */
    public KvChange applyKv(KvChange previewed) {
        if (previewed.changed()) putCas(previewed.key(), previewed.after(), previewed.observedIndex());
        return previewed;
    }

    /** A runbook's catalog step: {@code dc}'s instance of {@code service} gets exactly {@code tags}. */
    public TagChange setTags(String service, String dc, List<String> tags) {
        return applyTags(previewTags(service, dc, tags));
    }

    /** What {@link #setTags} would change; changes nothing. */
    public TagChange previewTags(String service, String dc, List<String> tags) {
        requireDc(dc, "DC");
        return new TagChange(service, dc, tags(service).get(dc), tags);
    }

    /** Registers {@code previewed}'s tags if they change anything. */
    public TagChange applyTags(TagChange previewed) {
        if (previewed.changed()) register(previewed.service(), previewed.dc(), previewed.after());
        return previewed;
    }

    /**
     * Undoes {@code done}: the key gets back its value before (deleted when it had none), with
     * check-and-set on the index read here, but only while it still holds what {@code done} wrote.
     * Idempotent: a key already back is left alone.
     *
     * @return the undo's own change (unchanged when there was nothing to put back)
     * @throws ConsulDirectorException the key holds something else: someone changed it since, and it is not clobbered
     */
    public KvChange restore(KvChange done) {
        Optional<Entry> entry = read(done.key());
        String now = entry.map(Entry::value).orElse(null);
        long index = entry.map(Entry::modifyIndex).orElse(0L);
        // A step that wrote nothing has nothing to put back, whatever happened to the key since.
        KvChange undo = new KvChange(done.key(), now, done.changed() ? done.before() : now, index);
        if (!undo.changed()) return undo;
        if (!Objects.equals(now, done.after())) {
            throw new ConsulDirectorException("Consul at " + target.url() + ": key " + done.key() + " not restored to " + quote(done.before())
                    + ": expected " + quote(done.after()) + " (what the step wrote), found " + quote(now) + " (index " + index
                    + "): someone changed it since");
        }
        if (done.before() != null) {
            putCas(done.key(), done.before(), index);
        } else {
            // Consul answers a delete with cas= only true or false, which the client drops: the read after it tells.
            call("delete key " + done.key() + " (cas=" + index + ")", () -> {
                kv.deleteKey(done.key(), ImmutableDeleteOptions.builder().cas(index).build());
                return null;
            });
            if (read(done.key()).isPresent()) throw conflict(done.key(), index);
        }
        return undo;
    }

    /**
     * Undoes {@code done}: the DC's instance gets back its tags before (deregistered when it was not
     * registered), but only while it still has the tags {@code done} set. The catalog has no
     * check-and-set, so a change in the instant between this read and the write is not seen.
     * Idempotent: tags already back are left alone.
     *
     * @return the undo's own change (unchanged when there was nothing to put back)
     * @throws ConsulDirectorException the instance has other tags: someone changed them since, and they are not clobbered
     */
    public TagChange restore(TagChange done) {
        List<String> now = tags(done.service()).get(done.dc());
        if (!done.changed() || sameTags(now, done.before())) return new TagChange(done.service(), done.dc(), now, now);
        if (!sameTags(now, done.after())) {
            throw new ConsulDirectorException("Consul at " + target.url() + ": catalog " + done.service() + " in DC " + done.dc()
                    + " not restored to " + tagText(done.before()) + ": expected " + tagText(done.after()) + " (what the step set), found "
                    + tagText(now) + ": someone changed them since");
        }
        if (done.before() != null) {
            register(done.service(), done.dc(), done.before());
        } else {
            Datacenter dc = requireDc(done.dc(), "DC");
            call("deregister " + done.service() + " in DC " + dc.name(), () -> {
                catalog.deregister(ImmutableCatalogDeregistration.builder().node(dc.name())
                        .serviceId(instanceId(done.service(), dc.name())).build());
                return null;
            });
        }
        return new TagChange(done.service(), done.dc(), now, done.before());
    }

    @Override
    public void close() {
        consul.destroy();
    }

    /** A KV entry as read: its value and the ModifyIndex a check-and-set write must name. */
    private record Entry(String value, long modifyIndex) {
    }

    private Optional<Entry> read(String key) {
        return call("read key " + key, () -> kv.getConsulResponseWithValue(key))
                .map(ConsulResponse::getResponse)
                .map(v -> new Entry(v.getValueAsString(StandardCharsets.UTF_8).orElse(""), v.getModifyIndex()));
    }

    private void putCas(String key, String value, long expectedIndex) {
        boolean won = call("write key " + key + " (cas=" + expectedIndex + ")", () -> kv.putValue(key, value, 0L,
                ImmutablePutOptions.builder().cas(expectedIndex).build(), StandardCharsets.UTF_8));
        if (!won) throw conflict(key, expectedIndex);
    }

    private CasConflict conflict(String key, long expectedIndex) {
        Optional<Entry> now = read(key);
        String holder = now.map(e -> key.equals(target.key()) ? describe(e) : "value " + e.value()).orElse("");
        return new CasConflict(target.url(), key, expectedIndex, now.map(Entry::modifyIndex).orElse(0L), holder);
    }

    private String describe(Entry entry) {
        try {
            ActiveDc doc = ActiveDc.fromJson(entry.value());
            return "active DC " + doc.activeDc() + " by failover " + doc.failoverId();
        } catch (IllegalArgumentException e) {
            return "value " + entry.value();
        }
    }

    private Map<String, List<String>> tags(String service) {
        List<CatalogService> instances = call("list catalog service " + service, () -> catalog.getService(service)).getResponse();
        Map<String, List<String>> byId = instances.stream()
                .collect(Collectors.toMap(CatalogService::getServiceId, CatalogService::getServiceTags, (a, b) -> a));
        Map<String, List<String>> byDc = new LinkedHashMap<>();
        for (String dc : topology.datacenterNames()) {
            List<String> tags = byId.get(instanceId(service, dc));
            if (tags != null) byDc.put(dc, tags);
        }
        return byDc;
    }

    private void register(String service, String dcName, List<String> tags) {
        Datacenter dc = requireDc(dcName, "DC");
        // One catalog node per DC, named after it: Baton's DCs, not Consul's, are the unit of failover here.
        var registration = ImmutableCatalogRegistration.builder()
                .node(dc.name()).address(dc.address())
                .service(ImmutableService.builder().id(instanceId(service, dc.name())).service(service)
                        .address(dc.address()).port(dc.checkoutEntry().port()).tags(tags).putMeta("dc", dc.name()).build())
                .build();
        call("register " + service + " in DC " + dc.name() + " with tags " + tags, () -> {
            catalog.register(registration);
            return null;
        });
    }

    private Datacenter requireDc(String name, String what) {
        return topology.datacenter(name).orElseThrow(() -> new IllegalArgumentException(
                what + " " + name + " is not in topology " + topology.name() + " (" + topology.datacenterNames() + ")"));
    }

    /** Tags compare as sets: the catalog may hand them back in another order. */
    private static boolean sameTags(List<String> a, List<String> b) {
        return a == null || b == null ? a == b : Set.copyOf(a).equals(Set.copyOf(b));
    }

    private static String tagText(List<String> tags) {
        return tags == null ? "(not registered)" : tags.toString();
    }

    private static String quote(String value) {
        return value == null ? "(absent)" : "'" + value + "'";
    }

    private static String instanceId(String service, String dc) {
        return service + "-" + dc;
    }

    private ActiveDc parse(String value, long index) {
        try {
            return ActiveDc.fromJson(value);
        } catch (IllegalArgumentException e) {
            throw new ConsulDirectorException("Consul at " + target.url() + ": key " + target.key() + " (index " + index
                    + ") does not hold an active-DC document: " + e.getMessage(), e);
        }
    }

    private <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (ConsulException e) {
            throw new ConsulDirectorException("Consul at " + target.url() + " could not " + what + ": "
                    + (e.getCause() != null ? e.getCause() : e.getMessage()), e);
        }
    }
}
