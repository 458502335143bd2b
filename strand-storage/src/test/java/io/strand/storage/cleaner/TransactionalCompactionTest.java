package io.strand.storage.cleaner;

import static io.strand.storage.cleaner.Compacted.append;
import static io.strand.storage.cleaner.Compacted.latestPerKey;
import static io.strand.storage.cleaner.Compacted.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogFixture;
import io.strand.storage.index.AbortedTxn;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import io.strand.storage.log.SwapObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Compaction of a log holding transactions, Kafka's rules (its {@code LogCleaner} with {@code CleanedTransactionMetadata}). */
class TransactionalCompactionTest {

    static final long P = 100L;
    static final long Q = 200L;
    static final short EPOCH = 0;
    static final LogConfig CONFIG = Compacted.config("segment.bytes", 400);

    @TempDir
    Path dir;

    private final int[] sequences = new int[2];

    /** One transactional batch of {@code key=value} pairs of producer P or Q. */
    private void appendTxn(PartitionLog log, long producerId, String... pairs) {
        SimpleRecord[] records = new SimpleRecord[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            String[] kv = pairs[i].split("=", 2);
            records[i] = new SimpleRecord(LogFixture.START_MS, kv[0].getBytes(StandardCharsets.UTF_8),
                    kv[1].getBytes(StandardCharsets.UTF_8));
        }
        int p = producerId == P ? 0 : 1;
        log.appendAsLeader(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, EPOCH, sequences[p],
                records), 0);
        sequences[p] += pairs.length;
    }

    private static void others(LogFixture f, PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            append(log, CompressionType.NONE, f.time.milliseconds(), "other" + (i % 3) + "=o" + i);
        }
    }

    private static void catchUp(PartitionLog log) {
        log.updateHighWatermark(log.logEndOffset());
    }

    /** The control batches in the log, as (offset, producer id). */
    private static List<Long> markerOffsets(PartitionLog log) {
        List<Long> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            Records r = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
            long next = offset;
            for (RecordBatch batch : r.batches()) {
                if (batch.isControlBatch() && batch.baseOffset() >= offset) {
                    out.add(batch.baseOffset());
                }
                next = batch.nextOffset();
            }
            offset = next;
        }
        return out;
    }

    @Test
    void abortedValuesNeitherShadowCommittedOnesNorSurvive() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(CONFIG);
            append(log, CompressionType.NONE, f.time.milliseconds(), "k1=committed", "k2=old");
            appendTxn(log, P, "k1=aborted", "k2=aborted");
            appendTxn(log, Q, "k2=fromQ");
            log.appendMarker(P, EPOCH, 0, false, 0);
            log.appendMarker(Q, EPOCH, 0, true, 0);
            others(f, log, 12);
            catchUp(log);
            List<AbortedTxn> abortedBefore = log.collectAbortedTransactions(0, log.logEndOffset());
            assertThat(abortedBefore).extracting(AbortedTxn::producerId).containsExactly(P);

            assertThat(f.cleaner().cleanOnce()).isTrue();

            List<Compacted.Entry> after = readAll(log);
            assertThat(after).noneMatch(e -> "aborted".equals(e.value()));
            assertThat(latestPerKey(after)).filteredOn(e -> e.key().startsWith("k"))
                    .extracting(Compacted.Entry::value).containsExactly("committed", "fromQ");
            // P's data batch stays as an empty batch (its producer's last), so its marker and entry stay
            assertThat(log.collectAbortedTransactions(0, log.logEndOffset())).isEqualTo(abortedBefore);
        }
    }

    @Test
    void aMarkerGoesOnceItsTransactionsDataIsGoneAndDeleteRetentionPassed() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(CONFIG);
            appendTxn(log, P, "k1=aborted");
            long abortMarker = log.appendMarker(P, EPOCH, 0, false, 0).firstOffset();
            appendTxn(log, Q, "k2=q1");
            long commitMarker = log.appendMarker(Q, EPOCH, 0, true, 0).firstOffset();
            append(log, CompressionType.NONE, f.time.milliseconds(), "k2=newer");
            others(f, log, 12);
            catchUp(log);
            // both producers expire, so their last batches need not stay
            f.time.advance(86_400_000L + 300_000L);
            f.runScheduler();
            assertThat(log.producerState().entry(P)).isNull();

            f.cleaner().cleanNow(log);
            // the data went in this pass; the markers stay until a pass finds no data before them
            assertThat(markerOffsets(log)).contains(abortMarker, commitMarker);
            assertThat(log.collectAbortedTransactions(0, log.logEndOffset())).hasSize(1);
            f.cleaner().cleanNow(log);
            assertThat(markerOffsets(log)).contains(abortMarker, commitMarker);
            assertThat(log.collectAbortedTransactions(0, log.logEndOffset())).isEmpty();

            f.time.advance(log.config().deleteRetentionMs());
            f.cleaner().cleanNow(log);

            assertThat(markerOffsets(log)).doesNotContain(abortMarker, commitMarker);
            assertThat(readAll(log)).extracting(Compacted.Entry::value).doesNotContain("aborted", "q1").contains("newer");
        }
    }

    @Test
    void nothingAtOrAboveTheLastStableOffsetIsCleaned() {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(CONFIG);
            append(log, CompressionType.NONE, f.time.milliseconds(), "k1=v0");
            appendTxn(log, P, "k1=open");
            for (int i = 1; i < 15; i++) {
                append(log, CompressionType.NONE, f.time.milliseconds(), "k1=v" + i);
            }
            catchUp(log);
            assertThat(log.lastStableOffset()).isEqualTo(1L);
            List<Compacted.Entry> before = readAll(log);

            assertThat(f.cleaner().cleanOnce()).isFalse();
            assertThat(readAll(log)).isEqualTo(before);

            log.appendMarker(P, EPOCH, 0, true, 0);
            others(f, log, 3);
            catchUp(log);
            assertThat(f.cleaner().cleanOnce()).isTrue();
            assertThat(readAll(log)).extracting(Compacted.Entry::value).doesNotContain("v0", "open", "v1");
        }
    }

    @ParameterizedTest
    @EnumSource(SwapObserver.Step.class)
    void aCrashAtAnySwapStepKeepsTheAbortedTransactions(SwapObserver.Step crashStep) {
        try (LogFixture f = new LogFixture(dir)) {
            PartitionLog log = f.log(CONFIG);
            for (int round = 0; round < 4; round++) {
                appendTxn(log, P, "k1=aborted" + round);
                others(f, log, 2);
                log.appendMarker(P, EPOCH, 0, false, 0);
                appendTxn(log, Q, "k1=committed" + round);
                log.appendMarker(Q, EPOCH, 0, true, 0);
            }
            others(f, log, 6);
            catchUp(log);
            List<AbortedTxn> aborted = log.collectAbortedTransactions(0, log.logEndOffset());
            assertThat(aborted).hasSize(4);
            List<Compacted.Entry> latest = latestPerKey(readAll(log).stream()
                    .filter(e -> !e.value().startsWith("aborted")).toList());
            f.cleaner().setSwapObserver(step -> {
                if (step == crashStep) {
                    throw new LogCleanerTest.SimulatedCrash(step);
                }
            });
            f.cleaner().cleanOnce();

            f.crashAndRestart();
            PartitionLog reopened = f.log(CONFIG);

            List<AbortedTxn> afterCrash = reopened.collectAbortedTransactions(0, reopened.logEndOffset());
            assertThat(afterCrash).isSubsetOf(aborted);
            List<Compacted.Entry> visible = readAll(reopened).stream()
                    .filter(e -> afterCrash.stream().noneMatch(t -> t.firstOffset() <= e.offset()
                            && e.offset() < t.lastOffset())).toList();
            assertThat(visible).noneMatch(e -> e.value().startsWith("aborted"));
            assertThat(latestPerKey(visible)).isEqualTo(latest);
        }
    }
}
