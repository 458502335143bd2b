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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogDirFailureHandlerTest {

    private static final TopicPartition TP = new TopicPartition("events", 0);

    private Path dataDir;
    private LogManager logManager;

    @BeforeEach
    void setUp() throws IOException {
        dataDir = Files.createTempDirectory("strand-dir-failure");
        logManager = new LogManager(new LogManagerConfig(List.of(dataDir), 300_000L, 1_000L, 60_000,
                86_400_000).withCleaner(false, 1024 * 1024, Double.MAX_VALUE, 15_000L), Time.SYSTEM);
        logManager.startup();
    }

    @AfterEach
    void tearDown() throws IOException {
        logManager.close();
        StorageFiles.deleteRecursively(dataDir);
    }

    @Test
    void failedLogDirectoryClosesItsLogsThenHaltsTheNode() throws Exception {
        logManager.getOrCreateLog(TP, Uuid.randomUuid(), LogConfig.defaults());
        CompletableFuture<Integer> halted = new CompletableFuture<>();
        try (LogDirFailureHandler handler = new LogDirFailureHandler(logManager, halted::complete)) {
            handler.start();

            logManager.logDirFailureChannel().onStorageFailure(dataDir, "Append failed: partition=" + TP,
                    new IOException("No space left on device"));

            assertThat(halted.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(logManager.getLog(TP)).isEmpty();
            assertThat(logManager.onlineLogDirs()).isEmpty();
        }
    }

    @Test
    void closeStopsTheHandlerThread() {
        LogDirFailureHandler handler = new LogDirFailureHandler(logManager, status -> { });
        handler.start();
        handler.close();

        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("strand-log-dir-failure-handler"));
    }
}
