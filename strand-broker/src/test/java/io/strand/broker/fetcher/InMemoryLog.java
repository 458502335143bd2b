package io.strand.broker.fetcher;

import io.strand.storage.checkpoint.EpochEndOffset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A partition's log in memory, whole batches only: the leader's log of a {@link FakeLeader} or a
 * follower's {@link FollowerReplica}. Epochs come from the batches, as a leader-epoch cache would
 * hold them. Thread-safe (every method synchronized).
 */
final class InMemoryLog implements FollowerReplica {

    private final TopicPartition tp;
    private final Uuid topicId;
    private final List<MutableRecordBatch> batches = new ArrayList<>();
    private long logStartOffset;
    private long logEndOffset;
    private long highWatermark;

    InMemoryLog(TopicPartition tp, Uuid topicId) {
        this.tp = tp;
        this.topicId = topicId;
    }

    /** Appends one batch of {@code values} at the log end, written at {@code epoch} (-1: no epoch). */
    synchronized InMemoryLog appendBatch(int epoch, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(1_000L + i, null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        add(MemoryRecords.withRecords(logEndOffset, Compression.NONE, epoch, records));
        return this;
    }

    private void add(MemoryRecords records) {
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.baseOffset() != logEndOffset) {
                throw new IllegalStateException(tp + ": batch at " + batch.baseOffset() + ", log ends at " + logEndOffset);
            }
            ByteBuffer copy = ByteBuffer.allocate(batch.sizeInBytes());
            batch.writeTo(copy);
            copy.flip();
            batches.add(MemoryRecords.readableRecords(copy).batches().iterator().next());
            logEndOffset = batch.nextOffset();
        }
    }

    /** The leader's read: whole batches from the one holding {@code offset}, at least one, about {@code maxBytes}. */
    synchronized MemoryRecords read(long offset, int maxBytes) {
        ByteBuffer out = ByteBuffer.allocate(batches.stream().mapToInt(RecordBatch::sizeInBytes).sum());
        for (MutableRecordBatch batch : batches) {
            if (batch.lastOffset() < offset) {
                continue;
            }
            if (out.position() > 0 && out.position() + batch.sizeInBytes() > maxBytes) {
                break;
            }
            batch.writeTo(out);
        }
        out.flip();
        return MemoryRecords.readableRecords(out);
    }

    /** Drops whole batches below {@code offset} and moves the log start there (retention on a leader). */
    synchronized void deleteBefore(long offset) {
        batches.removeIf(b -> b.nextOffset() <= offset);
        logStartOffset = offset;
    }

    synchronized void setHighWatermark(long offset) {
        highWatermark = offset;
    }

    synchronized long highWatermark() {
        return highWatermark;
    }

    /** Every record as "offset:epoch:value", the form in which two logs are compared. */
    synchronized List<String> contents() {
        List<String> out = new ArrayList<>();
        for (MutableRecordBatch batch : batches) {
            for (Record record : batch) {
                out.add(record.offset() + ":" + batch.partitionLeaderEpoch() + ":"
                        + StandardCharsets.UTF_8.decode(record.value()));
            }
        }
        return out;
    }

    @Override
    public TopicPartition topicPartition() {
        return tp;
    }

    @Override
    public Uuid topicId() {
        return topicId;
    }

    @Override
    public synchronized long logStartOffset() {
        return logStartOffset;
    }

    @Override
    public synchronized long logEndOffset() {
        return logEndOffset;
    }

    @Override
    public synchronized OptionalInt latestEpoch() {
        for (int i = batches.size() - 1; i >= 0; i--) {
            if (batches.get(i).partitionLeaderEpoch() >= 0) {
                return OptionalInt.of(batches.get(i).partitionLeaderEpoch());
            }
        }
        return OptionalInt.empty();
    }

    /** As the leader-epoch cache answers: see {@code LeaderEpochCache.endOffsetFor}. */
    @Override
    public synchronized EpochEndOffset endOffsetForEpoch(int leaderEpoch) {
        List<long[]> starts = new ArrayList<>();
        for (MutableRecordBatch batch : batches) {
            int epoch = batch.partitionLeaderEpoch();
            if (epoch >= 0 && (starts.isEmpty() || starts.get(starts.size() - 1)[0] != epoch)) {
                starts.add(new long[] {epoch, batch.baseOffset()});
            }
        }
        if (leaderEpoch < 0 || starts.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (leaderEpoch == starts.get(starts.size() - 1)[0]) {
            return new EpochEndOffset(leaderEpoch, logEndOffset);
        }
        int floor = -1;
        for (int i = 0; i < starts.size(); i++) {
            if (starts.get(i)[0] <= leaderEpoch) {
                floor = i;
            }
        }
        if (floor == starts.size() - 1) {
            return EpochEndOffset.UNDEFINED;
        }
        return new EpochEndOffset(floor < 0 ? leaderEpoch : (int) starts.get(floor)[0], starts.get(floor + 1)[1]);
    }

    @Override
    public synchronized void appendAsFollower(MemoryRecords records) {
        add(records);
    }

    @Override
    public synchronized void truncateTo(long offset) {
        if (offset >= logEndOffset) {
            return;
        }
        batches.removeIf(b -> b.baseOffset() >= offset);
        logEndOffset = offset;
        highWatermark = Math.min(highWatermark, offset);
    }

    @Override
    public synchronized void truncateFullyAndStartAt(long offset) {
        batches.clear();
        logStartOffset = offset;
        logEndOffset = offset;
        highWatermark = offset;
    }

    @Override
    public synchronized void updateHighWatermark(long offset) {
        highWatermark = offset;
    }

    @Override
    public synchronized void maybeIncrementLogStartOffset(long offset) {
        long newStart = Math.min(offset, highWatermark);
        if (newStart > logStartOffset) {
            deleteBefore(newStart);
        }
    }
}
