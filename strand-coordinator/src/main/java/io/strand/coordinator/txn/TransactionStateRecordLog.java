package io.strand.coordinator.txn;

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
 * {@code __transaction_state} in {@link TransactionRecord}s, for the
 * {@link io.strand.coordinator.runtime.CoordinatorRuntime}: an append encodes the records into one
 * uncompressed batch timestamped now (Kafka's enforced compression for the topic), values at the
 * version the finalized {@code transaction.version} calls for; a load reads the batches back from
 * the log start to the log end, skipping control batches and, with a warning naming partition and
 * offset, any record it cannot read (no key, an unknown key type or value version, truncated), as
 * Kafka skips unknown key versions, so one bad record never costs the partition's other ids.
 *
 * <p>Thread-safe as the {@link TransactionStateLog} is; holds no state.
 */
final class TransactionStateRecordLog implements CoordinatorLog<TransactionRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionStateRecordLog.class);
    private static final int LOAD_READ_BYTES = 1024 * 1024;

    private final TransactionStateLog log;
    private final Time time;
    private final FinalizedTransactionVersion transactionVersion;

    TransactionStateRecordLog(TransactionStateLog log, Time time, FinalizedTransactionVersion transactionVersion) {
        this.log = log;
        this.time = time;
        this.transactionVersion = transactionVersion;
    }

    @Override
    public CompletableFuture<Long> append(int partition, List<TransactionRecord> records) {
        long nowMs = time.milliseconds();
        short valueVersion = TransactionVersions.logValueVersion(transactionVersion.level());
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            TransactionRecord r = records.get(i);
            simple[i] = new SimpleRecord(nowMs, TransactionRecordSerde.serializeKey(r.transactionalId()),
                    TransactionRecordSerde.serializeValue(r.metadata(), valueVersion));
        }
        return log.append(partition, MemoryRecords.withRecords(Compression.NONE, simple));
    }

    @Override
    public long load(int partition, RecordVisitor<TransactionRecord> visitor) {
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
                    TransactionRecord decoded = decode(partition, record);
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

    private static TransactionRecord decode(int partition, Record record) {
        if (!record.hasKey()) {
            LOG.warn("Skipping record without a key in __transaction_state-{} at offset {}", partition,
                    record.offset());
            return null;
        }
        try {
            return TransactionRecordSerde.deserialize(record.key(), record.value());
        } catch (TransactionRecordFormatException e) {
            LOG.warn("Skipping unreadable record in __transaction_state-{} at offset {}: {}", partition,
                    record.offset(), e.getMessage());
            return null;
        }
    }
}
