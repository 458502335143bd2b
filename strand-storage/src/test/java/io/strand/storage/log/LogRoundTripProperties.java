package io.strand.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogFixture;
import io.strand.storage.PropertyTestDirs;
import io.strand.storage.TestRecords;
import io.strand.storage.file.LogFileNames;
import io.strand.storage.file.StorageFiles;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * Random appends mixed with clean restarts, kills, and kills that tear the last batch: afterwards the
 * log reads back exactly what was acknowledged (minus a torn batch), offset for offset.
 */
class LogRoundTripProperties {

    sealed interface Step permits Append, Restart, TornCrash {
    }

    record Append(int records, CompressionType compression, int valueBytes) implements Step {
    }

    record Restart(boolean clean) implements Step {
    }

    record TornCrash(int bytesCut) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> append = Combinators.combine(Arbitraries.integers().between(1, 6),
                Arbitraries.of(CompressionType.NONE, CompressionType.GZIP, CompressionType.LZ4, CompressionType.ZSTD),
                Arbitraries.integers().between(0, 150)).as(Append::new);
        Arbitrary<Step> restart = Arbitraries.of(true, false).map(Restart::new);
        Arbitrary<Step> torn = Arbitraries.integers().between(1, 40).map(TornCrash::new);
        return Arbitraries.frequencyOf(Tuple.of(12, append), Tuple.of(2, restart), Tuple.of(1, torn))
                .list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 100)
    void readsBackExactlyWhatWasAppended(@ForAll("steps") List<Step> steps,
            @ForAll("segmentBytes") int segmentBytes, @ForAll("indexInterval") int indexIntervalBytes) throws Exception {
        Path dir = PropertyTestDirs.create("strand-roundtrip");
        LogConfig config = LogFixture.config(TopicConfig.SEGMENT_BYTES_CONFIG, segmentBytes,
                TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, indexIntervalBytes,
                TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, 64);
        LogFixture fx = new LogFixture(dir);
        try {
            Map<Long, String> expected = new TreeMap<>();
            Deque<List<Long>> batches = new ArrayDeque<>();
            int counter = 0;
            PartitionLog log = fx.log(config);
            for (Step step : steps) {
                if (step instanceof Append a) {
                    String[] values = new String[a.records()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = "r" + (counter++) + "-" + "x".repeat(a.valueBytes());
                    }
                    LogAppendResult result = log.appendAsLeader(
                            TestRecords.batch(a.compression(), fx.time.milliseconds(), values), 0);
                    List<Long> offsets = new ArrayList<>();
                    for (int i = 0; i < values.length; i++) {
                        expected.put(result.firstOffset() + i, values[i]);
                        offsets.add(result.firstOffset() + i);
                    }
                    batches.push(offsets);
                    log.updateHighWatermark(log.logEndOffset());
                    fx.time.advance(10);
                    fx.runScheduler();
                } else if (step instanceof Restart r) {
                    if (r.clean()) {
                        fx.restartClean();
                    } else {
                        fx.crashAndRestart();
                    }
                    log = fx.log(config);
                } else if (step instanceof TornCrash t) {
                    long activeBaseOffset = log.activeSegment().baseOffset();
                    fx.abandon();
                    // A crash tears only the write in flight: the last batch, at the tail of the active
                    // segment. An active segment emptied by an earlier tear has nothing to tear.
                    if (!batches.isEmpty() && batches.peek().get(0) >= activeBaseOffset) {
                        batches.pop().forEach(expected::remove);
                        Path active = LogFileNames.logFile(fx.partitionDir(), activeBaseOffset);
                        try (RandomAccessFile raf = new RandomAccessFile(active.toFile(), "rw")) {
                            raf.setLength(raf.length() - t.bytesCut());
                        }
                    }
                    fx.crashAndRestartWithoutAbandon();
                    log = fx.log(config);
                }
                assertThat(log.logStartOffset()).isLessThanOrEqualTo(log.highWatermark());
                assertThat(log.highWatermark()).isLessThanOrEqualTo(log.logEndOffset());
                assertThat(log.logEndOffset()).isEqualTo(expected.isEmpty() ? 0L : ((TreeMap<Long, String>) expected).lastKey() + 1);
                assertThat(TestRecords.readAll(log)).isEqualTo(expected);
            }
            fx.restartClean();
            assertThat(TestRecords.readAll(fx.log(config))).isEqualTo(expected);
        } finally {
            fx.close();
            StorageFiles.deleteRecursively(dir);
        }
    }

    @Provide
    Arbitrary<Integer> segmentBytes() {
        return Arbitraries.integers().between(150, 3000);
    }

    @Provide
    Arbitrary<Integer> indexInterval() {
        return Arbitraries.integers().between(0, 600);
    }
}
