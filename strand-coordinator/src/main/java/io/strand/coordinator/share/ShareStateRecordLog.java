package io.strand.coordinator.share;

import io.strand.coordinator.runtime.CoordinatorLog;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code __share_group_state} in {@link ShareStateRecord}s, for the coordinator runtime: an append
 * encodes the records into one uncompressed batch timestamped now; a load reads every batch from the log
 * start to the log end, skipping control batches and, with a warning naming partition and offset, any
 * record it cannot read, so one bad record never costs the partition's other keys.
 *
 * <p>Thread-safe as the {@link ShareStateLog} is; holds no state.
 */
final class ShareStateRecordLog implements CoordinatorLog<ShareStateRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(ShareStateRecordLog.class);
    private static final int LOAD_READ_BYTES = 1024 * 1024;

    private final ShareStateLog log;
    private final Time time;

    ShareStateRecordLog(ShareStateLog log, Time time) {
        this.log = log;
        this.time = time;
    }

    @Override
    public CompletableFuture<Long> append(int partition, List<ShareStateRecord> records) {
        long nowMs = time.milliseconds();
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            ShareStateRecord r = records.get(i);
            simple[i] = new SimpleRecord(nowMs, ShareStateRecordSerde.serializeKey(r),
                    ShareStateRecordSerde.serializeValue(r));
        }
        return log.append(partition, MemoryRecords.withRecords(Compression.NONE, simple));
    }

    @Override
    public long load(int partition, RecordVisitor<ShareStateRecord> visitor) {
        long nextOffset = log.logStartOffset(partition);
        while (true) {
            Records records = log.read(partition, nextOffset, LOAD_READ_BYTES);
            boolean any = false;
            for (RecordBatch batch : records.batches()) {
                any = true;
                nextOffset = batch.nextOffset();
                if (batch.isControlBatch()) {
                    continue;
                }
                for (Record record : batch) {
                    ShareStateRecord decoded = decode(partition, record);
                    if (decoded != null) {
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

    private static ShareStateRecord decode(int partition, Record record) {
        if (!record.hasKey()) {
            LOG.warn("Skipping record without a key in __share_group_state-{} at offset {}", partition,
                    record.offset());
            return null;
        }
        try {
            return ShareStateRecordSerde.deserialize(record.key(), record.hasValue() ? record.value() : null);
        } catch (ShareStateRecordSerde.FormatException e) {
            LOG.warn("Skipping unreadable record in __share_group_state-{} at offset {}: {}", partition,
                    record.offset(), e.getMessage());
            return null;
        }
    }
}
