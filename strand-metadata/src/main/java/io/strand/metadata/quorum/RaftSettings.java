package io.strand.metadata.quorum;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * Translates Strand's quorum settings into Ratis' configuration: the fixed raft group of the
 * metadata quorum, peer ids (the node id as a decimal string) and {@link RaftProperties}.
 * Stateless.
 *
 * <p>On disk Ratis keeps, under the metadata directory, one directory named by {@link #GROUP_ID}
 * holding {@code current/} (log segments and {@code raft-meta}) and {@code sm/} (snapshots).
 */
final class RaftSettings {

    /**
     * The one raft group of the metadata quorum; fixed so a restart finds its directory. It is the
     * name-based UUID of {@code "strand-metadata"}, written out so that start-up need not bring up
     * the JDK's message digests to compute it (RaftSettingsTest checks the two agree).
     */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.fromString("e80a81e6-32b9-33d7-85b5-efae992b6f1a"));

    private static final long MAX_PREALLOCATED_BYTES = 4L * 1024 * 1024;
    private static final int SNAPSHOTS_RETAINED = 2;
    private static final int MAX_PURGE_GAP = 1024;

    private static boolean jmxReportingOff;

    private RaftSettings() {
    }

    /**
     * Ratis' metric registries report to JMX unless a reporter was registered before the first
     * registry: that reporter builds the platform MBean server and an MBean per metric while the
     * first election waits (~50 ms of a start). Strand does not publish Ratis' internal metrics, so
     * an empty reporter goes in first. Idempotent; the registries are process-wide.
     */
    static synchronized void withoutJmxReporting() {
        if (!jmxReportingOff) {
            MetricRegistries.global().addReporterRegistration(registry -> { }, registry -> { });
            jmxReportingOff = true;
        }
    }

    static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    /** The node id of a peer of this quorum, or -1 for a peer id that is not a node id. */
    static int nodeId(RaftPeerId peerId) {
        try {
            return Integer.parseInt(peerId.toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static RaftGroup group(Map<Integer, InetSocketAddress> voters) {
        List<RaftPeer> peers = new ArrayList<>();
        voters.forEach((id, address) -> peers.add(RaftPeer.newBuilder()
                .setId(peerId(id))
                .setAddress(address.getHostString() + ":" + address.getPort())
                .build()));
        return RaftGroup.valueOf(GROUP_ID, peers);
    }

    /** True when the metadata directory already holds this quorum's raft storage. */
    static boolean storageExists(Path metadataDir) {
        return metadataDir.resolve(GROUP_ID.getUuid().toString()).toFile().isDirectory();
    }

    /**
     * Ratis' properties for a member of a quorum of {@code voterCount} voters, but for the transport
     * and its address ({@link QuorumTransport#configureServer}).
     *
     * <p>The first election timeout applies to a lone voter only. Ratis uses "the election timeout"
     * twice: as a follower's wait for its leader and as a candidate's wait for the votes of each
     * round; until a node has once changed from candidate or leader to follower, both are the
     * <em>first</em> election timeout. A few milliseconds let a lone voter lead at once after a
     * start, but with other voters they are the whole window for the votes to come back: on a loaded
     * machine a restarted node then runs round after round that times out before any vote arrives,
     * each election round raising the term and deposing the leader the others have meanwhile
     * elected. With other voters, the first election waits as long as any other.
     */
    static RaftProperties properties(Path metadataDir, QuorumOptions options, int voterCount) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(metadataDir.toFile()));

        RaftServerConfigKeys.Rpc.setTimeoutMin(p, ms(options.electionTimeoutMinMs()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, ms(options.electionTimeoutMaxMs()));
        boolean alone = voterCount == 1;
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p,
                ms(alone ? options.firstElectionTimeoutMinMs() : options.electionTimeoutMinMs()));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p,
                ms(alone ? options.firstElectionTimeoutMaxMs() : options.electionTimeoutMaxMs()));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, ms(options.requestTimeoutMs()));
        // Read-only requests (a follower's catch-up, LeaderReadIndex) use ReadIndex: the leader
        // confirms with a majority that it still leads before it answers.
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);

        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, options.snapshotIntervalEntries());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, SNAPSHOTS_RETAINED);
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, options.snapshotOnClose());

        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(options.logSegmentBytes()));
        RaftServerConfigKeys.Log.setPreallocatedSize(p,
                SizeInBytes.valueOf(Math.min(MAX_PREALLOCATED_BYTES, options.logSegmentBytes())));
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(MAX_PURGE_GAP, options.snapshotIntervalEntries()));
        return p;
    }

    private static TimeDuration ms(long millis) {
        return TimeDuration.valueOf(millis, TimeUnit.MILLISECONDS);
    }
}
