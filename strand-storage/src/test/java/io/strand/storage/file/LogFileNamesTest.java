package io.strand.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFileNamesTest {

    @TempDir
    Path tmp;

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
