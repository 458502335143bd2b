package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import io.strand.storage.file.StorageFiles;
import io.strand.storage.log.LogConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogDirFailureHandlerTest {

    private static final TopicPartition IN_A = new TopicPartition("events", 0);
    private static final TopicPartition IN_B = new TopicPartition("events", 1);

    private Path root;
    private Path dirA;
    private Path dirB;
    private Path metadataDir;
    private LogManager logManager;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createTempDirectory("strand-dir-failure");
        metadataDir = root.resolve("meta");
        dirA = root.resolve("a");
        dirB = root.resolve("b");
    }

    private void start(List<Path> dirs) {
        logManager = new LogManager(new LogManagerConfig(dirs, 300_000L, 1_000L, 60_000,
                86_400_000).withCleaner(false, 1024 * 1024, Double.MAX_VALUE, 15_000L), Time.SYSTEM);
        logManager.startup();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (logManager != null) {
            logManager.close();
        }
        StorageFiles.deleteRecursively(root);
    }

    /** What the broker's listener is told. */
    private record Offline(Path dir, Optional<Uuid> directoryId, Set<TopicPartition> partitions) {
    }

    @Test
    void oneOfTwoDirectoriesFailingTakesItsPartitionsOfflineWithoutHalting() throws Exception {
        start(List.of(dirA, dirB));
        logManager.getOrCreateLog(IN_A, Uuid.randomUuid(), LogConfig.defaults());
        logManager.getOrCreateLog(IN_B, Uuid.randomUuid(), LogConfig.defaults());
        Uuid idA = logManager.directoryIds().get(dirA);
        CompletableFuture<Integer> halted = new CompletableFuture<>();
        CompletableFuture<Offline> told = new CompletableFuture<>();
        try (LogDirFailureHandler handler = new LogDirFailureHandler(logManager, metadataDir, halted::complete)) {
            handler.setListener((dir, id, partitions) -> told.complete(new Offline(dir, id, partitions)));
            handler.start();

            logManager.logDirFailureChannel().onStorageFailure(dirA, "Append failed: partition=" + IN_A,
                    new IOException("Input/output error"));

            assertThat(told.get(10, TimeUnit.SECONDS)).isEqualTo(new Offline(dirA, Optional.of(idA), Set.of(IN_A)));
            assertThat(halted).isNotDone();
            assertThat(logManager.getLog(IN_A)).isEmpty();
            assertThat(logManager.getLog(IN_B)).isPresent();
            assertThat(logManager.onlineLogDirs()).containsExactly(dirB);
            // what the broker's heartbeats name as OfflineLogDirs
            assertThat(logManager.offlineDirectoryIds()).containsExactly(idA);
        }
    }

    @Test
    void theLastOnlineDirectoryFailingHaltsTheNode() throws Exception {
        start(List.of(dirA, dirB));
        logManager.getOrCreateLog(IN_A, Uuid.randomUuid(), LogConfig.defaults());
        CompletableFuture<Integer> halted = new CompletableFuture<>();
        try (LogDirFailureHandler handler = new LogDirFailureHandler(logManager, metadataDir, halted::complete)) {
            handler.start();
            logManager.logDirFailureChannel().onStorageFailure(dirB, "Checkpoint failed", new IOException("EIO"));
            logManager.logDirFailureChannel().onStorageFailure(dirA, "Append failed", new IOException("EIO"));

            assertThat(halted.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(logManager.getLog(IN_A)).isEmpty();
            assertThat(logManager.onlineLogDirs()).isEmpty();
        }
    }

    @Test
    void aSingleDirectoryFailingHaltsTheNode() throws Exception {
        start(List.of(dirA));
        logManager.getOrCreateLog(IN_A, Uuid.randomUuid(), LogConfig.defaults());
        CompletableFuture<Integer> halted = new CompletableFuture<>();
        try (LogDirFailureHandler handler = new LogDirFailureHandler(logManager, metadataDir, halted::complete)) {
            handler.start();

            logManager.logDirFailureChannel().onStorageFailure(dirA, "Append failed: partition=" + IN_A,
                    new IOException("No space left on device"));

            assertThat(halted.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(logManager.getLog(IN_A)).isEmpty();
        }
    }

    @Test
    void theMetadataLogDirectoryFailingHaltsTheNodeEvenWithAnotherOnline() throws Exception {
        start(List.of(dirA, dirB));
        CompletableFuture<Integer> halted = new CompletableFuture<>();
        CompletableFuture<Offline> told = new CompletableFuture<>();
        try (LogDirFailureHandler handler = new LogDirFailureHandler(logManager, dirA, halted::complete)) {
            handler.setListener((dir, id, partitions) -> told.complete(new Offline(dir, id, partitions)));
            handler.start();

            logManager.logDirFailureChannel().onStorageFailure(dirA, "Append failed", new IOException("EIO"));

            assertThat(halted.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(told).isNotDone();
        }
    }

    @Test
    void closeStopsTheHandlerThread() {
        start(List.of(dirA));
        LogDirFailureHandler handler = new LogDirFailureHandler(logManager, metadataDir, status -> { });
        handler.start();
        handler.close();

        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("strand-log-dir-failure-handler"));
    }
}
