package io.strand.storage;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.TOPIC_ID;
import static io.strand.storage.LogFixture.TP;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.batch;
import static io.strand.storage.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.file.LogFileNames;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * I/O errors in a log directory: the operation fails with KAFKA_STORAGE_ERROR, the directory is
 * reported once to the manager's failure channel, and once taken offline it is not written again.
 * Failures are made real: a file the log needs is replaced by a directory.
 */
class LogDirFailureTest {

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    /** Segments of about one small batch each, so the second append rolls. */
    private static final LogConfig SMALL_SEGMENTS = config(TopicConfig.SEGMENT_BYTES_CONFIG, 100);

    @Test
    void failedRollAnswersStorageErrorAndReportsTheDirectoryOnce() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        log.appendAsLeader(batch(START_MS, "a", "b", "c"), 0);
        Files.createDirectories(LogFileNames.logFile(fx.partitionDir(), 3).resolve("in-the-way"));

        assertThatThrownBy(() -> log.appendAsLeader(batch(START_MS, "d"), 0))
                .isInstanceOf(KafkaStorageException.class)
                .satisfies(e -> assertThat(Errors.forException(e)).isEqualTo(Errors.KAFKA_STORAGE_ERROR))
                .hasMessageContaining("partition=" + TP);
        assertThatThrownBy(() -> log.appendAsLeader(batch(START_MS, "e"), 0))
                .isInstanceOf(KafkaStorageException.class);

        LogDirFailureChannel channel = fx.manager.logDirFailureChannel();
        assertThat(channel.offlineLogDirs()).containsExactly(fx.dataDir);
        assertThat(channel.pollNextOfflineLogDir(0)).isEqualTo(fx.dataDir);
        assertThat(channel.pollNextOfflineLogDir(0)).isNull();
    }

    @Test
    void failedCheckpointWriteReportsTheDirectory() throws IOException {
        fx.log(LogConfig.defaults()).appendAsLeader(batch(START_MS, "a"), 0);
        Path checkpoint = fx.dataDir.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT);
        Files.deleteIfExists(checkpoint);
        Files.createDirectories(checkpoint.resolve("in-the-way"));

        fx.manager.writeCheckpoints();

        assertThat(fx.manager.logDirFailureChannel().offlineLogDirs()).containsExactly(fx.dataDir);
    }

    @Test
    void failedLeaderEpochCheckpointAnswersStorageErrorAndReportsTheDirectory() throws IOException {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(batch(START_MS, "a"), 0);
        Path checkpoint = fx.partitionDir().resolve(LogFileNames.LEADER_EPOCH_CHECKPOINT);
        Files.deleteIfExists(checkpoint);
        Files.createDirectories(checkpoint.resolve("in-the-way"));

        assertThatThrownBy(() -> log.assignEpochStartOffset(1, 1L)).isInstanceOf(KafkaStorageException.class);

        assertThat(fx.manager.logDirFailureChannel().offlineLogDirs()).containsExactly(fx.dataDir);
    }

    @Test
    void closeDoesNotWriteADirectoryReportedFailedBeforeItsHandlerRan() throws IOException {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        log.appendAsLeader(batch(START_MS, "a", "b", "c"), 0);
        Files.createDirectories(LogFileNames.logFile(fx.partitionDir(), 3).resolve("in-the-way"));
        assertThatThrownBy(() -> log.appendAsLeader(batch(START_MS, "d"), 0))
                .isInstanceOf(KafkaStorageException.class);
        Path recoveryCheckpoint = fx.dataDir.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT);
        Files.deleteIfExists(recoveryCheckpoint);

        fx.manager.close();

        assertThat(recoveryCheckpoint).doesNotExist();
        assertThat(fx.dataDir.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER)).doesNotExist();
    }

    @Test
    void offlineDirectoryIsNotWrittenAgainAndRecoversAtTheNextStart() throws Exception {
        PartitionLog log = fx.log(SMALL_SEGMENTS);
        log.appendAsLeader(batch(START_MS, "a", "b", "c"), 0);
        log.updateHighWatermark(3L);
        Path inTheWay = LogFileNames.logFile(fx.partitionDir(), 3);
        Files.createDirectories(inTheWay.resolve("in-the-way"));
        assertThatThrownBy(() -> log.appendAsLeader(batch(START_MS, "d"), 0))
                .isInstanceOf(KafkaStorageException.class);
        Path failed = fx.manager.logDirFailureChannel().pollNextOfflineLogDir(0);
        Path recoveryCheckpoint = fx.dataDir.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT);
        boolean checkpointedBefore = Files.exists(recoveryCheckpoint);

        assertThat(fx.manager.handleLogDirFailure(failed)).containsExactly(TP);
        assertThat(fx.manager.handleLogDirFailure(failed)).isEmpty();
        assertThat(fx.manager.getLog(TP)).isEmpty();
        assertThat(fx.manager.onlineLogDirs()).isEmpty();
        assertThatThrownBy(() -> fx.manager.getOrCreateLog(TP, TOPIC_ID, SMALL_SEGMENTS))
                .isInstanceOf(KafkaStorageException.class);
        fx.manager.writeCheckpoints();
        fx.manager.close();

        assertThat(Files.exists(recoveryCheckpoint)).isEqualTo(checkpointedBefore);
        assertThat(fx.dataDir.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER)).doesNotExist();
        Files.delete(inTheWay.resolve("in-the-way"));
        Files.delete(inTheWay);
        fx.crashAndRestartWithoutAbandon();
        PartitionLog reopened = fx.log(SMALL_SEGMENTS);
        assertThat(values(reopened.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records()))
                .containsExactly("a", "b", "c");
        reopened.appendAsLeader(batch(START_MS, "d"), 0);
        assertThat(reopened.logEndOffset()).isEqualTo(4L);
    }
}
