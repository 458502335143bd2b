package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentReadWriteTest {

    @TempDir
    Path tmp;

    @Test
    void readersRacingAWriterOnlyEverSeeWholeValidBatches() throws Exception {
        int batches = 3_000;
        try (LogFixture fx = new LogFixture(tmp)) {
            PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 4_000,
                    TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 200));
            ExecutorService pool = Executors.newFixedThreadPool(3);
            AtomicBoolean writing = new AtomicBoolean(true);
            try {
                Future<?> writer = pool.submit(() -> {
                    for (int i = 0; i < batches; i++) {
                        log.appendAsLeader(TestRecords.batch(START_MS, "a" + i, "b" + i), 0);
                        log.updateHighWatermark(log.logEndOffset());
                    }
                    writing.set(false);
                });
                List<Future<Long>> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    int seed = r;
                    readers.add(pool.submit(() -> readUntilDone(log, writing, seed)));
                }
                writer.get(60, TimeUnit.SECONDS);
                for (Future<Long> reader : readers) {
                    assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
                }
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(log.logEndOffset()).isEqualTo(2L * batches);
            assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(10);
        }
    }

    /** Reads at moving offsets while the writer runs; checks every batch; returns how many it checked. */
    private static long readUntilDone(PartitionLog log, AtomicBoolean writing, int seed) {
        Random random = new Random(seed);
        long checked = 0;
        while (writing.get() || checked == 0) {
            long end = log.logEndOffset();
            if (end == 0) {
                continue;
            }
            long offset = (long) (random.nextDouble() * end);
            LogReadResult result = log.read(offset, 1 + random.nextInt(2_000), log.highWatermark(), true);
            Records records = result.records();
            long expectedNext = -1;
            for (RecordBatch batch : records.batches()) {
                batch.ensureValid();
                assertThat(batch.lastOffset()).isLessThan(result.highWatermark());
                if (expectedNext >= 0) {
                    assertThat(batch.baseOffset()).isEqualTo(expectedNext);
                }
                int i = 0;
                for (Record rec : batch) {
                    String value = TestRecords.string(rec.value());
                    assertThat(value).isEqualTo((i == 0 ? "a" : "b") + (batch.baseOffset() / 2));
                    i++;
                }
                expectedNext = batch.nextOffset();
                checked++;
            }
        }
        return checked;
    }
}
