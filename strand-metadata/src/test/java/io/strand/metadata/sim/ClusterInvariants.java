package io.strand.metadata.sim;

import io.strand.metadata.image.MetadataImage;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What must hold of the simulated cluster after every event:
 * <ul>
 *   <li>every node's log holds the committed history's entries at their offsets, and the leader's
 *       log is the whole committed history (so no two nodes' applied prefixes disagree);
 *   <li>at most one node leads;
 *   <li>every node's image equals the image of its applied prefix replayed from scratch
 *       ({@link ReferenceReplay}), and the image its snapshot plus the log after it rebuild;
 *   <li>every acknowledged topic is on every node that applied up to the acknowledgement
 *       ({@link AckLedger}).
 * </ul>
 * Work is done only for what changed since the last check: a node's new log entries, a node's new
 * image, the snapshot-plus-log rebuild extended by the newly applied entries.
 *
 * <p>Not thread-safe: runs on the simulation's event loop.
 */
final class ClusterInvariants {

    private final List<ControllerNode> nodes;
    private final CommittedLog committed;
    private final ReferenceReplay reference;
    private final AckLedger acks;
    private final Map<ControllerNode, MetadataImage> verifiedImages = new IdentityHashMap<>();
    private final Map<ControllerNode, VerifiedLog> verifiedLogs = new IdentityHashMap<>();
    private final Map<ControllerNode, Rebuild> rebuilds = new IdentityHashMap<>();
    private int acksVerified;

    ClusterInvariants(List<ControllerNode> nodes, CommittedLog committed, ReferenceReplay reference, AckLedger acks) {
        this.nodes = nodes;
        this.committed = committed;
        this.reference = reference;
        this.acks = acks;
    }

    /** After every event. */
    void verify() {
        reference.catchUp();
        if (acks.size() != acksVerified) {
            // A new acknowledgement: check it on every node, not only those whose image changes next.
            verifiedImages.clear();
            acksVerified = acks.size();
        }
        int leaders = 0;
        for (ControllerNode node : nodes) {
            checkLog(node);
            if (!node.isUp()) {
                continue;
            }
            if (node.isLeader()) {
                leaders++;
                if (node.logEndOffset() != committed.lastOffset()) {
                    throw new AssertionError("The leader does not hold the committed log: committedUpTo="
                            + committed.lastOffset() + " leader=" + node);
                }
            }
            if (verifiedImages.get(node) != node.image()) {
                checkImage(node);
                acks.verifyVisibleOn(node);
                verifiedImages.put(node, node.image());
            }
        }
        if (leaders > 1) {
            throw new AssertionError("Two leaders: " + nodes);
        }
    }

    /** The part of a node's log already compared with the committed history. */
    private record VerifiedLog(long startOffset, long endOffset) {
    }

    /** A node's log is a piece of the committed history: same entries at the same offsets. */
    private void checkLog(ControllerNode node) {
        long start = node.logStartOffset();
        long end = node.logEndOffset();
        VerifiedLog verified = verifiedLogs.get(node);
        if (verified != null && verified.startOffset() == start && verified.endOffset() == end) {
            return;
        }
        if (end > committed.lastOffset()) {
            throw new AssertionError("Node log runs past the committed history: committedUpTo="
                    + committed.lastOffset() + " node=" + node);
        }
        // Entries are immutable; a log that only grew needs only its new entries compared.
        long from = verified != null && verified.startOffset() == start && verified.endOffset() < end
                ? verified.endOffset() + 1 : start;
        List<LogEntry> log = node.log();
        for (long offset = from; offset <= end; offset++) {
            LogEntry entry = log.get((int) (offset - start));
            if (entry.offset() != offset || !entry.sameAs(committed.get(offset))) {
                throw new AssertionError("Node log diverges from the committed history at offset=" + offset
                        + ": entry=" + entry + " committed=" + committed.get(offset) + " node=" + node);
            }
        }
        verifiedLogs.put(node, new VerifiedLog(start, end));
    }

    /** A node's snapshot plus its log replayed up to some offset; extended as the node applies more. */
    private record Rebuild(Snapshot snapshot, long offset, MetadataImage image) {
    }

    /**
     * A node's image is the image of its applied prefix replayed from scratch, and the image its
     * snapshot plus the log after it rebuild (kept incrementally: restarted from the snapshot
     * whenever the snapshot changes or the node went back).
     */
    private void checkImage(ControllerNode node) {
        MetadataImage expected = reference.imageAt(node.appliedOffset());
        if (!node.image().equals(expected)) {
            throw new AssertionError("Node image differs from the replay of its applied prefix: node=" + node
                    + "\n  image=" + node.image() + " " + node.image().topics() + " " + node.image().allConfigs()
                    + "\n  replay=" + expected + " " + expected.topics() + " " + expected.allConfigs());
        }
        Rebuild rebuild = rebuilds.get(node);
        if (rebuild == null || rebuild.snapshot() != node.snapshot() || rebuild.offset() > node.appliedOffset()) {
            Snapshot snapshot = node.snapshot();
            rebuild = snapshot == null ? new Rebuild(null, 0, MetadataImage.EMPTY)
                    : new Rebuild(snapshot, snapshot.offset(), snapshot.loadOver(MetadataImage.EMPTY));
        }
        rebuild = new Rebuild(rebuild.snapshot(), node.appliedOffset(),
                node.replayLog(rebuild.image(), rebuild.offset(), node.appliedOffset()));
        rebuilds.put(node, rebuild);
        if (!rebuild.image().equals(expected)) {
            throw new AssertionError("Snapshot plus log suffix does not rebuild the node's image: node=" + node
                    + "\n  rebuilt=" + rebuild.image() + " " + rebuild.image().topics() + " "
                    + rebuild.image().allConfigs()
                    + "\n  replay=" + expected + " " + expected.topics() + " " + expected.allConfigs());
        }
    }
}
