package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.record.MetadataFormatException;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of the metadata quorum: applies each committed log entry (one
 * {@link MetadataRecordSerde} batch) to the current {@link MetadataImage}, writes and loads
 * snapshots ({@link SnapshotFile} in Ratis' {@link SimpleStateMachineStorage} directory).
 *
 * <p>Threads: Ratis calls {@link #applyTransaction}, {@link #takeSnapshot} and
 * {@link #reinitialize} on its single apply thread, and {@link #initialize} on a start-up thread
 * before any apply. The image is published through a volatile field, so any thread
 * may read {@link #image()}; only those Ratis threads write it. Each new image is then handed,
 * with its delta, to the {@link MetadataPublisher}, which tells the listener on its own thread: the
 * apply thread never waits on a listener.
 *
 * <p>A batch that does not parse or apply is rejected whole: the image stays, the entry still
 * counts as applied (every node rejects it alike) and the appender gets a rejection reply:
 * <pre>
 * | offset                | size | field                                        |
 * |-----------------------|------|----------------------------------------------|
 * | REPLY_STATUS_OFFSET=0 | 1    | STATUS_APPLIED or STATUS_REJECTED            |
 * | REPLY_BODY_OFFSET=1   | ...  | applied: int64 log index; rejected: UTF-8 why |
 * </pre>
 *
 * <p>Survives a crash: the snapshots on disk; everything after the latest one is replayed from the
 * Ratis log.
 */
final class MetadataStateMachine extends BaseStateMachine {

    private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);

    static final int REPLY_STATUS_OFFSET = 0;
    static final int REPLY_BODY_OFFSET = 1;
    static final byte STATUS_APPLIED = 0;
    static final byte STATUS_REJECTED = 1;

    /** Role changes the quorum reacts to; called on Ratis threads, must not block. */
    interface Events {
        void onLeaderChanged(RaftPeerId leaderId);

        /** This node leads and has applied everything committed before its term. */
        void onLeaderReady();

        void onImage(MetadataImage image);

        /**
         * The entry appended by {@code (clientId, callId)} was applied at {@code index}, or
         * rejected when {@code rejection} is non-null.
         */
        void onApplied(ByteString clientId, long callId, long index, String rejection);

        /** Ratis could not write (or read) the metadata log: its directory failed. */
        void onLogFailed(Throwable cause);
    }

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final MetadataPublisher publisher;
    private final Events events;
    private final LeaderRequests leaderRequests;
    private final ObserverFetches observerFetches;
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile boolean formatting;

    /** Ratis' log worker failed to write an entry (an I/O error of the metadata log directory). */
    @Override
    public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
        events.onLogFailed(cause);
    }

    MetadataStateMachine(MetadataPublisher publisher, Events events, LeaderRequests leaderRequests,
                         ObserverFetches observerFetches) {
        this.publisher = Objects.requireNonNull(publisher);
        this.events = Objects.requireNonNull(events);
        this.leaderRequests = Objects.requireNonNull(leaderRequests);
        this.observerFetches = Objects.requireNonNull(observerFetches);
    }

    MetadataImage image() {
        return image;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * Tells this state machine that its server formats new storage (a node's first start): then
     * {@link #initialize} writes the {@link #STARTING_POINT} snapshot before anything else. Call
     * before the server is built.
     */
    void formatting() {
        formatting = true;
    }

    /**
     * Where every voter's log begins in a quorum of several: a snapshot of the empty image at term 0,
     * index 0, which each voter writes when it formats its storage, so the first log entry of every
     * voter is index 1. (A lone voter needs none: no other voter can write its own index 0. Its log
     * starts at index 0 with Ratis' configuration entry, so its first metadata entry is at index 1
     * too, where an observer starts fetching.)
     *
     * <p>Why: without it, two voters that both win an election in the first moments (terms 1 and 2)
     * each write their own entry at index 0. Ratis' leader then sends its heartbeats to the voter
     * holding the other one with no previous entry, which lets that voter count index 0, its own
     * divergent entry, as committed (the commit index of a heartbeat without a previous entry is
     * taken as 0); from then on it refuses every append from index 0 as already committed and every
     * append from index 1 for a missing previous entry, so it never catches up and the quorum runs
     * one voter short until that voter's storage is wiped. With the common snapshot, index 0 is the
     * same on every voter and the leader's appends always name a previous entry the voters hold.
     */
    static final TermIndex STARTING_POINT = TermIndex.valueOf(0, 0);

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        getLifeCycle().startAndTransition(() -> {
            super.initialize(server, groupId, raftStorage);
            storage.init(raftStorage);
            if (formatting && storage.getLatestSnapshot() == null) {
                writeSnapshot(MetadataDelta.replacing(MetadataImage.EMPTY).apply(STARTING_POINT.getIndex()),
                        STARTING_POINT);
            }
            loadSnapshot(storage.getLatestSnapshot());
        });
    }

    @Override
    public void pause() {
        if (getLifeCycle().getCurrentState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** After the leader installed a snapshot here: load it in place of the current image. */
    @Override
    public void reinitialize() throws IOException {
        loadSnapshot(storage.loadLatestSnapshot());
        if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        SnapshotFile.Contents contents = SnapshotFile.read(file.toPath());
        MetadataDelta delta = contents.replacing(image);
        setLastAppliedTermIndex(snapshot.getTermIndex());
        publish(delta, delta.image());
        log.info("Loaded metadata snapshot: file={} index={} topics={} brokers={}", file.getName(),
                snapshot.getIndex(), delta.image().topics().size(), delta.image().brokers().size());
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        StateMachineLogEntryProto smEntry = entry.getStateMachineLogEntry();
        ByteString data = smEntry.getLogData();
        Message reply;
        String rejection = null;
        try {
            MetadataDelta delta = replay(image, data.asReadOnlyByteBuffer());
            MetadataImage next = delta.apply(index);
            updateLastAppliedTermIndex(entry.getTerm(), index);
            publish(delta, next);
            reply = applied(index);
        } catch (MetadataFormatException | MetadataReplayException e) {
            log.error("Rejected metadata batch: index={} term={} bytes={} reason={}", index, entry.getTerm(),
                    data.size(), e.getMessage());
            updateLastAppliedTermIndex(entry.getTerm(), index);
            rejection = String.valueOf(e.getMessage());
            reply = rejected(rejection);
        }
        events.onApplied(smEntry.getClientId(), smEntry.getCallId(), index, rejection);
        return CompletableFuture.completedFuture(reply);
    }

    /**
     * The delta one committed batch makes to {@code image}; the caller applies it at the batch's
     * log index. Voters and observers ({@link MetadataObserver}) replay batches through this alone.
     *
     * @throws MetadataFormatException when the batch does not parse
     * @throws MetadataReplayException when it does not apply to {@code image}
     */
    static MetadataDelta replay(MetadataImage image, ByteBuffer batch) {
        List<MetadataRecord> records = MetadataRecordSerde.deserializeBatch(batch);
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(records);
        return delta;
    }

    private void publish(MetadataDelta delta, MetadataImage next) {
        image = next;
        publisher.publish(delta, next);
        events.onImage(next);
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() <= 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest != null && latest.getIndex() >= last.getIndex()) {
            return latest.getIndex();
        }
        writeSnapshot(image, last);
        return last.getIndex();
    }

    private void writeSnapshot(MetadataImage snapshotImage, TermIndex at) throws IOException {
        File file = storage.getSnapshotFile(at.getTerm(), at.getIndex());
        SnapshotFile.write(file.toPath(), snapshotImage);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), at));
        log.info("Wrote metadata snapshot: file={} index={} topics={}", file.getName(), at.getIndex(),
                snapshotImage.topics().size());
    }

    /**
     * Two kinds of read-only request reach the leader. An empty one is a read-index query and is
     * answered with this node's applied index ({@link LeaderReadIndex#answer}): Ratis runs it once a
     * linearizable read's index is applied, so the answer is at least that index. A
     * {@link LeaderRequestFormat leader request} (sent non-linearizable, so Ratis runs it only on
     * the leader, at once) goes to the installed {@link LeaderRequestHandler}, except an observer's
     * metadata fetch, which {@link ObserverFetches} answers from the log without a handler.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        if (LeaderRequestFormat.isRequest(request)) {
            LeaderRequestFormat.Request parsed = LeaderRequestFormat.parseRequest(request);
            if (parsed.apiKey() == MetadataFetchFormat.API_KEY) {
                return CompletableFuture.completedFuture(answerFetch(parsed.data()));
            }
            return leaderRequests.answer(request);
        }
        TermIndex last = getLastAppliedTermIndex();
        return CompletableFuture.completedFuture(LeaderReadIndex.answer(last == null ? 0 : last.getIndex()));
    }

    private Message answerFetch(ByteBuffer data) {
        try {
            return LeaderRequestFormat.ok(observerFetches.answer(data));
        } catch (IOException | RuntimeException e) {
            log.warn("Could not answer a metadata fetch: error={}", e.toString());
            return LeaderRequestFormat.error(Errors.UNKNOWN_SERVER_ERROR.code(), "Metadata fetch failed: " + e);
        }
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        events.onLeaderChanged(newLeaderId);
    }

    @Override
    public void notifyLeaderReady() {
        events.onLeaderReady();
    }

    static Message applied(long index) {
        ByteBuffer body = ByteBuffer.allocate(REPLY_BODY_OFFSET + Long.BYTES);
        body.put(REPLY_STATUS_OFFSET, STATUS_APPLIED);
        body.putLong(REPLY_BODY_OFFSET, index);
        return Message.valueOf(ByteString.copyFrom(body.array()));
    }

    static Message rejected(String reason) {
        byte[] why = String.valueOf(reason).getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(REPLY_BODY_OFFSET + why.length);
        body.put(REPLY_STATUS_OFFSET, STATUS_REJECTED);
        body.put(REPLY_BODY_OFFSET, why);
        return Message.valueOf(ByteString.copyFrom(body.array()));
    }
}
