package io.strand.coordinator.group;

import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.CoordinatorRecordFormatException;
import io.strand.coordinator.group.record.CoordinatorRecordSerde;
import io.strand.coordinator.group.record.TopicIds;
import io.strand.coordinator.runtime.CoordinatorLog;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code __consumer_offsets} in {@link CoordinatorRecord}s, for the {@link
 * io.strand.coordinator.runtime.CoordinatorRuntime}: an append serializes the records into one
 * uncompressed batch (timestamped now) for the {@link OffsetsTopicLog} — a transactional write in a
 * transactional batch of the producer at base sequence 0, as Kafka's coordinator writes it; a marker is
 * the log's control batch. A load reads the batches back from the log start to the log end (the runtime
 * then waits until they are committed): records of transactional batches go to the visitor as such,
 * commit and abort markers as markers, and any record that cannot be read (no key, an unknown key type
 * or value version, truncated or malformed) is skipped with a warning, so one bad record never costs the
 * partition's other groups.
 *
 * <p>Thread-safe as the {@link OffsetsTopicLog} is; holds no state.
 */
final class OffsetsTopicRecordLog implements CoordinatorLog<CoordinatorRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopicRecordLog.class);
    private static final int LOAD_READ_BYTES = 1024 * 1024;
    /** Kafka's coordinators write every transactional batch at base sequence 0; the log checks no sequence. */
    private static final int COORDINATOR_BASE_SEQUENCE = 0;

    private final OffsetsTopicLog log;
    private final Time time;
    private final TopicIds topicIds;

    /** @param topicIds the cluster's topics now, for consumer group records (which name topics by id) */
    OffsetsTopicRecordLog(OffsetsTopicLog log, Time time, TopicIds topicIds) {
        this.log = log;
        this.time = time;
        this.topicIds = topicIds;
    }

    @Override
    public CompletableFuture<Long> append(int partition, List<CoordinatorRecord> records) {
        return log.append(partition, MemoryRecords.withRecords(Compression.NONE, simpleRecords(records)));
    }

    @Override
    public CompletableFuture<Long> appendTransactional(int partition, long producerId, short producerEpoch,
                                                      List<CoordinatorRecord> records) {
        return log.append(partition, MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, producerEpoch,
                COORDINATOR_BASE_SEQUENCE, simpleRecords(records)));
    }

    @Override
    public CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch,
                                                int coordinatorEpoch, boolean commit) {
        return log.appendMarker(partition, producerId, producerEpoch, coordinatorEpoch, commit);
    }

    private SimpleRecord[] simpleRecords(List<CoordinatorRecord> records) {
        long nowMs = time.milliseconds();
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            CoordinatorRecord r = records.get(i);
            simple[i] = new SimpleRecord(nowMs, CoordinatorRecordSerde.serializeKey(r.key()),
                    CoordinatorRecordSerde.serializeValue(r.value(), topicIds));
        }
        return simple;
    }

    @Override
    public long load(int partition, RecordVisitor<CoordinatorRecord> visitor) {
        long nextOffset = log.logStartOffset(partition);
        while (true) {
            Records records = log.read(partition, nextOffset, LOAD_READ_BYTES);
            boolean any = false;
            for (RecordBatch batch : records.batches()) {
                any = true;
                nextOffset = batch.nextOffset();
                if (batch.isControlBatch()) {
                    visitMarkers(partition, batch, visitor);
                    continue;
                }
                for (Record record : batch) {
                    CoordinatorRecord decoded = decode(partition, record);
                    if (decoded == null) {
                        continue;
                    }
                    if (batch.isTransactional()) {
                        visitor.visitTransactional(record.offset(), batch.producerId(), batch.producerEpoch(), decoded);
                    } else {
                        visitor.visit(record.offset(), decoded);
                    }
                }
            }
            if (!any) {
                return nextOffset;
            }
        }
    }

    @Override
    public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
        return log.awaitCommitted(partition, offset);
    }

    private static void visitMarkers(int partition, RecordBatch batch, RecordVisitor<CoordinatorRecord> visitor) {
        for (Record record : batch) {
            ControlRecordType type;
            try {
                type = ControlRecordType.parse(record.key());
            } catch (RuntimeException e) {
                LOG.warn("Skipping unreadable control record in __consumer_offsets-{} at offset {}: {}", partition,
                        record.offset(), e.toString());
                continue;
            }
            if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                visitor.visitMarker(record.offset(), batch.producerId(), batch.producerEpoch(),
                        type == ControlRecordType.COMMIT);
            }
        }
    }

    private CoordinatorRecord decode(int partition, Record record) {
        if (!record.hasKey()) {
            LOG.warn("Skipping record without a key in __consumer_offsets-{} at offset {}", partition, record.offset());
            return null;
        }
        try {
            return CoordinatorRecordSerde.deserialize(record.key(), record.value(), topicIds);
        } catch (CoordinatorRecordFormatException e) {
            LOG.warn("Skipping unreadable record in __consumer_offsets-{} at offset {}: {}", partition,
                    record.offset(), e.getMessage());
            return null;
        }
    }
}
