package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import io.strand.common.time.ManualTime;
import org.junit.jupiter.api.Test;

class ShareSessionCacheTest {

    private static final TopicIdPartition P0 = new TopicIdPartition(Uuid.randomUuid(), 0, "t");
    private static final TopicIdPartition P1 = new TopicIdPartition(P0.topicId(), 1, "t");

    private final ManualTime time = new ManualTime();
    private final ShareSessionCache cache = new ShareSessionCache(2, time);

    @Test
    void epochsRunFromOneAfterTheOpeningRequest() {
        assertThat(cache.use("g", "m", 0, Set.of(P0), Set.of()).error()).isEqualTo(Errors.NONE);
        assertThat(cache.use("g", "m", 1, Set.of(P1), Set.of()).partitions()).containsExactlyInAnyOrder(P0, P1);
        assertThat(cache.use("g", "m", 1, Set.of(), Set.of()).error()).isEqualTo(Errors.INVALID_SHARE_SESSION_EPOCH);
        ShareSessionCache.Use forgot = cache.use("g", "m", 2, Set.of(), Set.of(P0));
        assertThat(forgot.partitions()).containsExactly(P1);
        assertThat(forgot.released()).containsExactly(P0);
    }

    @Test
    void closingReleasesEveryPartitionAndForgetsTheSession() {
        cache.use("g", "m", 0, Set.of(P0, P1), Set.of());

        assertThat(cache.use("g", "m", -1, Set.of(), Set.of()).released()).containsExactlyInAnyOrder(P0, P1);

        assertThat(cache.use("g", "m", 1, Set.of(), Set.of()).error()).isEqualTo(Errors.SHARE_SESSION_NOT_FOUND);
        assertThat(cache.size()).isZero();
    }

    @Test
    void reopeningReleasesWhatTheOldSessionHeldAndTheNewOneDoesNotName() {
        cache.use("g", "m", 0, Set.of(P0, P1), Set.of());

        ShareSessionCache.Use reopened = cache.use("g", "m", 0, Set.of(P1), Set.of());

        assertThat(reopened.full()).isTrue();
        assertThat(reopened.released()).containsExactly(P0);
    }

    @Test
    void theLimitEvictsOnlyIdleSessions() {
        cache.use("g", "m1", 0, Set.of(P0), Set.of());
        cache.use("g", "m2", 0, Set.of(P0), Set.of());

        assertThat(cache.use("g", "m3", 0, Set.of(P0), Set.of()).error()).isEqualTo(Errors.SHARE_SESSION_LIMIT_REACHED);

        time.advance(ShareSessionCache.EVICTABLE_IDLE_MS + 1);
        assertThat(cache.use("g", "m3", 0, Set.of(P0), Set.of()).error()).isEqualTo(Errors.NONE);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void closingForAGoneConnectionClosesOnlyTheSessionItOpened() {
        Object first = cache.use("g", "m", 0, Set.of(P0), Set.of()).session();
        Object second = cache.use("g", "m", 0, Set.of(P1), Set.of()).session();

        assertThat(cache.closeIfCurrent("g", "m", first)).as("replaced already").isEmpty();
        assertThat(cache.size()).isEqualTo(1);

        assertThat(cache.closeIfCurrent("g", "m", second)).containsExactly(P1);
        assertThat(cache.size()).isZero();
    }
}
