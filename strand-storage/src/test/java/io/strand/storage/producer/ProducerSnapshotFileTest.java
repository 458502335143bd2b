package io.strand.storage.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.file.CorruptFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
