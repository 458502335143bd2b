package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.concat;
import static io.strand.storage.TestRecords.idempotent;
import static io.strand.storage.TestRecords.replicated;
import static io.strand.storage.TestRecords.replicatedIdempotent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.checkpoint.EpochEndOffset;
import io.strand.storage.checkpoint.LeaderEpochCache.Entry;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link PartitionLog#appendAsFollower}: what a follower writes of the batches it fetched. */
class FollowerAppendTest {

    static final long PID = 4000L;
    static final short PRODUCER_EPOCH = 2;

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    @Test
    void keepsTheLeadersOffsetsAndEpochsAndRecordsWhereEachEpochBegan() {
        PartitionLog log = fx.log(LogConfig.defaults());

        LogAppendResult result = log.appendAsFollower(concat(replicated(0, 1, START_MS, "a", "b"),
                replicated(2, 1, START_MS, "c"), replicated(3, 4, START_MS, "d", "e", "f")));

        assertThat(result.firstOffset()).isZero();
        assertThat(result.lastOffset()).isEqualTo(5L);
        assertThat(result.recordCount()).isEqualTo(6);
        assertThat(log.logEndOffset()).isEqualTo(6L);
        assertThat(log.leaderEpochs()).containsExactly(new Entry(1, 0), new Entry(4, 3));
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 3));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(4, 6));
        Records stored = log.read(3, Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
        RecordBatch batch = stored.batches().iterator().next();
        assertThat(batch.baseOffset()).isEqualTo(3L);
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(4);
        assertThat(TestRecords.values(stored)).containsExactly("d", "e", "f");
    }

    @Test
    void storesTheLeadersBytesUnchanged() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords fetched = concat(replicated(0, 3, START_MS, "a"), replicatedIdempotent(1, 3, PID,
                PRODUCER_EPOCH, 0, START_MS + 5, "b", "c"));

        log.appendAsFollower(fetched);

        MemoryRecords stored = TestRecords.copy(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
        assertThat(stored.buffer()).isEqualTo(fetched.buffer());
    }

    @Test
    void refusesAFirstBatchBelowTheLogEndAndWritesNothing() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsFollower(replicated(0, 1, START_MS, "a", "b", "c"));
        long size = log.sizeInBytes();

        assertThatThrownBy(() -> log.appendAsFollower(concat(replicated(2, 1, START_MS, "c"),
                replicated(3, 1, START_MS, "d"))))
                .isInstanceOfSatisfying(UnexpectedAppendOffsetException.class, e -> {
                    assertThat(e.firstOffset()).isEqualTo(2L);
                    assertThat(e.logEndOffset()).isEqualTo(3L);
                });
        assertThat(log.logEndOffset()).isEqualTo(3L);
        assertThat(log.sizeInBytes()).isEqualTo(size);
    }

    @Test
    void acceptsAGapThatCompactionLeftInTheLeadersLog() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsFollower(replicated(0, 1, START_MS, "a"));

        log.appendAsFollower(concat(replicated(5, 1, START_MS, "f"), replicated(9, 1, START_MS, "j")));

        assertThat(log.logEndOffset()).isEqualTo(10L);
        assertThat(TestRecords.readAll(log)).isEqualTo(Map.of(0L, "a", 5L, "f", 9L, "j"));
        assertThat(TestRecords.values(log.read(3, Integer.MAX_VALUE, Long.MAX_VALUE, true).records()))
                .startsWith("f");
    }

    @Test
    void aCorruptBatchAnywhereInTheAnswerFailsItWritingNothing() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords fetched = concat(replicated(0, 1, START_MS, "a"), replicated(1, 1, START_MS, "b"));
        ByteBuffer buf = fetched.buffer();
        int lastByte = buf.limit() - 1;
        buf.put(lastByte, (byte) (buf.get(lastByte) ^ 0x5A));

        assertThatThrownBy(() -> log.appendAsFollower(fetched)).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void batchesWhoseOffsetsGoBackAreRefused() {
        PartitionLog log = fx.log(LogConfig.defaults());

        assertThatThrownBy(() -> log.appendAsFollower(concat(replicated(0, 1, START_MS, "a", "b"),
                replicated(1, 1, START_MS, "c")))).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void aPartialBatchAtTheEndOfTheAnswerIsDropped() {
        PartitionLog log = fx.log(LogConfig.defaults());
        MemoryRecords whole = concat(replicated(0, 1, START_MS, "a"), replicated(1, 1, START_MS, "b"));
        ByteBuffer cut = whole.buffer().duplicate().limit(whole.sizeInBytes() - 10);

        LogAppendResult result = log.appendAsFollower(MemoryRecords.readableRecords(cut.slice()));
        LogAppendResult nothing = log.appendAsFollower(MemoryRecords.readableRecords(
                replicated(1, 1, START_MS, "b").buffer().duplicate().limit(20).slice()));

        assertThat(result.lastOffset()).isZero();
        assertThat(log.logEndOffset()).isEqualTo(1L);
        assertThat(nothing.recordCount()).isZero();
        assertThat(nothing.firstOffset()).isEqualTo(-1L);
        assertThat(log.logEndOffset()).isEqualTo(1L);
    }

    @Test
    void aFollowerThatBecomesLeaderRecognisesTheProducersRetries() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsFollower(concat(replicatedIdempotent(0, 1, PID, PRODUCER_EPOCH, 0, START_MS, "a", "b"),
                replicated(2, 1, START_MS, "other"),
                replicatedIdempotent(3, 1, PID, PRODUCER_EPOCH, 2, START_MS, "c")));

        log.assignEpochStartOffset(2, log.logEndOffset());
        LogAppendResult retry = log.appendAsLeader(idempotent(PID, PRODUCER_EPOCH, 0, START_MS, "a", "b"), 2);

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isZero();
        assertThat(retry.lastOffset()).isEqualTo(1L);
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, PRODUCER_EPOCH, 5, START_MS, "gap"), 2))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.appendAsLeader(idempotent(PID, PRODUCER_EPOCH, 3, START_MS, "d"), 2).firstOffset())
                .isEqualTo(4L);
    }

    @Test
    void rollsIndexesAndFlushesAsTheLeaderPathDoes() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 300, TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0,
                TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, 1L));

        for (int i = 0; i < 20; i++) {
            log.appendAsFollower(replicated(2L * i, 1 + i / 7, START_MS + i, "x" + i, "y" + i));
        }

        assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(3);
        assertThat(log.segmentBaseOffsets()).allMatch(base -> base % 2 == 0);
        assertThat(log.recoveryPoint()).isEqualTo(40L);
        for (long offset = 0; offset < 40; offset++) {
            Records r = log.read(offset, 1, Long.MAX_VALUE, true).records();
            assertThat(r.batches().iterator().next().baseOffset()).isEqualTo(offset - offset % 2);
        }
        assertThat(log.offsetForTimestamp(START_MS + 13).orElseThrow().offset()).isEqualTo(26L);
    }

    @Test
    void anAnswerIsWrittenAtOnceAndARollStartsTheNewSegmentAtItsFirstBatch() {
        PartitionLog log = fx.log(config(TopicConfig.SEGMENT_BYTES_CONFIG, 200));
        log.appendAsFollower(replicated(0, 1, START_MS, "a".repeat(120)));

        log.appendAsFollower(concat(replicated(4, 1, START_MS, "b".repeat(120)), replicated(5, 2, START_MS, "c"),
                replicated(6, 2, START_MS, "d")));

        assertThat(log.segmentBaseOffsets()).containsExactly(0L, 4L);
        assertThat(log.leaderEpochs()).containsExactly(new Entry(1, 0), new Entry(2, 5));
        assertThat(TestRecords.readAll(log)).containsOnlyKeys(0L, 4L, 5L, 6L);
    }

    @Test
    void aCrashKeepsWhatTheFollowerWroteWithItsEpochsAndProducers() {
        LogConfig small = config(TopicConfig.SEGMENT_BYTES_CONFIG, 300);
        PartitionLog log = fx.log(small);
        for (int i = 0; i < 12; i++) {
            log.appendAsFollower(replicatedIdempotent(i, 1 + i / 5, PID, PRODUCER_EPOCH, i, START_MS + i, "v" + i));
        }
        log.flush();
        Map<Long, String> before = TestRecords.readAll(log);
        List<Entry> epochs = log.leaderEpochs();

        fx.crashAndRestart();
        PartitionLog reopened = fx.log(small);

        assertThat(TestRecords.readAll(reopened)).isEqualTo(before);
        assertThat(reopened.logEndOffset()).isEqualTo(12L);
        assertThat(reopened.leaderEpochs()).isEqualTo(epochs).containsExactly(new Entry(1, 0), new Entry(2, 5),
                new Entry(3, 10));
        reopened.assignEpochStartOffset(4, 12);
        assertThat(reopened.appendAsLeader(idempotent(PID, PRODUCER_EPOCH, 11, START_MS, "v11"), 4).duplicate())
                .isTrue();
        assertThat(reopened.appendAsLeader(idempotent(PID, PRODUCER_EPOCH, 12, START_MS, "v12"), 4).firstOffset())
                .isEqualTo(12L);
    }

    @Test
    void anOlderEpochFromTheLeaderReplacesAnEpochThisReplicaBeganWithoutBatches() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsFollower(replicated(0, 1, START_MS, "a"));
        log.assignEpochStartOffset(3, 1);

        log.appendAsFollower(replicated(1, 2, START_MS, "b"));

        assertThat(log.leaderEpochs()).containsExactly(new Entry(1, 0), new Entry(2, 1));
    }
}
