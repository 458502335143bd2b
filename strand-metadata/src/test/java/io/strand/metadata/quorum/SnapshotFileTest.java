package io.strand.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataDeltaTest;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.MetadataFormatException;
import io.strand.metadata.record.ProducerIdsRecord;
import io.strand.metadata.record.TopicRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {

    @TempDir
    Path dir;

    private final MetadataImage image = MetadataDeltaTest.apply(MetadataImage.EMPTY, 42,
            new ClusterIdRecord("cid"),
            new TopicRecord("t", new Uuid(1, 1)),
            MetadataDeltaTest.partition(new Uuid(1, 1), 0, 1),
            new ConfigRecord(ConfigResource.Type.TOPIC, "t", "retention.ms", "10"),
            new ProducerIdsRecord(1, 3000));

    @Test
    void loadsTheImageItWrote() throws Exception {
        Path file = dir.resolve("snapshot.1_42");
        SnapshotFile.write(file, image);

        SnapshotFile.Contents contents = SnapshotFile.read(file);
        MetadataDelta delta = contents.replacing(MetadataImage.EMPTY);
        assertThat(contents.appliedOffset()).isEqualTo(42);
        assertThat(delta.image()).isEqualTo(image);
        assertThat(delta.createdTopics()).extracting(TopicImage::name).containsExactly("t");
        assertThat(Files.list(dir)).containsExactly(file);
    }

    @Test
    void refusesAFlippedByte() throws Exception {
        Path file = dir.resolve("snapshot.1_42");
        SnapshotFile.write(file, image);
        byte[] bytes = Files.readAllBytes(file);
        bytes[SnapshotFile.BATCH_OFFSET + 3] ^= 0x10;
        Files.write(file, bytes);

        assertThatThrownBy(() -> SnapshotFile.read(file))
                .isInstanceOf(MetadataFormatException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void refusesATruncatedFile() throws Exception {
        Path file = dir.resolve("snapshot.1_42");
        SnapshotFile.write(file, image);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));

        assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(MetadataFormatException.class);
    }
}
