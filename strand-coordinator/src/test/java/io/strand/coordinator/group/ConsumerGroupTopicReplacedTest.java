package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import io.strand.coordinator.group.record.FormerTopics;
import io.strand.coordinator.group.record.MemberState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * A consumer group's subscribed topic deleted, or deleted and created again under its name, as Kafka's
 * groups see it (they name topics by id): the group epoch moves, a member keeps reporting the old
 * topic's partitions until it revokes them, and a topic created again is assigned afresh once they are.
 * A change of the racks of a subscribed topic's replicas moves the group epoch too, as Kafka's metadata
 * hash covers them. The shard reads the same mutable topic ids and racks as the requests do, as a
 * broker's metadata image.
 */
class ConsumerGroupTopicReplacedTest {

    private final ManualTime time = new ManualTime();
    private final InMemoryOffsetsTopicLog log = new InMemoryOffsetsTopicLog();
    private final Map<String, Integer> topics = new HashMap<>(Map.of("orders", 2, "payments", 1));
    private final MapTopicIds lookup = new MapTopicIds();
    private final Map<String, Uuid> ids = lookup.ids;
    private final Map<String, List<List<String>>> racks = lookup.racks;

    {
        ids.putAll(Map.of("orders", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ"),
                "payments", Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAg")));
    }

    private final ShardHarness h = harness(new Random(1));

    private ShardHarness harness(Random random) {
        return new ShardHarness(ConsumerGroupHeartbeatTest.AT_ONCE, log, time, random, () -> Map.copyOf(topics),
                groupId -> Map.of(), lookup);
    }

    private ConsumerGroupHeartbeatResponseData send(ShardHarness on, ConsumerGroupHeartbeatRequestData request) {
        return on.run(s -> s.consumerOp().heartbeat((short) 1, "client", "/127.0.0.1", request, lookup,
                TopicAccess.ALL));
    }

    private ConsumerGroupHeartbeatResponseData join(String... topicNames) {
        return send(h, new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1").setMemberEpoch(0)
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of(topicNames))
                .setTopicPartitions(List.of()));
    }

    /** A heartbeat reporting {@code owned} by topic id: a client goes on naming a topic by the id it was given. */
    private static ConsumerGroupHeartbeatRequestData heartbeat(int epoch, Map<Uuid, Set<Integer>> owned) {
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> list = new ArrayList<>();
        owned.forEach((id, partitions) -> list.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                .setTopicId(id).setPartitions(new ArrayList<>(partitions))));
        return new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1").setMemberEpoch(epoch)
                .setRebalanceTimeoutMs(-1).setTopicPartitions(list);
    }

    private static Map<Uuid, Set<Integer>> byId(ConsumerGroupHeartbeatResponseData response) {
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.assignment()).as("assignment sent").isNotNull();
        Map<Uuid, Set<Integer>> out = new TreeMap<>();
        response.assignment().topicPartitions().forEach(tp -> out.put(tp.topicId(), new TreeSet<>(tp.partitions())));
        return out;
    }

    /** Deletes {@code topic} and, if {@code partitions} > 0, creates it again under a new id. */
    private void replace(String topic, int partitions, Uuid newId) {
        topics.remove(topic);
        ids.remove(topic);
        if (partitions > 0) {
            topics.put(topic, partitions);
            ids.put(topic, newId);
        }
    }

    @Test
    void aTopicCreatedAgainIsRevokedThenGivenAfresh() {
        Uuid oldOrders = ids.get("orders");
        Uuid newOrders = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw");
        assertThat(byId(join("orders"))).isEqualTo(Map.of(oldOrders, Set.of(0, 1)));
        assertThat(send(h, heartbeat(2, Map.of(oldOrders, Set.of(0, 1)))).assignment()).isNull();

        replace("orders", 2, newOrders); // as many partitions: only the id tells

        ConsumerGroupHeartbeatResponseData revoke = send(h, heartbeat(2, Map.of(oldOrders, Set.of(0, 1))));
        assertThat(revoke.memberEpoch()).isEqualTo(2);
        assertThat(byId(revoke)).isEmpty();
        var group = h.shard.consumerGroup("g");
        assertThat(group.groupEpoch()).isEqualTo(3);
        assertThat(group.member("m1").state()).isEqualTo(MemberState.UNREVOKED_PARTITIONS);
        assertThat(group.member("m1").pendingRevocation()).isEqualTo(Map.of(FormerTopics.name(oldOrders), Set.of(0, 1)));
        assertThat(group.subscribedTopicIds()).isEqualTo(Map.of("orders", newOrders));
        // Described as Kafka describes it: the old topic is no topic now, the target is the new one's.
        ConsumerGroupDescribeResponseData.Member described = h.shard.adminOps().describeConsumerGroup("g", lookup)
                .members().get(0);
        assertThat(described.assignment().topicPartitions()).isEmpty();
        assertThat(described.targetAssignment().topicPartitions()).singleElement()
                .satisfies(tp -> assertThat(tp.topicId()).isEqualTo(newOrders));

        // Still reporting the old topic's partitions: nothing changes, and nothing is sent.
        ConsumerGroupHeartbeatResponseData waiting = send(h, heartbeat(2, Map.of(oldOrders, Set.of(0, 1))));
        assertThat(waiting.memberEpoch()).isEqualTo(2);
        assertThat(waiting.assignment()).isNull();

        ConsumerGroupHeartbeatResponseData given = send(h, heartbeat(2, Map.of()));
        assertThat(given.memberEpoch()).isEqualTo(3);
        assertThat(byId(given)).isEqualTo(Map.of(newOrders, Set.of(0, 1)));
        assertThat(h.shard.consumerGroup("g").member("m1").pendingRevocation()).isEmpty();
    }

    @Test
    void aDeletedTopicIsRevokedOnceTheMemberNoLongerReportsIt() {
        Uuid orders = ids.get("orders");
        Uuid payments = ids.get("payments");
        join("orders", "payments");
        send(h, heartbeat(2, Map.of(orders, Set.of(0, 1), payments, Set.of(0))));

        replace("payments", 0, null);

        ConsumerGroupHeartbeatResponseData revoke = send(h, heartbeat(2, Map.of(orders, Set.of(0, 1),
                payments, Set.of(0))));
        assertThat(revoke.memberEpoch()).isEqualTo(2);
        assertThat(byId(revoke)).isEqualTo(Map.of(orders, Set.of(0, 1)));
        assertThat(send(h, heartbeat(2, Map.of(orders, Set.of(0, 1), payments, Set.of(0)))).memberEpoch())
                .isEqualTo(2);

        ConsumerGroupHeartbeatResponseData revoked = send(h, heartbeat(2, Map.of(orders, Set.of(0, 1))));
        assertThat(revoked.memberEpoch()).isEqualTo(3);
        assertThat(revoked.assignment()).isNull(); // what it holds did not change
        assertThat(h.shard.consumerGroup("g").member("m1").state()).isEqualTo(MemberState.STABLE);
    }

    @Test
    void aNewLeaderLoadsTheOldTopicByItsIdAndTheMemberRevokesIt() {
        Uuid oldOrders = ids.get("orders");
        Uuid newOrders = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw");
        join("orders");
        send(h, heartbeat(2, Map.of(oldOrders, Set.of(0, 1))));

        replace("orders", 2, newOrders);
        ShardHarness failover = harness(new Random(2));

        // Loaded: the member's partitions of the old topic by its id, which no topic has now.
        assertThat(failover.shard.consumerGroup("g").member("m1").assigned())
                .isEqualTo(Map.of(FormerTopics.name(oldOrders), Set.of(0, 1)));
        ConsumerGroupHeartbeatResponseData revoke = send(failover, heartbeat(2, Map.of(oldOrders, Set.of(0, 1))));
        assertThat(revoke.memberEpoch()).isEqualTo(2);
        assertThat(byId(revoke)).isEmpty();
        assertThat(byId(send(failover, heartbeat(2, Map.of())))).isEqualTo(Map.of(newOrders, Set.of(0, 1)));

        // What the new leader wrote loads back as it holds it.
        ShardHarness replayed = harness(new Random(3));
        assertThat(replayed.shard.consumerSnapshot()).isEqualTo(failover.shard.consumerSnapshot());
    }

    @Test
    void whileTheOldTopicIsRevokedTheNewOneIsReplayedFromTheLogAsIs() {
        Uuid oldOrders = ids.get("orders");
        join("orders");
        send(h, heartbeat(2, Map.of(oldOrders, Set.of(0, 1))));
        replace("orders", 2, Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAw"));
        send(h, heartbeat(2, Map.of(oldOrders, Set.of(0, 1))));

        ShardHarness replayed = harness(new Random(3));
        assertThat(replayed.shard.consumerSnapshot()).isEqualTo(h.shard.consumerSnapshot());
    }

    @Test
    void aChangeOfTheReplicasRacksMovesTheGroupEpochAndLoadsBack() {
        Uuid orders = ids.get("orders");
        join("orders");
        send(h, heartbeat(2, Map.of(orders, Set.of(0, 1))));
        assertThat(h.shard.consumerGroup("g").groupEpoch()).isEqualTo(2);

        racks.put("orders", List.of(List.of("rack-a"), List.of("rack-b")));
        ConsumerGroupHeartbeatResponseData moved = send(h, heartbeat(2, Map.of(orders, Set.of(0, 1))));
        assertThat(moved.memberEpoch()).as("the same partitions at the new epoch").isEqualTo(3);
        assertThat(h.shard.consumerGroup("g").groupEpoch()).isEqualTo(3);
        assertThat(send(h, heartbeat(3, Map.of(orders, Set.of(0, 1)))).memberEpoch()).as("racks as recorded")
                .isEqualTo(3);

        ShardHarness replayed = harness(new Random(3));
        assertThat(replayed.shard.consumerSnapshot()).isEqualTo(h.shard.consumerSnapshot());
        assertThat(send(replayed, heartbeat(3, Map.of(orders, Set.of(0, 1)))).memberEpoch()).isEqualTo(3);
        assertThat(replayed.shard.consumerGroup("g").groupEpoch()).isEqualTo(3);
    }

    @Test
    void theAssignmentIsSentToAJoinAFullRequestAndOnAChangeOnly() {
        Uuid orders = ids.get("orders");
        join("orders");
        // A heartbeat whose owned partitions differ from the assignment, nothing changing: none sent.
        assertThat(send(h, heartbeat(2, Map.of(orders, Set.of(0)))).assignment()).isNull();
        // A full request (rebalance timeout, subscription, owned partitions), as after an error: sent.
        ConsumerGroupHeartbeatResponseData full = send(h, heartbeat(2, Map.of(orders, Set.of(0, 1)))
                .setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("orders")));
        assertThat(byId(full)).isEqualTo(Map.of(orders, Set.of(0, 1)));
    }
}
