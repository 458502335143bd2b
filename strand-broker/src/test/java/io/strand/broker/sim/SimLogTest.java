package io.strand.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.time.ManualTime;
import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import io.strand.storage.cleaner.CleanerConfig;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.LogReadResult;
import io.strand.storage.log.ReplicaLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The simulation's in-memory {@link SimLog} holds to the file log's contract where the simulation
 * relies on it: the same random operations (leader and follower appends, truncations, new epochs,
 * high watermark updates, reads, kill -9 and reopen) on a {@link SimLog} and on a real file log
 * ({@code PartitionLog} under a {@link LogManager}) leave both with the same offsets, epochs, read
 * bytes and failures after every step; and a whole {@link ReplicationSimulation} run does the same
 * over either.
 */
class SimLogTest {

    private static final TopicPartition TP = new TopicPartition("events", 0);
    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime(1_000);
    private LogManager logManager;
    private final SimLogStore.Disk disk = new SimLogStore.Disk();
    private SimLogStore store;
    private ReplicaLog file;
    private ReplicaLog memory;

    @AfterEach
    void close() {
        if (logManager != null) {
            logManager.close();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void behavesAsTheFileLogUnderRandomOperations(long seed) {
        Random random = new Random(seed);
        open();
        int epoch = 0;
        int value = 0;
        for (int step = 0; step < 400; step++) {
            time.sleep(1);
            int op = random.nextInt(100);
            String what;
            if (op < 30) {
                int records = 1 + random.nextInt(3);
                what = "leader append of " + records + " in epoch " + epoch;
                SimpleRecord[] batch = new SimpleRecord[records];
                for (int i = 0; i < records; i++) {
                    byte[] bytes = ("v" + value++).getBytes(StandardCharsets.UTF_8);
                    batch[i] = new SimpleRecord(time.milliseconds(), null, bytes);
                }
                int e = epoch;
                same(what, log -> log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, batch), e));
            } else if (op < 45) {
                int batchEpoch = Math.max(0, epoch - random.nextInt(2));
                boolean partialTail = random.nextBoolean();
                what = "follower append in epoch " + batchEpoch + (partialTail ? " with a partial batch" : "");
                ByteBuffer fetched = followerBatches(file.logEndOffset(), batchEpoch, value, partialTail);
                value += 3;
                same(what, log -> log.appendAsFollower(MemoryRecords.readableRecords(fetched.duplicate())));
            } else if (op < 55) {
                epoch += 1 + random.nextInt(2);
                int e = epoch;
                what = "new epoch " + e;
                same(what, log -> {
                    log.assignEpochStartOffset(e, log.logEndOffset());
                    return null;
                });
            } else if (op < 65) {
                long offset = random.nextInt((int) file.logEndOffset() + 3);
                what = "truncation to " + offset;
                same(what, log -> {
                    log.truncateTo(offset);
                    return null;
                });
            } else if (op < 75) {
                long hw = random.nextInt((int) file.logEndOffset() + 4) - 1;
                what = "high watermark " + hw;
                same(what, log -> {
                    log.updateHighWatermark(hw);
                    return null;
                });
            } else if (op < 93) {
                long offset = random.nextInt((int) file.logEndOffset() + 2);
                int maxBytes = random.nextInt(400);
                long maxOffset = random.nextBoolean() ? Long.MAX_VALUE : offset + random.nextInt(6);
                boolean minOneBatch = random.nextBoolean();
                what = "read at " + offset + " maxBytes=" + maxBytes + " maxOffset=" + maxOffset + " minOneBatch="
                        + minOneBatch;
                same(what, log -> readBack(log.read(offset, maxBytes, maxOffset, minOneBatch)));
            } else if (op < 97) {
                int asked = random.nextInt(epoch + 3) - 1;
                what = "end offset of epoch " + asked;
                same(what, log -> log.endOffsetForEpoch(asked));
            } else {
                what = "kill -9 and reopen";
                crashAndReopen();
            }
            assertSameState(what + " at step " + step);
        }
    }

    /**
     * The logs in memory change nothing a run does: over the brokers' file logs a seed runs the same.
     * Seeds with broker and controller crashes (so recovery of the file logs) and truncations.
     */
    @ParameterizedTest
    @ValueSource(longs = {2, 4, 5})
    void aSimulationRunsTheSameOverFileLogs(long seed) {
        assertThat(new ReplicationSimulation(seed, InjectedBug.NONE, ReplicationSimulation.Logs.FILES).run())
                .isEqualTo(new ReplicationSimulation(seed, InjectedBug.NONE, ReplicationSimulation.Logs.MEMORY).run());
    }

    @Test
    void readsAboveTheLogEndAreOutOfRange() {
        open();
        memory.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1L, null, new byte[] {1})), 0);

        assertThatThrownBy(() -> memory.read(2, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(memory.read(1, 100, Long.MAX_VALUE, true).records().sizeInBytes()).isZero();
    }

    @Test
    void aKilledIncarnationsLogRefusesWrites() {
        open();
        ReplicaLog before = memory;
        store.abandon();

        assertThatThrownBy(() -> before.truncateTo(0))
                .isInstanceOf(org.apache.kafka.common.errors.KafkaStorageException.class);
    }

    // ---- both logs ----

    @FunctionalInterface
    private interface Operation {
        Object apply(ReplicaLog log);
    }

    /** Runs {@code operation} on both logs: the same answer, or the same kind of failure. */
    private void same(String what, Operation operation) {
        Object fromFile;
        Object fromMemory;
        try {
            fromFile = operation.apply(file);
        } catch (RuntimeException e) {
            fromFile = e.getClass();
        }
        try {
            fromMemory = operation.apply(memory);
        } catch (RuntimeException e) {
            fromMemory = e.getClass();
        }
        assertThat(fromMemory).as(what).isEqualTo(fromFile);
    }

    private void assertSameState(String after) {
        assertThat(memory.logStartOffset()).as("log start after " + after).isEqualTo(file.logStartOffset());
        assertThat(memory.logEndOffset()).as("log end after " + after).isEqualTo(file.logEndOffset());
        assertThat(memory.highWatermark()).as("high watermark after " + after).isEqualTo(file.highWatermark());
        assertThat(memory.latestEpoch()).as("latest epoch after " + after).isEqualTo(file.latestEpoch());
        assertThat(readBack(memory.read(memory.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, true)))
                .as("records after " + after)
                .isEqualTo(readBack(file.read(file.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, true)));
    }

    private static ByteBuffer followerBatches(long baseOffset, int epoch, int value, boolean partialTail) {
        MemoryRecords first = MemoryRecords.withRecords(baseOffset, Compression.NONE, epoch,
                new SimpleRecord(5L, null, ("f" + value).getBytes(StandardCharsets.UTF_8)),
                new SimpleRecord(5L, null, ("f" + (value + 1)).getBytes(StandardCharsets.UTF_8)));
        MemoryRecords second = MemoryRecords.withRecords(baseOffset + 2, Compression.NONE, epoch,
                new SimpleRecord(6L, null, ("f" + (value + 2)).getBytes(StandardCharsets.UTF_8)));
        int secondBytes = partialTail ? second.sizeInBytes() / 2 : second.sizeInBytes();
        ByteBuffer both = ByteBuffer.allocate(first.sizeInBytes() + secondBytes);
        both.put(first.buffer().duplicate());
        both.put(second.buffer().duplicate().limit(secondBytes));
        return both.flip();
    }

    /** A read's answer as comparable values: its offsets and its bytes. */
    private static List<Object> readBack(LogReadResult read) {
        Records records = read.records();
        ByteBuffer bytes = ByteBuffer.allocate(records.sizeInBytes());
        if (records instanceof FileRecords fileRecords) {
            try {
                fileRecords.readInto(bytes, 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            bytes.put(((MemoryRecords) records).buffer().duplicate()).flip();
        }
        return List.of(read.logStartOffset(), read.logEndOffset(), read.highWatermark(), bytes);
    }

    // ---- opening and killing ----

    private void open() {
        logManager = new LogManager(LogManagerConfig.withDefaults(List.of(dir)).withCleaner(false,
                CleanerConfig.MIN_DEDUPE_BUFFER_BYTES, Double.MAX_VALUE, LogManagerConfig.DEFAULT_CLEANER_BACKOFF_MS),
                time);
        logManager.startup();
        file = logManager.getOrCreateLog(TP, TOPIC_ID, LogConfig.defaults());
        store = new SimLogStore(disk, time);
        memory = store.getOrCreateLog(TP, TOPIC_ID, LogConfig.defaults());
    }

    private void crashAndReopen() {
        // The file log's kill -9 is package-private to its log manager's package: reflection is the stopgap.
        try {
            Method abandon = LogManager.class.getDeclaredMethod("abandon");
            abandon.setAccessible(true);
            abandon.invoke(logManager);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
        logManager = null;
        store.abandon();
        open();
    }
}
