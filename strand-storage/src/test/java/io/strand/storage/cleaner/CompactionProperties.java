package io.strand.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogFixture;
import io.strand.storage.PropertyTestDirs;
import io.strand.storage.file.StorageFiles;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Random keyed histories with tombstones, over segments of random size, in batches of random codecs,
 * cleaned with a random (often tiny) offset map: before the delete horizon the log holds exactly the
 * latest record of every key, tombstones included, at their original offsets and in offset order;
 * after it, exactly the latest value of every live key.
 */
class CompactionProperties {

    /** One batch: each entry is a key index and a value, -1 for a tombstone. */
    record Batch(List<int[]> records, CompressionType compression) {
    }

    private static final long DELETE_RETENTION_MS = 100_000L;
    private static final long SEGMENT_MS = 1_000L;

    @Provide
    Arbitrary<List<Batch>> histories() {
        Arbitrary<int[]> record = Combinators.combine(Arbitraries.integers().between(0, 30),
                Arbitraries.integers().between(-1, 1000).map(v -> v % 4 == 0 ? -1 : v))
                .as((k, v) -> new int[] {k, v});
        Arbitrary<Batch> batch = Combinators.combine(record.list().ofMinSize(1).ofMaxSize(8),
                Arbitraries.of(CompressionType.NONE, CompressionType.GZIP, CompressionType.LZ4))
                .as(Batch::new);
        return batch.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 40)
    void compactionKeepsExactlyTheLatestRecordOfEveryKey(@ForAll("histories") List<Batch> history,
            @ForAll @IntRange(min = 200, max = 3000) int segmentBytes,
            @ForAll @IntRange(min = 10, max = 200) int mapSlots) throws Exception {
        Path dir = PropertyTestDirs.create("strand-compaction");
        try (LogFixture f = new LogFixture(dir, c -> c.withCleaner(false, (long) OffsetMap.SLOT_BYTES * mapSlots,
                Double.MAX_VALUE, 15_000L))) {
            LogConfig config = Compacted.config("segment.bytes", segmentBytes, "segment.ms", SEGMENT_MS,
                    "delete.retention.ms", DELETE_RETENTION_MS);
            PartitionLog log = f.log(config);
            for (Batch b : history) {
                log.appendAsLeader(MemoryRecords.withRecords(Compression.of(b.compression()).build(),
                        records(b, f.time.milliseconds())), 0);
            }
            List<Compacted.Entry> appended = Compacted.readAll(log);
            // A record a segment.ms later rolls the log, so all of the history is cleanable.
            f.time.advance(SEGMENT_MS + 1);
            Compacted.append(log, CompressionType.NONE, f.time.milliseconds(), "sentinel=end");
            List<Compacted.Entry> all = Compacted.readAll(log);
            assertThat(all.subList(0, appended.size())).isEqualTo(appended);

            cleanUntilDone(f);
            assertThat(Compacted.readAll(log)).isEqualTo(Compacted.latestPerKey(all));

            f.time.advance(DELETE_RETENTION_MS);
            cleanUntilDone(f);
            assertThat(Compacted.readAll(log)).isEqualTo(Compacted.liveLatestPerKey(all));
            assertThat(log.logEndOffset()).isEqualTo(all.get(all.size() - 1).offset() + 1);
        } finally {
            StorageFiles.deleteRecursively(dir);
        }
    }

    @Property(tries = 30)
    void aCrashAtAnySwapStepLosesNoKey(@ForAll("histories") List<Batch> history,
            @ForAll @IntRange(min = 200, max = 3000) int segmentBytes,
            @ForAll @IntRange(min = 10, max = 200) int mapSlots,
            @ForAll @IntRange(min = 1, max = 30) int crashAtStepCall) throws Exception {
        Path dir = PropertyTestDirs.create("strand-compaction-crash");
        try (LogFixture f = new LogFixture(dir, c -> c.withCleaner(false, (long) OffsetMap.SLOT_BYTES * mapSlots,
                Double.MAX_VALUE, 15_000L))) {
            LogConfig config = Compacted.config("segment.bytes", segmentBytes, "segment.ms", SEGMENT_MS,
                    "delete.retention.ms", DELETE_RETENTION_MS);
            PartitionLog log = f.log(config);
            for (Batch b : history) {
                log.appendAsLeader(MemoryRecords.withRecords(Compression.of(b.compression()).build(),
                        records(b, f.time.milliseconds())), 0);
            }
            f.time.advance(SEGMENT_MS + 1);
            Compacted.append(log, CompressionType.NONE, f.time.milliseconds(), "sentinel=end");
            List<Compacted.Entry> all = Compacted.readAll(log);
            int[] calls = {0};
            f.cleaner().setSwapObserver(step -> {
                if (++calls[0] == crashAtStepCall) {
                    throw new IllegalStateException("simulated crash at " + step);
                }
            });
            while (!log.isClosed() && f.cleaner().cleanOnce()) {
                // until done or crashed
            }
            f.crashAndRestart();
            PartitionLog reopened = f.log(config);
            reopened.updateHighWatermark(reopened.logEndOffset());
            List<Compacted.Entry> recovered = Compacted.readAll(reopened);
            assertThat(all).containsAll(recovered);
            assertThat(recovered).isSortedAccordingTo(Comparator.comparingLong(Compacted.Entry::offset));
            assertThat(Compacted.latestPerKey(recovered)).isEqualTo(Compacted.latestPerKey(all));

            cleanUntilDone(f);
            assertThat(Compacted.readAll(reopened)).isEqualTo(Compacted.latestPerKey(all));
        } finally {
            StorageFiles.deleteRecursively(dir);
        }
    }

    private static void cleanUntilDone(LogFixture f) {
        for (int pass = 0; f.cleaner().cleanOnce(); pass++) {
            assertThat(pass).as("cleaning passes").isLessThan(1000);
        }
    }

    private static SimpleRecord[] records(Batch b, long timestampMs) {
        List<SimpleRecord> out = new ArrayList<>();
        for (int[] r : b.records()) {
            out.add(new SimpleRecord(timestampMs, ("key" + r[0]).getBytes(StandardCharsets.UTF_8),
                    r[1] < 0 ? null : ("v" + r[1]).getBytes(StandardCharsets.UTF_8)));
        }
        return out.toArray(SimpleRecord[]::new);
    }
}
