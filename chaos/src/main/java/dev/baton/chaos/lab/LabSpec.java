package dev.baton.chaos.lab;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * What lab to build.
 *
 * @param dir               the lab's folder: state file, topology, datadirs, configs, logs
 * @param dcs               datacenter names; DC {@code i} gets loopback address {@code 127.0.(i+1).1}
 *                          and the first one holds every shard's primary
 * @param shards            number of shards, named {@code s1..sN}
 * @param basePort          0 picks free ports; otherwise the lab uses basePort, basePort+1, ... in a fixed order
 * @param startCheckoutApps whether to start a checkout app per DC
 */
public record LabSpec(Path dir, List<String> dcs, int shards, int basePort, boolean startCheckoutApps) {

    public LabSpec {
        if (dir == null) throw new LabException("lab dir is missing");
        dir = dir.toAbsolutePath().normalize();
        dcs = List.copyOf(dcs);
        if (dcs.isEmpty()) throw new LabException("a lab needs at least one DC");
        if (dcs.size() > 254) throw new LabException("at most 254 DCs fit the 127.0.x.1 scheme, got " + dcs.size());
        for (String dc : dcs) {
            if (!dc.matches("[a-z][a-z0-9-]{0,30}")) {
                throw new LabException("DC name '" + dc + "' must be lower-case letters, digits or '-', starting with a letter");
            }
        }
        if (new HashSet<>(dcs).size() != dcs.size()) throw new LabException("DC names repeat: " + dcs);
        if (shards < 1 || shards > 64) throw new LabException("shards must be 1..64, got " + shards);
        if (basePort != 0 && (basePort < 1024 || basePort > 65000)) {
            throw new LabException("basePort must be 0 (pick free ports) or 1024..65000, got " + basePort);
        }
    }

    public static LabSpec defaults(Path dir) {
        return new LabSpec(dir, List.of("east", "west"), 2, 0, false);
    }

    /** DC {@code i} (0-based) lives on its own loopback address. */
    public String addressOf(int dcIndex) {
        return "127.0." + (dcIndex + 1) + ".1";
    }
}
