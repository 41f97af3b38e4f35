package dev.baton.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.StandIns;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConsulConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.NotifyChannel;
import dev.baton.orchestrator.config.PasswordHash;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.consul.ConsulTarget;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A coordinator config for a lab: a coordinator per DC on the DC's own address, the lab's
 * ZooKeeper, fresh tokens for an admin ({@code admin}), an operator ({@code sre}) and a viewer
 * ({@code viewer}), each with a console password too, and an agent per DC ({@code agent-<dc>}) with its own token. The lab's stand-ins
 * are its Consul ({@code consul:}) and its notify channels {@value #PAGER} (PagerDuty-shaped) and
 * {@value #CHAT} (Slack-shaped), so the shipped runbooks' consul and notify steps run on a lab.
 * It lives here, not in the lab, so the coordinator's code never depends on the lab.
 *
 * @param tokens      the plain API tokens by user name; only their hashes go into the config
 * @param agentTokens the plain agent tokens by DC; likewise
 * @param passwords   the console passwords by user name; only their bcrypt hashes go into the config
 */
record LabConfig(ConfigFile config, Map<String, String> tokens, Map<String, String> agentTokens, Map<String, String> passwords) {
    static final String COORDINATOR_FILE = "coordinator.yaml";
    static final String TOKENS_FILE = "api-tokens";
    static final String LOGINS_FILE = "console-logins";
    static final String PAGER = "pager";
    static final String CHAT = "chat";
    /** PagerDuty needs one; the sink records it with the event, so it is a name a reader recognises, not a secret. */
    static final String LAB_ROUTING_KEY = "baton-lab-routing-key";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    static LabConfig of(Lab lab) {
        Topology topology = lab.topology();
        String topologyFile = lab.topologyFile().getFileName().toString();
        Map<String, String> tokens = new TreeMap<>(Map.of("admin", TokenHash.newToken(), "sre", TokenHash.newToken(),
                "viewer", TokenHash.newToken()));
        Map<String, String> passwords = new TreeMap<>(Map.of("admin", newPassword(), "sre", newPassword(), "viewer", newPassword()));
        Map<String, String> agentTokens = new TreeMap<>();
        topology.datacenterNames().forEach(dc -> agentTokens.put(dc, TokenHash.newToken()));
        List<CoordinatorPeer> coordinators = topology.datacenters().stream()
                .map(dc -> new CoordinatorPeer("coordinator-" + dc.name(), dc.name(), new Endpoint(dc.address(), freePort(dc))))
                .toList();
        ConfigFile config = new ConfigFile(null, topologyFile, coordinators,
                new ZooKeeperConfig(topology.zookeeper().toString(), "baton/" + topology.name(), 2000),
                List.of(user("admin", ApiRole.ADMIN, tokens, passwords), user("sre", ApiRole.OPERATOR, tokens, passwords),
                        user("viewer", ApiRole.VIEWER, tokens, passwords)),
                agentTokens.entrySet().stream().map(e -> new AgentAccount(agentId(e.getKey()), e.getKey(), TokenHash.of(e.getValue())))
                        .toList(),
                "coordinator-audit.jsonl", lab.standIns().map(LabConfig::channels).orElse(null),
                lab.standIns().map(s -> consul(s, topology)).orElse(null));
        return new LabConfig(config, tokens, agentTokens, passwords);
    }

    private static ApiUser user(String name, ApiRole role, Map<String, String> tokens, Map<String, String> passwords) {
        return new ApiUser(name, role, TokenHash.of(tokens.get(name)), null, PasswordHash.of(passwords.get(name)));
    }

    /** 16 letters and digits without look-alikes (about 90 bits): typed by a person from the demo's output. */
    private static String newPassword() {
        String alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
        java.security.SecureRandom random = new java.security.SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        return sb.toString();
    }

    private static Map<String, NotifyChannel> channels(StandIns standIns) {
        Map<String, NotifyChannel> channels = new LinkedHashMap<>();
        channels.put(PAGER, new NotifyChannel(NotifyChannel.Kind.PAGERDUTY, standIns.notifyUrl(PAGER), LAB_ROUTING_KEY));
        channels.put(CHAT, new NotifyChannel(NotifyChannel.Kind.SLACK, standIns.notifyUrl(CHAT), null));
        return channels;
    }

    /** The key and service written out even where they are the defaults, so the file says where to look. */
    private static ConsulConfig consul(StandIns standIns, Topology topology) {
        ConsulTarget target = ConsulTarget.forTopology(standIns.consulUrl(), topology.name());
        return new ConsulConfig(target.url(), target.key(), target.service());
    }

    static String agentId(String dc) {
        return "agent-" + dc;
    }

    static Path agentFile(Path labDir, String dc) {
        return labDir.resolve("agent-" + dc + ".yaml");
    }

    /** Writes coordinator.yaml, the API tokens and an agent config per DC into the lab's folder; the secrets mode 600. */
    void write(Path labDir) {
        ConfigLoader.write(config, labDir.resolve(COORDINATOR_FILE));
        secret(labDir.resolve(TOKENS_FILE), tokens.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + "\n")
                .collect(Collectors.joining()));
        secret(labDir.resolve(LOGINS_FILE), passwords.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + "\n")
                .collect(Collectors.joining()));
        List<String> urls = config.coordinators().stream().map(CoordinatorPeer::url).toList();
        agentTokens.forEach((dc, token) -> {
            Map<String, Object> agent = new LinkedHashMap<>();
            agent.put("agentId", agentId(dc));
            agent.put("dc", dc);
            agent.put("topologyFile", config.topologyFile());
            agent.put("coordinators", urls);
            agent.put("token", token);
            try {
                secret(agentFile(labDir, dc), YAML.writeValueAsString(agent));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot encode the agent config of " + dc + ": " + e.getMessage(), e);
            }
        });
    }

    private static void secret(Path file, String content) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static int freePort(Datacenter dc) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(dc.address(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on DC " + dc.name() + "'s address " + dc.address() + ": " + e.getMessage(), e);
        }
    }
}
