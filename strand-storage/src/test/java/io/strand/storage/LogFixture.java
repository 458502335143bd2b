package io.strand.storage;

import io.strand.common.time.ManualTime;
import io.strand.storage.cleaner.LogCleaner;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.file.StorageFiles;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A log manager over a temporary directory, driven by a {@link ManualTime} and a
 * {@link ManualScheduler}, that a test can restart cleanly or "kill".
 *
 * <p>Two ways to use it: a test class that wants one per test declares
 * {@code @RegisterExtension final LogFixture fx = LogFixture.perTest();} and gets it started over a fresh
 * temporary directory before each test, closed and the directory deleted after; a test that needs its
 * own directory or manager settings opens one with a constructor and closes it itself.
 */
public final class LogFixture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    public static final TopicPartition TP = new TopicPartition("events", 0);
    public static final Uuid TOPIC_ID = new Uuid(0x1234L, 0x5678L);
    public static final long START_MS = 1_700_000_000_000L;

    public final ManualTime time = new ManualTime(START_MS);
    public Path dataDir;
    public ManualScheduler scheduler;
    public LogManager manager;
    private final UnaryOperator<LogManagerConfig> adjust;
    private LogManagerConfig managerConfig;

    /** Not started yet: a JUnit extension that starts it before each test (see the class doc). */
    public static LogFixture perTest() {
        return new LogFixture(c -> c);
    }

    private LogFixture(UnaryOperator<LogManagerConfig> adjust) {
        this.adjust = adjust;
    }

    public LogFixture(Path dataDir) {
        this(dataDir, c -> c);
    }

    /** With the manager config adjusted; the cleaner thread is off (tests drive {@link LogCleaner#cleanOnce()}). */
    public LogFixture(Path dataDir, UnaryOperator<LogManagerConfig> adjust) {
        this(adjust);
        open(dataDir);
    }

    private void open(Path dir) {
        this.dataDir = dir;
        this.managerConfig = adjust.apply(new LogManagerConfig(List.of(dir), 300_000L, 1_000L, 60_000L,
                86_400_000).withCleaner(false, 1024 * 1024, Double.MAX_VALUE, 15_000L));
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        open(Files.createTempDirectory("strand-storage-test"));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            close();
        } finally {
            StorageFiles.deleteRecursively(dataDir);
        }
    }

    private void start() {
        scheduler = new ManualScheduler(time);
        manager = new LogManager(managerConfig, time, new Random(42), () -> scheduler);
        manager.startup();
    }

    public PartitionLog log(LogConfig config) {
        return manager.getOrCreateLog(TP, TOPIC_ID, config);
    }

    public Path partitionDir() {
        return dataDir.resolve(LogFileNames.partitionDirName(TP));
    }

    /** Clean shutdown and start again. */
    public void restartClean() {
        manager.close();
        start();
    }

    /** A killed process (files as they are, no checkpoints, no marker) and a new start. */
    public void crashAndRestart() {
        manager.abandon();
        start();
    }

    /** Starts again after the test already stopped the manager (and perhaps damaged files). */
    public void crashAndRestartWithoutAbandon() {
        start();
    }

    /** The manager's log cleaner, which tests drive with {@link LogCleaner#cleanOnce()}. */
    public LogCleaner cleaner() {
        return manager.cleaner();
    }

    /** Stops the manager as a killed process would: files as they are, no checkpoints, no marker. */
    public void abandon() {
        manager.abandon();
    }

    /** Runs the background tasks due now. */
    public void runScheduler() {
        scheduler.runDueTasks();
    }

    @Override
    public void close() {
        manager.close();
    }

    /** A log config from Kafka topic property names and values, the rest at Kafka's defaults. */
    public static LogConfig config(Object... namesAndValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return LogConfig.from(map);
    }
}
