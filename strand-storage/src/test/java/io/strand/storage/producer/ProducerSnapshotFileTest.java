package io.strand.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.file.CorruptFileException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerSnapshotFileTest {

    @TempDir
    Path tmp;

    @Test
    void producerSnapshotsRoundTripAndDetectCorruption() throws Exception {
        ProducerEntry a = new ProducerEntry(7L, (short) 2);
        for (int i = 0; i < 7; i++) {
            a.addBatch((short) 2, new ProducerEntry.BatchMetadata(i * 3, i * 3 + 2, 100 + i * 3, 102 + i * 3, 5000 + i));
        }
        ProducerEntry b = new ProducerEntry(9L, (short) 0);
        Path file = tmp.resolve("00000000000000000123.snapshot");

        ProducerSnapshotFile.write(file, List.of(a, b));
        List<ProducerEntry> read = ProducerSnapshotFile.read(file);

        assertThat(read).hasSize(2);
        assertThat(read.get(0).producerId()).isEqualTo(7L);
        assertThat(read.get(0).producerEpoch()).isEqualTo((short) 2);
        assertThat(read.get(0).batches()).isEqualTo(a.batches()).hasSize(ProducerEntry.BATCHES_TO_RETAIN);
        assertThat(read.get(1).batches()).isEmpty();

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 1;
        Files.write(file, bytes);
        assertThatThrownBy(() -> ProducerSnapshotFile.read(file)).isInstanceOf(CorruptFileException.class)
                .hasMessageContaining("crc=");
    }

    @Test
    void transactionStateAndLastTimestampRoundTrip() throws Exception {
        ProducerEntry a = new ProducerEntry(7L, (short) 2);
        a.addBatch((short) 2, new ProducerEntry.BatchMetadata(0, 1, 40, 41, 5000));
        a.setTransactionState(9, 40L);
        a.setLastTimestampMs(6000);
        Path file = tmp.resolve("00000000000000000042.snapshot");

        ProducerSnapshotFile.write(file, List.of(a));
        ProducerEntry read = ProducerSnapshotFile.read(file).get(0);

        assertThat(Files.readAllBytes(file)).hasSize(ProducerSnapshotFile.HEADER_BYTES
                + ProducerSnapshotFile.PRODUCER_FIXED_BYTES + ProducerSnapshotFile.BATCH_BYTES);
        assertThat(read.coordinatorEpoch()).isEqualTo(9);
        assertThat(read.currentTxnFirstOffset()).isEqualTo(40L);
        assertThat(read.lastTimestampMs()).isEqualTo(6000L);
        assertThat(read.batches()).isEqualTo(a.batches());
    }

    @Test
    void versionOneSnapshotsAreStillRead() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(10 + 23 + 28);
        buf.putShort((short) 1).putInt(0).putInt(1);
        buf.putLong(7L).putShort((short) 2).putInt(3).putLong(-1L).put((byte) 1);
        buf.putInt(0).putInt(4).putLong(104L).putInt(4).putLong(5000L);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 6, buf.capacity() - 6);
        buf.putInt(2, (int) crc.getValue());
        Path file = tmp.resolve("00000000000000000105.snapshot");
        Files.write(file, buf.array());

        ProducerEntry read = ProducerSnapshotFile.read(file).get(0);

        assertThat(read.producerId()).isEqualTo(7L);
        assertThat(read.coordinatorEpoch()).isEqualTo(3);
        assertThat(read.currentTxnFirstOffset()).isEqualTo(-1L);
        assertThat(read.batches()).containsExactly(new ProducerEntry.BatchMetadata(0, 4, 100, 104, 5000));
        assertThat(read.lastTimestampMs()).isEqualTo(5000L);
    }
}
