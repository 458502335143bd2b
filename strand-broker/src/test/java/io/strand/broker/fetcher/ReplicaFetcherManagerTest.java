package io.strand.broker.fetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.common.test.ThreadLeakCheck;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

/** Fetchers per leader, partitions moving between them, and close, with leaders in memory. */
class ReplicaFetcherManagerTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final TopicPartition TP0 = new TopicPartition("orders", 0);
    private static final TopicPartition TP1 = new TopicPartition("orders", 1);

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final Map<Integer, FakeLeader> leaders = new HashMap<>();
    private final InMemoryLog leaderLog0 = new InMemoryLog(TP0, TOPIC_ID);
    private final InMemoryLog leaderLog1 = new InMemoryLog(TP1, TOPIC_ID);

    private ReplicaFetcherManager manager() {
        FetcherConfig config = new FetcherConfig(3, 1_048_576, 10_485_760, 10, 1, 10, 30_000);
        return new ReplicaFetcherManager(config, () -> 1L, id -> {
            // Broker 1 leads TP0 and broker 2 leads TP1; an in-memory leader answers for one log.
            FakeLeader leader = new FakeLeader(id, id == 1 ? leaderLog0 : leaderLog1, 0).holdingEmptyAnswersFor(10);
            leaders.put(id, leader);
            return leader;
        }, Time.SYSTEM, null);
    }

    @Test
    void runsOneFetcherPerLeaderAndStopsItWhenIdle() {
        leaderLog0.appendBatch(0, "a");
        leaderLog1.appendBatch(0, "b");
        InMemoryLog follower0 = new InMemoryLog(TP0, TOPIC_ID);
        InMemoryLog follower1 = new InMemoryLog(TP1, TOPIC_ID);
        try (ReplicaFetcherManager manager = manager()) {
            manager.follow(follower0, 1, 0);
            manager.follow(follower1, 2, 0);
            assertThat(manager.fetcherCount()).isEqualTo(2);
            assertThat(threads.newLiveThreads()).contains("strand-replica-fetcher-1", "strand-replica-fetcher-2");
            await().atMost(Duration.ofSeconds(20)).until(() -> follower0.logEndOffset() == 1
                    && follower1.logEndOffset() == 1);

            manager.unfollow(TP1);
            assertThat(manager.fetcherCount()).isEqualTo(1);
            assertThat(leaders.get(2).closed()).isTrue();
            assertThat(threads.newLiveThreads()).doesNotContain("strand-replica-fetcher-2");
            assertThat(manager.leaderOf(TP1)).isEmpty();

            leaderLog1.appendBatch(0, "c");
            manager.unfollow(TP1);
            assertThat(follower1.logEndOffset()).isEqualTo(1);
        }
        threads.assertNoNewThreads();
        assertThat(leaders.get(1).closed()).isTrue();
    }

    @Test
    void aNewLeaderTakesThePartitionOver() {
        leaderLog0.appendBatch(0, "a");
        InMemoryLog follower = new InMemoryLog(TP0, TOPIC_ID);
        try (ReplicaFetcherManager manager = manager()) {
            manager.follow(follower, 1, 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> follower.logEndOffset() == 1);

            // Broker 2 becomes the leader of TP0 at epoch 1 (its fake leads leaderLog1, here standing for it).
            leaderLog1.appendBatch(0, "a").appendBatch(1, "b");
            manager.follow(follower, 2, 0);
            assertThat(manager.leaderOf(TP0)).isEqualTo(OptionalInt.of(2));
            assertThat(manager.fetcherCount()).isEqualTo(1);
            assertThat(leaders.get(1).closed()).isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> follower.logEndOffset() == 2);
            assertThat(follower.contents()).containsExactly("0:0:a", "1:1:b");
        }
        threads.assertNoNewThreads();
    }

    @Test
    void numReplicaFetchersSpreadsOneLeadersPartitionsOverThatManyFetchers() {
        FetcherConfig config = new FetcherConfig(3, 1_048_576, 10_485_760, 10, 1, 10, 30_000, 2);
        // Kafka's spread puts partitions 0 and 1 of a topic on different fetchers when there are two.
        assertThat(config.fetcherIdOf(TP0.topic(), TP0.partition()))
                .isNotEqualTo(config.fetcherIdOf(TP1.topic(), TP1.partition()));
        leaderLog0.appendBatch(0, "a");
        leaderLog1.appendBatch(0, "b");
        InMemoryLog follower0 = new InMemoryLog(TP0, TOPIC_ID);
        InMemoryLog follower1 = new InMemoryLog(TP1, TOPIC_ID);
        // Broker 1 leads both partitions; each fetcher gets its own connection, made in the order
        // the partitions are first followed: the fake for TP0's log first, then TP1's.
        java.util.List<FakeLeader> connections = new java.util.ArrayList<>();
        try (ReplicaFetcherManager manager = new ReplicaFetcherManager(config, () -> 1L, id -> {
            FakeLeader leader = new FakeLeader(id, connections.isEmpty() ? leaderLog0 : leaderLog1, 0)
                    .holdingEmptyAnswersFor(10);
            connections.add(leader);
            return leader;
        }, Time.SYSTEM, null)) {
            manager.follow(follower0, 1, 0);
            manager.follow(follower1, 1, 0);
            assertThat(manager.fetcherCount()).isEqualTo(2);
            assertThat(connections).hasSize(2);
            assertThat(threads.newLiveThreads()).anyMatch(name -> name.startsWith("strand-replica-fetcher-1-"))
                    .contains("strand-replica-fetcher-1");
            await().atMost(Duration.ofSeconds(20)).until(() -> follower0.logEndOffset() == 1
                    && follower1.logEndOffset() == 1);

            manager.unfollow(TP0);
            assertThat(manager.fetcherCount()).isEqualTo(1);
            assertThat(connections.get(0).closed()).isTrue();
            assertThat(connections.get(1).closed()).isFalse();
        }
        threads.assertNoNewThreads();
    }

    @Test
    void refusesToFollowItself() {
        try (ReplicaFetcherManager manager = manager()) {
            assertThatThrownBy(() -> manager.follow(new InMemoryLog(TP0, TOPIC_ID), 3, 0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
