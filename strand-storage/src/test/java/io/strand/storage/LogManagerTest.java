package io.strand.storage;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.TOPIC_ID;
import static io.strand.storage.LogFixture.TP;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.strand.common.DirectoryId;
import io.strand.common.time.ManualTime;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {

    @TempDir
    Path tmp;

    private static List<Path> entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void storesTheTopicIdAndRefusesALogOfAnotherTopicId() throws Exception {
        try (LogFixture fx = new LogFixture(tmp)) {
            fx.log(LogConfig.defaults()).appendAsLeader(batch(START_MS, "a"), 0);
            assertThat(Files.readString(fx.partitionDir().resolve("partition.metadata")))
                    .isEqualTo("version: 0\ntopic_id: " + TOPIC_ID + "\n");
            Uuid other = new Uuid(9, 9);

            assertThatThrownBy(() -> fx.manager.getOrCreateLog(TP, other, LogConfig.defaults()))
                    .isInstanceOf(InconsistentTopicIdException.class);
            fx.restartClean();
            assertThatThrownBy(() -> fx.manager.getOrCreateLog(TP, other, LogConfig.defaults()))
                    .isInstanceOf(InconsistentTopicIdException.class);
            assertThat(fx.log(LogConfig.defaults()).logEndOffset()).isEqualTo(1L);
        }
    }

    @Test
    void listsPartitionsFoundOnDiskAtStartup() {
        try (LogFixture fx = new LogFixture(tmp)) {
            TopicPartition other = new TopicPartition("my-topic.with-dashes", 12);
            fx.log(LogConfig.defaults());
            fx.manager.getOrCreateLog(other, Uuid.ONE_UUID, LogConfig.defaults());
            assertThat(fx.manager.partitionsOnDisk()).isEmpty();

            fx.restartClean();

            assertThat(fx.manager.partitionsOnDisk()).containsExactlyInAnyOrder(TP, other);
            assertThat(fx.manager.getLog(TP)).isEmpty();
            fx.manager.deleteLog(other);
            assertThat(fx.manager.partitionsOnDisk()).containsExactly(TP);
        }
    }

    @Test
    void deletingALogRenamesItsDirectoryAtOnceAndRemovesTheFilesLater() throws Exception {
        try (LogFixture fx = new LogFixture(tmp)) {
            PartitionLog log = fx.log(config(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, 5_000L));
            log.appendAsLeader(batch(START_MS, "a"), 0);

            fx.manager.deleteLog(TP);

            assertThat(fx.partitionDir()).doesNotExist();
            assertThat(fx.manager.getLog(TP)).isEmpty();
            assertThat(entries(tmp)).anySatisfy(p -> assertThat(p.getFileName().toString()).endsWith("-delete"));
            assertThatThrownBy(() -> log.appendAsLeader(batch(START_MS, "b"), 0))
                    .isInstanceOf(KafkaStorageException.class);
            fx.time.advance(5_000);
            fx.runScheduler();
            assertThat(entries(tmp)).noneSatisfy(p -> assertThat(p.getFileName().toString()).endsWith("-delete"));
            assertThat(fx.log(LogConfig.defaults()).logEndOffset()).isZero();
        }
    }

    @Test
    void aStrayLogIsRenamedAsideWithItsFilesAndNotLoadedAgain() throws Exception {
        try (LogFixture fx = new LogFixture(tmp)) {
            fx.log(LogConfig.defaults()).appendAsLeader(batch(START_MS, "a", "b"), 0);
            fx.restartClean();
            Map<String, byte[]> before = contents(fx.partitionDir());

            Path stray = fx.manager.renameStrayLog(TP).orElseThrow();
            fx.runScheduler();

            assertThat(stray.getParent()).isEqualTo(tmp);
            assertThat(stray.getFileName().toString()).matches("events-0\\.[0-9a-f]{32}-stray");
            assertThat(fx.partitionDir()).doesNotExist();
            assertThat(contents(stray)).containsOnlyKeys(before.keySet()).allSatisfy((name, bytes) ->
                    assertThat(bytes).as(name).isEqualTo(before.get(name)));
            assertThat(fx.manager.partitionsOnDisk()).isEmpty();
            assertThat(Files.readString(tmp.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT))).doesNotContain("events");

            fx.restartClean();
            fx.time.advance(600_000);
            fx.runScheduler();

            assertThat(fx.manager.partitionsOnDisk()).isEmpty();
            assertThat(fx.manager.describeLogDirs().get(0).partitionSizes()).isEmpty();
            assertThat(contents(stray)).containsOnlyKeys(before.keySet());
            assertThat(fx.log(LogConfig.defaults()).logEndOffset()).isZero();
        }
    }

    @Test
    void aStrayDirectoryNameKeepsKafkasFormWithinTheFileNameLimit() {
        String uniqueId = "0123456789abcdef0123456789abcdef";
        String longTopic = "t".repeat(249);

        String name = LogFileNames.strayDirName(new TopicPartition(longTopic, 12), uniqueId);

        assertThat(name).hasSize(LogFileNames.MAX_DIR_NAME_LENGTH).endsWith("-12." + uniqueId + "-stray");
        assertThat(LogFileNames.strayDirName(new TopicPartition("a.b-c", 3), uniqueId))
                .isEqualTo("a.b-c-3." + uniqueId + "-stray");
        assertThat(LogFileNames.parsePartitionDirName(name)).isEmpty();
        assertThat(LogFileNames.parsePartitionDirName("x-1-stray")).isEmpty();
    }

    @Test
    void aPartitionNotOnDiskHasNoStrayToRename() {
        try (LogFixture fx = new LogFixture(tmp)) {
            assertThat(fx.manager.renameStrayLog(TP)).isEmpty();
        }
    }

    private static Map<String, byte[]> contents(Path dir) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        for (Path p : entries(dir)) {
            out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return out;
    }

    @Test
    void describesLogDirsWithPartitionSizes() {
        try (LogFixture fx = new LogFixture(tmp)) {
            PartitionLog log = fx.log(LogConfig.defaults());
            log.appendAsLeader(batch(START_MS, "a", "b"), 0);

            List<LogDirDescription> dirs = fx.manager.describeLogDirs();

            assertThat(dirs).hasSize(1);
            assertThat(dirs.get(0).path()).isEqualTo(tmp);
            assertThat(dirs.get(0).totalBytes()).isPositive();
            assertThat(dirs.get(0).usableBytes()).isPositive();
            assertThat(dirs.get(0).partitionSizes()).containsEntry(TP, log.sizeInBytes());
            fx.restartClean();
            assertThat(fx.manager.describeLogDirs().get(0).partitionSizes()).containsEntry(TP, log.sizeInBytes());
        }
    }

    @Test
    void spreadsNewPartitionsOverTheLeastLoadedDirectory() {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        ManualTime time = new ManualTime(START_MS);
        LogManager manager = new LogManager(new LogManagerConfig(List.of(a, b), 300_000L, 1_000L, 60_000L, 86_400_000),
                time, new Random(1), () -> new ManualScheduler(time));
        manager.startup();
        try {
            for (int p = 0; p < 4; p++) {
                manager.getOrCreateLog(new TopicPartition("t", p), Uuid.ONE_UUID, LogConfig.defaults());
            }
            assertThat(a.resolve("t-0")).exists();
            assertThat(b.resolve("t-1")).exists();
            assertThat(a.resolve("t-2")).exists();
            assertThat(b.resolve("t-3")).exists();
        } finally {
            manager.close();
        }
    }

    @Test
    void everyDirectoryGetsAnIdAtFirstUseAndKeepsItAcrossRestarts() {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        LogManagerConfig config = LogManagerConfig.withDefaults(List.of(a, b));
        LogManager first = new LogManager(config, Time.SYSTEM);
        first.startup();
        Map<Path, Uuid> ids = first.directoryIds();
        first.close();

        LogManager second = new LogManager(config, Time.SYSTEM);
        second.startup();
        try {
            assertThat(ids).containsOnlyKeys(a, b);
            assertThat(ids.get(a)).isNotEqualTo(ids.get(b));
            assertThat(ids.values()).noneMatch(DirectoryId::reserved);
            assertThat(a.resolve("meta.properties")).content().contains("directory.id=" + ids.get(a));
            assertThat(second.directoryIds()).isEqualTo(ids);
            assertThat(second.onlineDirectoryIds()).containsExactly(ids.get(a), ids.get(b));
        } finally {
            second.close();
        }
    }

    @Test
    void aFailedDirectoryIsReportedOfflineByIdAndDescribedAsOffline() {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        LogManager manager = new LogManager(LogManagerConfig.withDefaults(List.of(a, b)), Time.SYSTEM);
        manager.startup();
        try {
            TopicPartition inA = new TopicPartition("t", 0);
            manager.getOrCreateLog(inA, Uuid.ONE_UUID, LogConfig.defaults());
            Map<Path, Uuid> ids = manager.directoryIds();
            assertThat(manager.directoryIdOf(inA)).contains(ids.get(a));

            manager.handleLogDirFailure(a);

            assertThat(manager.offlineDirectoryIds()).containsExactly(ids.get(a));
            assertThat(manager.onlineDirectoryIds()).containsExactly(ids.get(b));
            assertThat(manager.describeLogDirs()).extracting(LogDirDescription::path, LogDirDescription::online)
                    .containsExactly(tuple(a, false),
                            tuple(b, true));
        } finally {
            manager.close();
        }
    }

    @Test
    void twoDirectoriesWithTheSameIdAreRefused() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        LogManager first = new LogManager(LogManagerConfig.withDefaults(List.of(a)), Time.SYSTEM);
        first.startup();
        first.close();
        Files.createDirectories(b);
        Files.copy(a.resolve("meta.properties"), b.resolve("meta.properties"));

        LogManager copied = new LogManager(LogManagerConfig.withDefaults(List.of(a, b)), Time.SYSTEM);
        assertThatThrownBy(copied::startup).isInstanceOf(KafkaStorageException.class)
                .hasMessageContaining("same directory.id");
        copied.close();
        LogManager again = new LogManager(LogManagerConfig.withDefaults(List.of(a)), Time.SYSTEM);
        again.startup();
        again.close();
    }

    @Test
    void aSecondManagerCannotUseALockedDirectory() {
        try (LogFixture fx = new LogFixture(tmp)) {
            LogManager second = new LogManager(LogManagerConfig.withDefaults(List.of(tmp)), fx.time);
            assertThatThrownBy(second::startup).isInstanceOf(KafkaStorageException.class).hasMessageContaining("in use");
            second.close();
        }
    }

    @Test
    void writesTheCleanShutdownMarkerAndCheckpointsOnClose() throws Exception {
        try (LogFixture fx = new LogFixture(tmp)) {
            PartitionLog log = fx.log(LogConfig.defaults());
            log.appendAsLeader(batch(START_MS, "a", "b", "c"), 0);
            log.updateHighWatermark(2);
            fx.manager.close();

            assertThat(tmp.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER)).exists();
            assertThat(Files.readAllLines(tmp.resolve(LogFileNames.RECOVERY_POINT_CHECKPOINT)))
                    .containsExactly("0", "1", "events 0 3");
            assertThat(Files.readAllLines(tmp.resolve(LogFileNames.HIGH_WATERMARK_CHECKPOINT)))
                    .containsExactly("0", "1", "events 0 2");
            assertThat(Files.readAllLines(tmp.resolve(LogFileNames.LOG_START_CHECKPOINT)))
                    .containsExactly("0", "1", "events 0 0");
            fx.crashAndRestartWithoutAbandon();
            assertThat(tmp.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER)).doesNotExist();
        }
    }

    @Test
    void aDirectoryWithUnrecoveredLogsGetsNoCleanShutdownMarker() {
        try (LogFixture fx = new LogFixture(tmp)) {
            fx.log(LogConfig.defaults()).appendAsLeader(batch(START_MS, "a"), 0);
            fx.manager.abandon();
            fx.crashAndRestartWithoutAbandon();

            fx.manager.close();
            assertThat(tmp.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER)).doesNotExist();

            fx.crashAndRestartWithoutAbandon();
            fx.log(LogConfig.defaults());
            fx.manager.close();
            assertThat(tmp.resolve(LogFileNames.CLEAN_SHUTDOWN_MARKER)).exists();
            fx.crashAndRestartWithoutAbandon();
        }
    }

    @Test
    void opensTheLogsFoundOnDiskInParallelAfterACrashAndLeavesTheRestToGetOrCreate() {
        try (LogFixture fx = new LogFixture(tmp)) {
            List<TopicPartition> onDisk = List.of(new TopicPartition("t", 0), new TopicPartition("t", 1),
                    new TopicPartition("t", 2), new TopicPartition("u", 0));
            for (int i = 0; i < onDisk.size(); i++) {
                PartitionLog log = fx.manager.getOrCreateLog(onDisk.get(i), TOPIC_ID, LogConfig.defaults());
                for (int n = 0; n <= i; n++) {
                    log.appendAsLeader(batch(START_MS, "r" + n), 0);
                }
            }
            TopicPartition otherTopicId = new TopicPartition("v", 0);
            fx.manager.getOrCreateLog(otherTopicId, new Uuid(7, 7), LogConfig.defaults());
            fx.manager.abandon();
            fx.crashAndRestartWithoutAbandon();

            TopicPartition notOnDisk = new TopicPartition("w", 0);
            List<LogManager.LogSpec> specs = new java.util.ArrayList<>();
            onDisk.forEach(tp -> specs.add(new LogManager.LogSpec(tp, TOPIC_ID, LogConfig.defaults())));
            specs.add(new LogManager.LogSpec(otherTopicId, TOPIC_ID, LogConfig.defaults()));
            specs.add(new LogManager.LogSpec(notOnDisk, TOPIC_ID, LogConfig.defaults()));

            assertThat(fx.manager.openExistingLogs(specs)).isEqualTo(onDisk.size());
            for (int i = 0; i < onDisk.size(); i++) {
                assertThat(fx.manager.getLog(onDisk.get(i))).get()
                        .extracting(PartitionLog::logEndOffset).isEqualTo((long) i + 1);
            }
            // Left alone: a log of another topic id (getOrCreateLog reports it) and one not on disk.
            assertThat(fx.manager.getLog(otherTopicId)).isEmpty();
            assertThatThrownBy(() -> fx.manager.getOrCreateLog(otherTopicId, TOPIC_ID, LogConfig.defaults()))
                    .isInstanceOf(InconsistentTopicIdException.class);
            assertThat(fx.manager.getLog(notOnDisk)).isEmpty();
            assertThat(fx.manager.openExistingLogs(specs)).isZero();
            assertThat(Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("strand-log-recovery") && t.isAlive())).isEmpty();
        }
    }

    @Test
    void refusesWorkOutsideItsLifecycle() {
        LogManager manager = new LogManager(LogManagerConfig.withDefaults(List.of(tmp)), Time.SYSTEM);
        assertThatThrownBy(() -> manager.getOrCreateLog(TP, TOPIC_ID, LogConfig.defaults()))
                .isInstanceOf(IllegalStateException.class);
        manager.startup();
        assertThatThrownBy(manager::startup).isInstanceOf(IllegalStateException.class);
        manager.close();
        manager.close();
        assertThatThrownBy(() -> manager.getOrCreateLog(TP, TOPIC_ID, LogConfig.defaults()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void backgroundThreadsStopOnClose() {
        LogManager manager = new LogManager(new LogManagerConfig(List.of(tmp), 10L, 10L, 10L, 86_400_000), Time.SYSTEM);
        manager.startup();
        PartitionLog log = manager.getOrCreateLog(TP, TOPIC_ID, LogConfig.defaults());
        log.appendAsLeader(batch(System.currentTimeMillis(), "a"), 0);
        assertThat(schedulerThreads()).isPositive();

        manager.close();

        assertThat(schedulerThreads()).isZero();
    }

    private static long schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("strand-log-scheduler") && t.isAlive()).count();
    }
}
