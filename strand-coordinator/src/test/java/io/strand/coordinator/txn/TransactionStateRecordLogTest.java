package io.strand.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class TransactionStateRecordLogTest {

    private final InMemoryTransactionStateLog log = new InMemoryTransactionStateLog();
    private final ManualTime time = new ManualTime();
    private short level = TransactionVersions.TV_0;
    private final TransactionStateRecordLog records = new TransactionStateRecordLog(log, time, () -> level);

    private static TransactionMetadata ongoing() {
        return new TransactionMetadata(9L, 8L, -1L, (short) 1, (short) -1, (short) -1, 1000,
                TransactionState.ONGOING, Set.of(new TopicPartition("t", 0)), 5L, 4L, (short) 0);
    }

    @Test
    void theValueVersionFollowsTheFinalizedTransactionVersion() {
        records.append(0, List.of(new TransactionRecord("a", ongoing()))).join();
        level = TransactionVersions.TV_2;
        records.append(0, List.of(new TransactionRecord("a", ongoing()))).join();

        List<Record> written = log.records(0);

        assertThat(written.get(0).value().getShort(0)).isZero();
        assertThat(written.get(1).value().getShort(0)).isEqualTo((short) 1);
        assertThat(written.get(1).timestamp()).isEqualTo(time.milliseconds());
    }

    @Test
    void unreadableRecordsAreSkippedOnLoad() {
        records.append(0, List.of(new TransactionRecord("a", ongoing()), TransactionRecord.tombstone("b"))).join();
        log.append(0, MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(1L, new byte[] {0, 9}, new byte[] {0, 0}),
                new SimpleRecord(1L, TransactionRecordSerde.serializeKey("c"), new byte[] {0, 7}),
                new SimpleRecord(1L, (byte[]) null, new byte[] {1}))).join();
        records.append(0, List.of(new TransactionRecord("d", ongoing()))).join();
        List<String> loaded = new ArrayList<>();

        long end = records.load(0, (offset, record) -> loaded.add(record.transactionalId() + "@" + offset));

        assertThat(loaded).containsExactly("a@0", "b@1", "d@5");
        assertThat(end).isEqualTo(6);
    }
}
