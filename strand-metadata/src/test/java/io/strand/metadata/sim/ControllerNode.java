package io.strand.metadata.sim;

import io.strand.common.sim.Restartable;
import io.strand.metadata.controller.ClusterControlSettings;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataLog;
import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;

/**
 * One simulated controller node: the metadata state machine of one quorum member, and, while it
 * leads, a real {@link QuorumController} on the simulation's event loop appending through this
 * node's {@link MetadataLog}.
 *
 * <p>Durable (survives {@link #crash()}): its copy of the committed log, contiguous from
 * {@code logStartOffset}, and its latest {@link Snapshot}. In memory (lost on a crash): the image,
 * the applied offset, leadership, the controller and the appends waiting to commit.
 * {@link #restart()} rebuilds the image from the snapshot plus the log after it, as a restarting
 * node does from its snapshot file and Raft log.
 *
 * <p>As a follower it pulls committed entries from the leader ({@link SimMessage.Fetch}), or the
 * leader's snapshot when it is behind the leader's log start, keeps only an answer that continues
 * its log (answers come lost, late and out of order), and applies what it has, in log order, a
 * little later. As the leader its log is the committed log: an append waits a random commit delay
 * (replication to a majority), then is committed, applied here and answered.
 *
 * <p>Not thread-safe: everything runs on the simulation's event loop.
 */
final class ControllerNode implements Restartable {

    private static final int MAX_FETCH_ENTRIES = 20;
    private static final long MAX_APPLY_DELAY_MS = 5;

    private final int id;
    private final ControllerSimulation sim;
    private final InjectedBug bug;

    /** Durable: the log from logStartOffset on. */
    private final List<LogEntry> log = new ArrayList<>();
    /** Durable. */
    private long logStartOffset = 1;
    /** Durable; null until the first snapshot. */
    private Snapshot snapshot;

    private boolean up = true;
    /** The applied image; null while down. */
    private MetadataImage image = MetadataImage.EMPTY;
    private long appliedOffset;
    private boolean applyScheduled;
    private int snapshotsInstalled;
    /** The epoch this node leads in, -1 when it does not lead. */
    private int leaderEpoch = -1;
    private QuorumController controller;
    private final ArrayDeque<PendingAppend> pending = new ArrayDeque<>();
    private final MetadataLog metadataLog = new NodeLog();

    /** An append written by the leader, waiting to commit. */
    record PendingAppend(int epoch, byte[] batch, CompletableFuture<Long> future) {
    }

    ControllerNode(int id, ControllerSimulation sim, InjectedBug bug) {
        this.id = id;
        this.sim = sim;
        this.bug = bug;
    }

    @Override
    public int nodeId() {
        return id;
    }

    @Override
    public boolean isUp() {
        return up;
    }

    MetadataImage image() {
        return image;
    }

    long appliedOffset() {
        return appliedOffset;
    }

    long logStartOffset() {
        return logStartOffset;
    }

    long logEndOffset() {
        return log.isEmpty() ? logStartOffset - 1 : log.get(log.size() - 1).offset();
    }

    List<LogEntry> log() {
        return log;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** Snapshots received from a leader, over this node's whole life. */
    int snapshotsInstalled() {
        return snapshotsInstalled;
    }

    boolean isLeader() {
        return up && leaderEpoch >= 0 && sim.epoch() == leaderEpoch;
    }

    private LogEntry entry(long offset) {
        return log.get((int) (offset - logStartOffset));
    }

    // ---- leadership ----

    /** Elected: the log holds every committed entry; applies them all, then starts a controller. */
    void becomeLeader(int epoch) {
        applyCommitted();
        leaderEpoch = epoch;
        controller = new QuorumController(metadataLog, sim.scheduler().time(), new Random(sim.random().nextLong()),
                sim.scheduler(), ClusterControlSettings.DEFAULTS.withBrokerSessionTimeoutMs(
                        ControllerSimulation.SESSION_TIMEOUT_MS));
    }

    /** The active controller's periodic session check; its outcome shows in the committed history. */
    void onSessionCheck() {
        if (controller != null && isLeader()) {
            controller.fenceExpiredBrokers();
        }
    }

    /** The active controller's periodic preferred leader election. */
    void onBalanceLeaders() {
        if (controller != null && isLeader()) {
            controller.balanceLeaders();
        }
    }

    /**
     * Leadership ends (a crash or stepping down): closes the controller and hands back the appends
     * not yet committed, oldest first. If the node stays up they fail with NOT_CONTROLLER, though
     * the simulation may still commit some of them: the outcome is unknown to the client.
     */
    List<PendingAppend> stepDown() {
        List<PendingAppend> inFlight = new ArrayList<>(pending);
        pending.clear();
        leaderEpoch = -1;
        if (controller != null) {
            controller.close();
            controller = null;
        }
        if (up) {
            for (PendingAppend p : inFlight) {
                p.future.completeExceptionally(new NotControllerException("Leadership lost"));
            }
        }
        return inFlight;
    }

    /** An entry of this node's own former term, committed after it stepped down. */
    void appendCommitted(LogEntry entry) {
        if (entry.offset() == logEndOffset() + 1) {
            log.add(entry);
            scheduleApply();
        }
    }

    /** Brings this node's log up to {@code upTo} from the committed log (what Raft's vote rule guarantees a new leader holds). */
    void catchUpFrom(CommittedLog committed, long upTo) {
        for (long offset = logEndOffset() + 1; offset <= upTo; offset++) {
            log.add(committed.get(offset));
        }
    }

    private void commitOne(int epoch) {
        if (!isLeader() || leaderEpoch != epoch || pending.isEmpty()) {
            return;
        }
        PendingAppend append = pending.poll();
        LogEntry entry = sim.committed().append(epoch, append.batch());
        if (entry.offset() == logEndOffset() + 1) {
            log.add(entry);
        }
        applyCommitted();
        append.future().complete(entry.offset());
    }

    /** The controller's view of this node's log. */
    private final class NodeLog implements MetadataLog {
        @Override
        public MetadataImage image() {
            return image;
        }

        @Override
        public boolean isLeader() {
            return ControllerNode.this.isLeader();
        }

        @Override
        public CompletableFuture<Long> append(List<MetadataRecord> records) {
            if (!isLeader()) {
                return CompletableFuture.failedFuture(new NotControllerException("Not the leader: nodeId=" + id));
            }
            PendingAppend append = new PendingAppend(leaderEpoch, MetadataRecordSerde.serializeBatch(records),
                    new CompletableFuture<>());
            pending.add(append);
            if (bug == InjectedBug.ACK_BEFORE_COMMIT) {
                append.future().complete(sim.committed().lastOffset() + pending.size());
            }
            int epoch = leaderEpoch;
            sim.scheduler().schedule(sim.commitDelayMs(), () -> commitOne(epoch));
            return append.future();
        }
    }

    // ---- replication ----

    /** Follower: asks the leader for what follows its log. */
    void maybeFetch() {
        int leaderId = sim.leaderId();
        if (up && !isLeader() && leaderId >= 0) {
            sim.network().send(id, leaderId, new SimMessage.Fetch(id, logEndOffset() + 1));
        }
    }

    private void onFetch(SimMessage.Fetch fetch) {
        if (!isLeader()) {
            return;
        }
        if (fetch.fetchOffset() < logStartOffset) {
            sim.network().send(id, fetch.followerId(), new SimMessage.FetchSnapshot(leaderEpoch, snapshot));
        } else if (fetch.fetchOffset() <= logEndOffset()) {
            int from = (int) (fetch.fetchOffset() - logStartOffset);
            int to = Math.min(log.size(), from + MAX_FETCH_ENTRIES);
            sim.network().send(id, fetch.followerId(),
                    new SimMessage.FetchEntries(leaderEpoch, List.copyOf(log.subList(from, to))));
        }
    }

    private void onEntries(SimMessage.FetchEntries answer) {
        if (isLeader() || answer.entries().isEmpty() || answer.entries().get(0).offset() != logEndOffset() + 1) {
            return;
        }
        log.addAll(answer.entries());
        scheduleApply();
    }

    private void onSnapshot(SimMessage.FetchSnapshot answer) {
        Snapshot installed = answer.snapshot();
        if (isLeader() || installed.offset() <= logEndOffset()) {
            return;
        }
        snapshot = installed;
        log.clear();
        logStartOffset = installed.offset() + 1;
        image = installed.loadOver(image);
        appliedOffset = installed.offset();
        snapshotsInstalled++;
    }

    private void scheduleApply() {
        if (!applyScheduled) {
            applyScheduled = true;
            sim.scheduler().schedule(sim.random().nextInt((int) MAX_APPLY_DELAY_MS + 1), () -> {
                applyScheduled = false;
                if (up) {
                    applyCommitted();
                }
            });
        }
    }

    /** Applies every entry of the log after the applied offset, in order. */
    private void applyCommitted() {
        while (appliedOffset < logEndOffset()) {
            LogEntry entry = entry(appliedOffset + 1);
            List<MetadataRecord> records = entry.records();
            if (bug == InjectedBug.FOLLOWER_SKIPS_A_RECORD && id == 1 && !isLeader() && records.size() > 1) {
                records = records.subList(0, records.size() - 1);
            }
            image = applyBatch(image, entry.offset(), records);
            appliedOffset = entry.offset();
        }
    }

    /** Applies one batch all or nothing, as the state machine does: a batch that cannot apply leaves the image. */
    private static MetadataImage applyBatch(MetadataImage base, long offset, List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(base);
        try {
            delta.replayAll(records);
        } catch (MetadataReplayException e) {
            return base;
        }
        return delta.apply(offset);
    }

    // ---- snapshots and restarts ----

    /** Snapshots the applied image; half the time also drops the log it covers. */
    void maybeSnapshot() {
        if (!up || appliedOffset == 0 || (snapshot != null && snapshot.offset() >= appliedOffset)) {
            return;
        }
        List<MetadataRecord> records = image.toRecords();
        if (bug == InjectedBug.SNAPSHOT_DROPS_CONFIGS) {
            records = records.stream().filter(r -> !(r instanceof ConfigRecord)).toList();
        }
        snapshot = Snapshot.of(appliedOffset, records);
        if (sim.random().nextBoolean()) {
            log.subList(0, (int) (appliedOffset + 1 - logStartOffset)).clear();
            logStartOffset = appliedOffset + 1;
        }
    }

    /** What a restart rebuilds: the snapshot loaded over {@code base}, then the log up to {@code upTo}. */
    MetadataImage rebuildFromDurable(MetadataImage base, long upTo) {
        MetadataImage rebuilt = snapshot == null ? MetadataImage.EMPTY : snapshot.loadOver(base);
        return replayLog(rebuilt, snapshot == null ? 0 : snapshot.offset(), upTo);
    }

    /** Replays this node's log entries {@code (from, upTo]} on {@code image}, as the state machine applies them. */
    MetadataImage replayLog(MetadataImage image, long from, long upTo) {
        MetadataImage replayed = image;
        for (long offset = from + 1; offset <= upTo; offset++) {
            replayed = applyBatch(replayed, offset, entry(offset).records());
        }
        return replayed;
    }

    @Override
    public void crash() {
        up = false;
        sim.network().setUp(id, false);
        if (leaderEpoch >= 0) {
            sim.onLeaderLost(this);
        }
        image = null;
        appliedOffset = -1;
        applyScheduled = false;
    }

    @Override
    public void restart() {
        up = true;
        sim.network().setUp(id, true);
        long upTo = logEndOffset();
        image = rebuildFromDurable(MetadataImage.EMPTY, upTo);
        appliedOffset = upTo;
        MetadataImage again = rebuildFromDurable(image, upTo);
        if (!again.equals(image)) {
            throw new AssertionError("Replay is not idempotent on restart: nodeId=" + id + " first=" + image
                    + " second=" + again);
        }
    }

    // ---- requests ----

    void onMessage(int source, SimMessage message) {
        if (message instanceof SimMessage.Fetch m) {
            onFetch(m);
        } else if (message instanceof SimMessage.FetchEntries m) {
            onEntries(m);
        } else if (message instanceof SimMessage.FetchSnapshot m) {
            onSnapshot(m);
        } else if (message instanceof SimMessage.Request m) {
            onRequest(source, m);
        } else {
            throw new IllegalArgumentException("Unexpected message: " + message);
        }
    }

    private void onRequest(int client, SimMessage.Request request) {
        if (controller == null || !isLeader()) {
            respond(client, request, SimMessage.Outcome.of(Errors.NOT_CONTROLLER));
            return;
        }
        ControllerRequests.send(controller, request.op(), outcome -> respond(client, request, outcome));
    }

    /**
     * Answers a client. The acknowledged offset is the applied offset now: the controller answers
     * an operation right after its batch applied here and starts the next one only then, so this
     * is the operation's own offset (or, with nothing to append, the image it was checked against).
     */
    private void respond(int client, SimMessage.Request request, SimMessage.Outcome outcome) {
        if (!up) {
            return;
        }
        sim.network().send(id, client, new SimMessage.Response(request.attemptId(), outcome, appliedOffset));
    }

    @Override
    public String toString() {
        return "ControllerNode(id=" + id + ", up=" + up + ", leaderEpoch=" + leaderEpoch + ", appliedOffset="
                + appliedOffset + ", log=[" + logStartOffset + ".." + logEndOffset() + "], snapshot=" + snapshot + ")";
    }
}
