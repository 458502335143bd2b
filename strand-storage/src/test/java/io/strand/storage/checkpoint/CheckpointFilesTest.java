package io.strand.storage.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.file.CorruptFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {

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
    void partitionMetadataRoundTrips() throws Exception {
        Uuid id = Uuid.randomUuid();
        PartitionMetadataFile.write(tmp, id);

        assertThat(PartitionMetadataFile.read(tmp)).contains(id);
        assertThat(PartitionMetadataFile.read(tmp.resolve("nowhere"))).isEmpty();
    }
}
