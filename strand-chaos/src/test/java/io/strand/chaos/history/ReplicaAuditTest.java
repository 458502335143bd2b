package io.strand.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaAuditTest {

    @TempDir
    Path dir;

    @Test
    void agreeingReplicasWithSequencesInOrderHaveNoFindings() throws IOException {
        for (int node = 1; node <= 2; node++) {
            writeSegment(node, 0, batch(0, 7L, (short) 0, 0, 2), batch(2, 7L, (short) 0, 2, 3));
        }

        ReplicaAudit audit = ReplicaAudit.read(logDirs(2), "t", 1);

        assertThat(audit.partition(0).get(1)).hasSize(2);
        assertThat(audit.divergences(10)).isEmpty();
        assertThat(audit.sequenceBreaks(10)).isEmpty();
    }

    @Test
    void aRepeatedSequenceRangeAndANewEpochAreSequenceBreaks() throws IOException {
        // seq 0..1, seq 2..3, then 0..1 again in the same epoch (a duplicate the broker wrote), then a new epoch
        writeSegment(1, 0, batch(0, 7L, (short) 0, 0, 2), batch(2, 7L, (short) 0, 2, 2),
                batch(4, 7L, (short) 0, 0, 2), batch(6, 7L, (short) 1, 0, 1));

        List<String> breaks = ReplicaAudit.read(logDirs(1), "t", 1).sequenceBreaks(10);

        assertThat(breaks).hasSize(2);
        assertThat(breaks.get(0)).contains("[4..5] pid 7 epoch 0 seq 0..1").contains("after [2..3]");
        assertThat(breaks.get(1)).contains("[6..6] pid 7 epoch 1 seq 0..0");
    }

    @Test
    void replicasHoldingDifferentBatchesBelowTheirCommonEndDiverge() throws IOException {
        writeSegment(1, 0, batch(0, 7L, (short) 0, 0, 2), batch(2, 7L, (short) 0, 2, 2));
        writeSegment(2, 0, batch(0, 7L, (short) 0, 0, 2), batch(2, 8L, (short) 0, 0, 2), batch(4, 8L, (short) 0, 2, 1));

        List<String> divergences = ReplicaAudit.read(logDirs(2), "t", 1).divergences(10);

        assertThat(divergences).singleElement().asString().contains("p0 nodes 1 and 2")
                .contains("node 1 has [2..3] pid 7").contains("node 2 has [2..3] pid 8");
    }

    @Test
    void aFollowerThatIsBehindDoesNotDiverge() throws IOException {
        writeSegment(1, 0, batch(0, 7L, (short) 0, 0, 2), batch(2, 7L, (short) 0, 2, 2));
        writeSegment(2, 0, batch(0, 7L, (short) 0, 0, 2));

        assertThat(ReplicaAudit.read(logDirs(2), "t", 1).divergences(10)).isEmpty();
    }

    @Test
    void theOriginOfAnOffsetIsItsBatchsProducerIdAndEpochFromTheFirstCopyHoldingIt() throws IOException {
        writeSegment(1, 0, batch(0, 7L, (short) 0, 0, 2), batch(2, 7L, (short) 0, 2, 2));
        writeSegment(2, 0, batch(0, 7L, (short) 0, 0, 2), batch(2, 7L, (short) 0, 2, 2), batch(4, 7L, (short) 1, 0, 3));

        ReplicaAudit audit = ReplicaAudit.read(logDirs(2), "t", 1);

        assertThat(audit.at(0, 3)).isEqualTo(new BatchOrigins.Origin(7L, (short) 0));
        assertThat(audit.at(0, 6)).isEqualTo(new BatchOrigins.Origin(7L, (short) 1));
        assertThat(audit.at(0, 7)).isNull();
        assertThat(audit.at(1, 0)).isNull();
    }

    private Map<Integer, Path> logDirs(int nodes) {
        return nodes == 1 ? Map.of(1, dir.resolve("n1")) : Map.of(1, dir.resolve("n1"), 2, dir.resolve("n2"));
    }

    private void writeSegment(int node, long baseOffset, MemoryRecords... batches) throws IOException {
        Path partition = dir.resolve("n" + node).resolve("t-0");
        Files.createDirectories(partition);
        int size = 0;
        for (MemoryRecords b : batches) {
            size += b.sizeInBytes();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (MemoryRecords b : batches) {
            all.put(b.buffer().duplicate());
        }
        Files.write(partition.resolve(String.format("%020d.log", baseOffset)), all.array());
    }

    private static MemoryRecords batch(long offset, long producerId, short epoch, int sequence, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(("v" + (sequence + i)).getBytes());
        }
        return MemoryRecords.withIdempotentRecords(offset, Compression.NONE, producerId, epoch, sequence, 0, records);
    }
}
