package io.strand.metadata.quorum;

import java.util.Objects;
import java.util.Random;

/**
 * Timing and retention settings of a {@link MetadataQuorum}. Immutable; start from
 * {@link #defaults()} and change with the {@code withXxx} methods.
 *
 * @param electionTimeoutMinMs      a follower that hears nothing from a leader for a random time
 *                                  between min and max starts an election
 * @param electionTimeoutMaxMs      see min
 * @param firstElectionTimeoutMinMs the same for the first election after start, for a quorum of
 *                                  one voter only: short, so a node whose quorum is only itself
 *                                  leads at once (with other voters the regular timeouts apply, see
 *                                  {@code RaftSettings#properties})
 * @param firstElectionTimeoutMaxMs see min
 * @param snapshotIntervalEntries   a snapshot of the image is written every this many log entries;
 *                                  the log behind it is then purged
 * @param logSegmentBytes           size at which a metadata log segment is closed (only closed
 *                                  segments are purged)
 * @param requestTimeoutMs          how long {@link MetadataQuorum#append} waits for commit before
 *                                  failing with a timeout
 * @param snapshotOnClose           write a snapshot when closing, so the next start replays less
 * @param clusterId                 the cluster id the first leader writes; {@code null} = random
 * @param random                    source of the random cluster id
 */
public record QuorumOptions(int electionTimeoutMinMs, int electionTimeoutMaxMs, int firstElectionTimeoutMinMs,
                            int firstElectionTimeoutMaxMs, long snapshotIntervalEntries, long logSegmentBytes,
                            int requestTimeoutMs, boolean snapshotOnClose, String clusterId, Random random) {

    public QuorumOptions {
        Objects.requireNonNull(random, "random");
        require(electionTimeoutMinMs > 0 && electionTimeoutMinMs <= electionTimeoutMaxMs,
                "electionTimeoutMinMs=" + electionTimeoutMinMs + " electionTimeoutMaxMs=" + electionTimeoutMaxMs);
        require(firstElectionTimeoutMinMs > 0 && firstElectionTimeoutMinMs <= firstElectionTimeoutMaxMs,
                "firstElectionTimeoutMinMs=" + firstElectionTimeoutMinMs
                        + " firstElectionTimeoutMaxMs=" + firstElectionTimeoutMaxMs);
        require(snapshotIntervalEntries > 0, "snapshotIntervalEntries=" + snapshotIntervalEntries);
        require(logSegmentBytes >= 1024, "logSegmentBytes=" + logSegmentBytes);
        require(requestTimeoutMs > 0, "requestTimeoutMs=" + requestTimeoutMs);
    }

    /**
     * Election timeouts of 1–2 s, as Kafka's quorum waits {@code controller.quorum.fetch.timeout.ms}
     * (2 s) before it elects: shorter ones made a loaded machine (a GC pause, two cores shared by three
     * nodes) change leaders every few seconds; a broker's failover waits for its session timeout anyway.
     */
    public static QuorumOptions defaults() {
        return new QuorumOptions(1_000, 2_000, 5, 15, 4096, 8L * 1024 * 1024, 30_000, true, null, new Random());
    }

    public QuorumOptions withElectionTimeoutMs(int minMs, int maxMs) {
        return new QuorumOptions(minMs, maxMs, firstElectionTimeoutMinMs, firstElectionTimeoutMaxMs,
                snapshotIntervalEntries, logSegmentBytes, requestTimeoutMs, snapshotOnClose, clusterId, random);
    }

    public QuorumOptions withFirstElectionTimeoutMs(int minMs, int maxMs) {
        return new QuorumOptions(electionTimeoutMinMs, electionTimeoutMaxMs, minMs, maxMs,
                snapshotIntervalEntries, logSegmentBytes, requestTimeoutMs, snapshotOnClose, clusterId, random);
    }

    public QuorumOptions withSnapshotIntervalEntries(long entries) {
        return new QuorumOptions(electionTimeoutMinMs, electionTimeoutMaxMs, firstElectionTimeoutMinMs,
                firstElectionTimeoutMaxMs, entries, logSegmentBytes, requestTimeoutMs, snapshotOnClose, clusterId,
                random);
    }

    public QuorumOptions withLogSegmentBytes(long bytes) {
        return new QuorumOptions(electionTimeoutMinMs, electionTimeoutMaxMs, firstElectionTimeoutMinMs,
                firstElectionTimeoutMaxMs, snapshotIntervalEntries, bytes, requestTimeoutMs, snapshotOnClose,
                clusterId, random);
    }

    public QuorumOptions withRequestTimeoutMs(int timeoutMs) {
        return new QuorumOptions(electionTimeoutMinMs, electionTimeoutMaxMs, firstElectionTimeoutMinMs,
                firstElectionTimeoutMaxMs, snapshotIntervalEntries, logSegmentBytes, timeoutMs, snapshotOnClose,
                clusterId, random);
    }

    public QuorumOptions withSnapshotOnClose(boolean enabled) {
        return new QuorumOptions(electionTimeoutMinMs, electionTimeoutMaxMs, firstElectionTimeoutMinMs,
                firstElectionTimeoutMaxMs, snapshotIntervalEntries, logSegmentBytes, requestTimeoutMs, enabled,
                clusterId, random);
    }

    public QuorumOptions withClusterId(String id) {
        return new QuorumOptions(electionTimeoutMinMs, electionTimeoutMaxMs, firstElectionTimeoutMinMs,
                firstElectionTimeoutMaxMs, snapshotIntervalEntries, logSegmentBytes, requestTimeoutMs,
                snapshotOnClose, id, random);
    }

    public QuorumOptions withRandom(Random r) {
        return new QuorumOptions(electionTimeoutMinMs, electionTimeoutMaxMs, firstElectionTimeoutMinMs,
                firstElectionTimeoutMaxMs, snapshotIntervalEntries, logSegmentBytes, requestTimeoutMs,
                snapshotOnClose, clusterId, r);
    }

    private static void require(boolean ok, String context) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid quorum options: " + context);
        }
    }
}
