package io.strand.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataDeltaTest;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.BrokerRegistrationChangeRecord;
import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.MetadataFormatException;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.ProducerIdsRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.TopicRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
    void keepsLogDirectoriesOfBrokersAndReplicas() throws Exception {
        Uuid dirA = new Uuid(9, 101);
        Uuid dirB = new Uuid(9, 102);
        MetadataImage placed = MetadataDeltaTest.apply(image, 43,
                new RegisterBrokerRecord(1, new Uuid(8, 8), List.of(), null, 5L, false, false, List.of(dirA, dirB)),
                new BrokerRegistrationChangeRecord(1, 5L, false, false, List.of(dirB)),
                new PartitionRecord(new Uuid(1, 1), 0, List.of(1), List.of(1), 1, 0, 0, List.of(), List.of(),
                        List.of(dirA)));
        Path file = dir.resolve("snapshot.1_43");
        SnapshotFile.write(file, placed);

        MetadataImage read = SnapshotFile.read(file).replacing(MetadataImage.EMPTY).image();

        assertThat(read).isEqualTo(placed);
        assertThat(read.brokers().get(1).logDirs()).containsExactly(dirB);
        assertThat(read.topics().byName("t").orElseThrow().partitions().get(0).directory(1)).isEqualTo(dirA);
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
