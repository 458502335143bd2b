package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.TestRecords.idempotent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.LogFixture;
import io.strand.storage.TestRecords;
import io.strand.storage.file.LogFileNames;
import java.nio.file.Files;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IdempotentProducerTest {

    static final long PID = 1000L;
    static final short EPOCH = 0;

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    @Test
    void aRetriedBatchReturnsTheOriginalOffsetsAndIsNotAppended() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(TestRecords.batch(START_MS, "other"), 0);
        LogAppendResult first = log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS, "a", "b"), 0);
        LogAppendResult second = log.appendAsLeader(idempotent(PID, EPOCH, 2, START_MS, "c"), 0);
        long size = log.sizeInBytes();

        LogAppendResult retryOfFirst = log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS, "a", "b"), 0);

        assertThat(retryOfFirst.duplicate()).isTrue();
        assertThat(retryOfFirst.firstOffset()).isEqualTo(first.firstOffset()).isEqualTo(1L);
        assertThat(retryOfFirst.lastOffset()).isEqualTo(first.lastOffset()).isEqualTo(2L);
        assertThat(log.logEndOffset()).isEqualTo(second.lastOffset() + 1);
        assertThat(log.sizeInBytes()).isEqualTo(size);
    }

    @Test
    void aRetryIsAnsweredWithTheOriginalBatchsMaxTimestampAsItsAppendTime() {
        PartitionLog log = fx.log(LogConfig.defaults());
        LogAppendResult first = log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS + 7, "a"), 0);

        LogAppendResult retry = log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS + 7, "a"), 0);

        assertThat(first.logAppendTimeMs()).as("CreateTime: no append time").isEqualTo(-1L);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.logAppendTimeMs()).as("as Kafka answers a retry").isEqualTo(START_MS + 7);
    }

    @Test
    void onlyTheLastFiveBatchesAreRemembered() {
        PartitionLog log = fx.log(LogConfig.defaults());
        for (int seq = 0; seq < 6; seq++) {
            log.appendAsLeader(idempotent(PID, EPOCH, seq, START_MS, "v" + seq), 0);
        }

        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 1, START_MS, "v1"), 0).duplicate()).isTrue();
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS, "v0"), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void aSequenceGapIsRejected() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS, "a", "b"), 0);

        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, EPOCH, 3, START_MS, "d"), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(2L);
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 2, START_MS, "c"), 0).firstOffset()).isEqualTo(2L);
    }

    @Test
    void anOlderEpochIsFencedAndANewEpochStartsAtZero() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, (short) 3, 0, START_MS, "a"), 0);

        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, (short) 2, 1, START_MS, "b"), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(PID, (short) 4, 5, START_MS, "b"), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.appendAsLeader(idempotent(PID, (short) 4, 0, START_MS, "b"), 0).duplicate()).isFalse();
        assertThat(log.logEndOffset()).isEqualTo(2L);
    }

    @Test
    void anUnknownProducerMayStartAtAnySequence() {
        PartitionLog log = fx.log(LogConfig.defaults());

        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 42, START_MS, "a"), 0).firstOffset()).isZero();
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 43, START_MS, "b"), 0).firstOffset()).isEqualTo(1L);
    }

    @Test
    void sequencesWrapAroundAfterIntMax() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, Integer.MAX_VALUE, START_MS, "a"), 0);

        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS, "b"), 0).duplicate()).isFalse();
    }

    @Test
    void producerStateSurvivesACleanRestart() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS, "a", "b"), 0);
        log.appendAsLeader(idempotent(PID, EPOCH, 2, START_MS, "c"), 0);

        fx.restartClean();
        log = fx.log(LogConfig.defaults());

        assertThat(fx.partitionDir().resolve(LogFileNames.offsetName(3) + LogFileNames.SNAPSHOT_SUFFIX)).exists();
        LogAppendResult retry = log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS, "a", "b"), 0);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isZero();
        PartitionLog reopened = log;
        assertThatThrownBy(() -> reopened.appendAsLeader(idempotent(PID, EPOCH, 4, START_MS, "e"), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 3, START_MS, "d"), 0).firstOffset()).isEqualTo(3L);
    }

    @Test
    void producerStateSurvivesAnUncleanRestartByReplayingTheLogAfterTheLatestSnapshot() throws Exception {
        LogConfig config = LogFixture.config(TopicConfig.SEGMENT_BYTES_CONFIG, 250);
        PartitionLog log = fx.log(config);
        for (int seq = 0; seq < 8; seq++) {
            log.appendAsLeader(idempotent(PID, EPOCH, seq, START_MS, "value-" + seq), 0);
        }
        log.appendAsLeader(idempotent(PID + 1, (short) 7, 0, START_MS, "other"), 0);
        assertThat(log.segmentBaseOffsets()).hasSizeGreaterThan(1);
        assertThat(log.producerState().snapshotOffsets()).isNotEmpty();

        fx.crashAndRestart();
        log = fx.log(config);

        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 7, START_MS, "value-7"), 0).duplicate()).isTrue();
        LogAppendResult otherRetry = log.appendAsLeader(idempotent(PID + 1, (short) 7, 0, START_MS, "other"), 0);
        assertThat(otherRetry.duplicate()).isTrue();
        assertThat(otherRetry.firstOffset()).isEqualTo(8L);
        PartitionLog reopened = log;
        assertThatThrownBy(() -> reopened.appendAsLeader(idempotent(PID, EPOCH, 9, START_MS, "gap"), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 8, START_MS, "value-8"), 0).firstOffset()).isEqualTo(9L);
        assertThat(Files.exists(fx.partitionDir())).isTrue();
    }

    @Test
    void idleProducersExpire() {
        PartitionLog log = fx.log(LogConfig.defaults());
        log.appendAsLeader(idempotent(PID, EPOCH, 0, START_MS, "a"), 0);
        fx.time.advance(86_400_000L);
        fx.time.advance(300_000L);

        fx.runScheduler();

        assertThat(log.producerState().entry(PID)).isNull();
        assertThat(log.appendAsLeader(idempotent(PID, EPOCH, 17, fx.time.milliseconds(), "b"), 0).duplicate()).isFalse();
    }
}
