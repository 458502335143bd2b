package io.strand.storage.log;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.TestRecords.idempotent;
import static io.strand.storage.TestRecords.replicatedIdempotent;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A producer's batch that reached a follower before its leader was deposed (the old leader answered
 * NOT_LEADER_OR_FOLLOWER, so the client holds the records as unwritten): the new leader recognises a retry
 * in the same epoch by producer id, epoch and sequences and writes nothing; the same records renumbered
 * under the next epoch from sequence 0 (what librdkafka sends after bumping its epoch) are new records to
 * it and are written a second time, as Kafka writes them. The fault lab reports such copies as RESENT.
 */
class RetryAfterLeaderChangeTest {

    static final long PID = 1000L;

    @RegisterExtension
    final LogFixture fx = LogFixture.perTest();

    @Test
    void aRetryInTheSameEpochIsRecognisedAndRenumberedRecordsUnderANewEpochAreNew() {
        PartitionLog log = fx.log(LogConfig.defaults());
        // fetched from the old leader (epoch 1): sequences 0..1, then 2..3
        log.appendAsFollower(replicatedIdempotent(0, 1, PID, (short) 0, 0, START_MS, "a", "b"));
        log.appendAsFollower(replicatedIdempotent(2, 1, PID, (short) 0, 2, START_MS, "c", "d"));

        // now the leader (epoch 2): the client retries its last batch
        LogAppendResult retry = log.appendAsLeader(idempotent(PID, (short) 0, 2, START_MS, "c", "d"), 2);

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(2L);
        assertThat(log.logEndOffset()).isEqualTo(4L);

        LogAppendResult renumbered = log.appendAsLeader(idempotent(PID, (short) 1, 0, START_MS, "c", "d"), 2);

        assertThat(renumbered.duplicate()).isFalse();
        assertThat(renumbered.firstOffset()).isEqualTo(4L);
        assertThat(log.logEndOffset()).isEqualTo(6L);
    }
}
