package io.strand.chaos.campaign;

import io.strand.chaos.ChaosCluster;
import io.strand.chaos.NetworkLab;
import io.strand.chaos.StrandChaosCluster;
import io.strand.testkit.StrandCluster;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a fresh cluster of one system, a node in each of a {@link NetworkLab}'s namespaces, its data
 * under a directory; returns once every node serves clients. A new system is one more entry in
 * {@link #systems()}.
 */
@FunctionalInterface
public interface ClusterLauncher {

    ChaosCluster start(NetworkLab lab, Path dir);

    /** Node failure detection a few seconds long, so that faults of a few seconds move leadership. */
    int SESSION_TIMEOUT_MS = 3_000;

    /** The systems a campaign can run against, by name. */
    static Map<String, ClusterLauncher> systems() {
        return Map.of("strand", ClusterLauncher::strand);
    }

    /** Strand nodes as child JVMs of this one (same class path), each in its lab namespace. */
    static ChaosCluster strand(NetworkLab lab, Path dir) {
        StrandCluster.Builder builder = StrandCluster.builder(dir).nodes(lab.nodes())
                .property("broker.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS))
                .property("broker.heartbeat.interval.ms", "500");
        for (int node = 1; node <= lab.nodes(); node++) {
            builder.host(node, lab.address(node)).commandPrefix(node, lab.execPrefix(node));
        }
        return new StrandChaosCluster(builder.start());
    }
}
