package io.strand.storage.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.checkpoint.CheckpointFile;
import io.strand.storage.checkpoint.PartitionMetadataFile;
import io.strand.storage.producer.ProducerEntry;
import io.strand.storage.producer.ProducerSnapshotFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageFilesTest {

    @TempDir
    Path tmp;

    @Test
    void checkpointFilesRoundTripAndRejectMalformedContent() throws Exception {
        Path file = tmp.resolve("cp");
        CheckpointFile.write(file, List.of("a 0 5", "b 1 7"));

        assertThat(Files.readString(file)).isEqualTo("0\n2\na 0 5\nb 1 7\n");
        assertThat(CheckpointFile.read(file, 3).orElseThrow()).hasSize(2);
        assertThat(CheckpointFile.read(tmp.resolve("missing"), 3)).isEmpty();
        assertThat(tmp.resolve("cp.tmp")).doesNotExist();

        Files.writeString(file, "0\n3\na 0 5\n");
        assertThatThrownBy(() -> CheckpointFile.read(file, 3)).isInstanceOf(CorruptFileException.class);
        Files.writeString(file, "1\n0\n");
        assertThatThrownBy(() -> CheckpointFile.read(file, 3)).isInstanceOf(CorruptFileException.class);
    }

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
    void partitionMetadataRoundTrips() throws Exception {
        Uuid id = Uuid.randomUuid();
        PartitionMetadataFile.write(tmp, id);

        assertThat(PartitionMetadataFile.read(tmp)).contains(id);
        assertThat(PartitionMetadataFile.read(tmp.resolve("nowhere"))).isEmpty();
    }

    @Test
    void namesFollowKafkasLayout() {
        assertThat(LogFileNames.logFile(tmp, 1234).getFileName().toString()).isEqualTo("00000000000000001234.log");
        assertThat(LogFileNames.offsetOf("00000000000000001234.timeindex")).isEqualTo(1234L);
        assertThat(LogFileNames.offsetOf("leader-epoch-checkpoint")).isEqualTo(-1L);
        assertThat(LogFileNames.parsePartitionDirName("my-topic-3")).contains(new TopicPartition("my-topic", 3));
        assertThat(LogFileNames.parsePartitionDirName("my-topic-3.17x1-delete")).isEmpty();
        assertThat(LogFileNames.parsePartitionDirName("nonsense")).isEmpty();
    }
}
