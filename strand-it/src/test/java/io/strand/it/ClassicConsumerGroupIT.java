package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java consumers with the classic group protocol against one Strand node: partitions shared and
 * taken over, static membership, cooperative rebalancing, committed offsets across a restart.
 */
class ClassicConsumerGroupIT {

    private static final int PARTITIONS = 6;
    private static final int RECORDS_PER_PARTITION = 50;
    private static final int SESSION_TIMEOUT_MS = 6000;
    /**
     * How long survivors may take to own a killed member's partitions: longer than the members'
     * {@value #SESSION_TIMEOUT_MS} ms session timeout, shorter than the clients' 45 s default, so a
     * takeover within it shows the broker expired the member by the session timeout it asked for.
     * The moment of expiry is pinned with manual time in the coordinator's tests; how fast a takeover
     * is, is not a bound for this test.
     */
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.strand();

    private final List<GroupMember> members = new ArrayList<>();
    private GroupMemberProcess.Handle child;

    @AfterEach
    void stopMembers() throws InterruptedException {
        for (GroupMember member : members) {
            member.stop();
        }
        if (child != null) {
            child.close();
        }
    }

    @Test
    void survivorsTakeOverAKilledMembersPartitionsFromItsCommittedOffsets() throws Exception {
        // The records come once the three members share the partitions: the Java members, faster to
        // start than the process member, would otherwise read and commit everything before it joins.
        String topic = emptyTopic(broker.bootstrapServers());
        String group = "takeover-" + UUID.randomUUID();
        GroupMember a = start(group, topic, RangeAssignor.class, null, SESSION_TIMEOUT_MS);
        GroupMember b = start(group, topic, RangeAssignor.class, null, SESSION_TIMEOUT_MS);
        child = GroupMemberProcess.launch(broker.bootstrapServers(), group, topic, SESSION_TIMEOUT_MS, "classic");

        await("three members with two partitions each").atMost(Duration.ofSeconds(60)).until(() ->
                a.assignment().size() == 2 && b.assignment().size() == 2 && child.assigned().size() == 2
                        && disjoint(a.assignment(), b.assignment(), child.assigned()));
        Set<String> victimPartitions = child.assigned();
        produceRecords(broker.bootstrapServers(), topic);
        try {
            await("the member to be killed has committed").atMost(Duration.ofSeconds(30))
                    .until(() -> child.committed() >= 6);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the member process printed:\n" + child.output(), e);
        }

        child.kill9();
        Thread.sleep(200);
        Map<TopicPartition, OffsetAndMetadata> committedAtKill = committedOffsets(broker.bootstrapServers(), group);
        await("survivors own all partitions").atMost(TAKEOVER_TIMEOUT)
                .until(() -> a.assignment().size() + b.assignment().size() == PARTITIONS
                        && disjoint(a.assignment(), b.assignment(), Set.of()));

        await("every record consumed").atMost(Duration.ofSeconds(30)).until(() -> {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                if (!victimPartitions.contains(tp.toString()) && GroupMember.consumedOffsets(tp, a, b).size() < RECORDS_PER_PARTITION) {
                    return false;
                }
            }
            return true;
        });
        for (String name : victimPartitions) {
            TopicPartition tp = new TopicPartition(topic, Integer.parseInt(name.substring(name.lastIndexOf('-') + 1)));
            long committed = committedAtKill.containsKey(tp) ? committedAtKill.get(tp).offset() : 0;
            await("rest of " + tp).atMost(Duration.ofSeconds(30))
                    .until(() -> GroupMember.consumedOffsets(tp, a, b).size() >= RECORDS_PER_PARTITION - committed);
            List<Long> offsets = GroupMember.consumedOffsets(tp, a, b);
            assertThat(offsets.get(0)).as("first offset of %s after the takeover", tp).isEqualTo(committed);
            assertThat(offsets).doesNotHaveDuplicates();
        }
    }

    @Test
    void staticMemberRejoinsWithItsPartitionsAndNoRebalance() throws Exception {
        String topic = topicWithRecords(broker.bootstrapServers());
        String group = "static-" + UUID.randomUUID();
        GroupMember a = start(group, topic, RangeAssignor.class, "instance-a", 20_000);
        GroupMember b = start(group, topic, RangeAssignor.class, "instance-b", 20_000);
        await("both members assigned").atMost(Duration.ofSeconds(60))
                .until(() -> a.assignment().size() == 3 && b.assignment().size() == 3);
        await("a has settled").atMost(Duration.ofSeconds(10)).until(() -> a.generation() > 0);
        int generation = a.generation();
        int rebalancesOfA = a.rebalanceEvents();
        Set<TopicPartition> partitionsOfB = b.assignment();

        b.stop();
        members.remove(b);
        GroupMember bAgain = start(group, topic, RangeAssignor.class, "instance-b", 20_000);

        await("b is back").atMost(Duration.ofSeconds(30)).until(() -> bAgain.assignment().equals(partitionsOfB));
        // A rebalance would reach a through a heartbeat answer: wait until a has polled after three more
        // of them (at least two asked after b was back).
        long heartbeatsOfA = a.heartbeatsBeforeLastPoll();
        assertThat(heartbeatsOfA).as("heartbeat answers a handled").isNotNegative();
        await("a few heartbeats of a").atMost(Duration.ofSeconds(30))
                .until(() -> a.heartbeatsBeforeLastPoll() >= heartbeatsOfA + 3);
        assertThat(a.generation()).isEqualTo(generation);
        assertThat(a.rebalanceEvents()).isEqualTo(rebalancesOfA);
        assertThat(bAgain.generation()).isEqualTo(generation);
    }

    @Test
    void cooperativeStickyMovesOnlyThePartitionsTheNewMemberGets() throws Exception {
        String topic = topicWithRecords(broker.bootstrapServers());
        String group = "cooperative-" + UUID.randomUUID();
        List<GroupMember> first = List.of(
                start(group, topic, CooperativeStickyAssignor.class, null, SESSION_TIMEOUT_MS),
                start(group, topic, CooperativeStickyAssignor.class, null, SESSION_TIMEOUT_MS),
                start(group, topic, CooperativeStickyAssignor.class, null, SESSION_TIMEOUT_MS));
        await("two partitions each").atMost(Duration.ofSeconds(60))
                .until(() -> first.stream().allMatch(m -> m.assignment().size() == 2));
        Map<GroupMember, Set<TopicPartition>> before = new HashMap<>();
        first.forEach(m -> {
            before.put(m, m.assignment());
            m.revoked.clear();
        });

        GroupMember newcomer = start(group, topic, CooperativeStickyAssignor.class, null, SESSION_TIMEOUT_MS);

        await("newcomer owns partitions and all are owned").atMost(Duration.ofSeconds(60)).until(() ->
                !newcomer.assignment().isEmpty() && first.stream().mapToInt(m -> m.assignment().size()).sum()
                        + newcomer.assignment().size() == PARTITIONS);
        Set<TopicPartition> revoked = new HashSet<>();
        first.forEach(m -> revoked.addAll(m.revoked));
        assertThat(revoked).isEqualTo(newcomer.assignment());
        for (GroupMember m : first) {
            assertThat(before.get(m)).containsAll(m.assignment());
        }
    }

    @Test
    void committedOffsetsAndMetadataSurviveARestart(@TempDir Path ownDir) throws Exception {
        try (StrandNode own = StrandNode.start(ownDir, Map.of())) {
            String topic = topicWithRecords(own.bootstrapServers());
            String group = "restart-" + UUID.randomUUID();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(p * 7L, "meta-" + p));
            }
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    consumerProps(own.bootstrapServers(), group, RangeAssignor.class, null, SESSION_TIMEOUT_MS),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.commitSync(offsets);
            }

            own.restart();

            await("offsets after the restart").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> committedOffsets(own.bootstrapServers(), group).equals(offsets));
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    consumerProps(own.bootstrapServers(), group, RangeAssignor.class, null, SESSION_TIMEOUT_MS),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                Map<Integer, Long> firstOffsets = new HashMap<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (firstOffsets.size() < PARTITIONS && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> firstOffsets.putIfAbsent(r.partition(), r.offset()));
                }
                for (int p = 0; p < PARTITIONS; p++) {
                    assertThat(firstOffsets.get(p)).as("first offset of partition %d", p).isEqualTo(p * 7L);
                }
            }
        }
    }

    @Test
    void adminDescribesListsAndDeletesGroupsAndOffsets() throws Exception {
        String topic = topicWithRecords(broker.bootstrapServers());
        String group = "admin-" + UUID.randomUUID();
        GroupMember member = start(group, topic, RangeAssignor.class, null, SESSION_TIMEOUT_MS);
        await("member assigned").atMost(Duration.ofSeconds(60)).until(() -> member.assignment().size() == PARTITIONS);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            await("described as stable").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                        .get(30, TimeUnit.SECONDS).get(group);
                assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
                assertThat(description.members()).hasSize(1);
                assertThat(description.members().iterator().next().assignment().topicPartitions()).hasSize(PARTITIONS);
            });
            assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS))
                    .anySatisfy(listing -> assertThat(listing.groupId()).isEqualTo(group));
            Throwable subscribed = catchThrowable(() -> admin.deleteConsumerGroupOffsets(group,
                    Set.of(new TopicPartition(topic, 0))).all().get(30, TimeUnit.SECONDS));
            assertThat(subscribed).hasCauseInstanceOf(GroupSubscribedToTopicException.class);
            Throwable nonEmpty = catchThrowable(() -> admin.deleteConsumerGroups(List.of(group)).all()
                    .get(30, TimeUnit.SECONDS));
            assertThat(nonEmpty).hasCauseInstanceOf(GroupNotEmptyException.class);

            member.stop();
            members.remove(member);
            await("empty after the member left").atMost(Duration.ofSeconds(30)).until(() -> admin
                    .describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group).groupState()
                    == GroupState.EMPTY);
            admin.deleteConsumerGroupOffsets(group, Set.of(new TopicPartition(topic, 0))).all().get(30, TimeUnit.SECONDS);
            assertThat(committedOffsets(broker.bootstrapServers(), group)).doesNotContainKey(new TopicPartition(topic, 0))
                    .containsKey(new TopicPartition(topic, 1));
            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
            assertThat(committedOffsets(broker.bootstrapServers(), group)).isEmpty();
            assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS))
                    .noneSatisfy(listing -> assertThat(listing.groupId()).isEqualTo(group));
        }
    }

    /** As Kafka: offsets of a topic or partition the cluster does not have are refused one by one, the rest kept. */
    @Test
    void offsetsOfTopicsAndPartitionsTheClusterDoesNotHaveAreRefusedAndNotStored() throws Exception {
        String topic = emptyTopic(broker.bootstrapServers());
        String group = "unknown-topics-" + UUID.randomUUID();
        TopicPartition kept = new TopicPartition(topic, 0);
        TopicPartition noSuchPartition = new TopicPartition(topic, 99);
        TopicPartition noSuchTopic = new TopicPartition("never-created-" + UUID.randomUUID(), 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            var result = admin.alterConsumerGroupOffsets(group, Map.of(kept, new OffsetAndMetadata(3),
                    noSuchPartition, new OffsetAndMetadata(4), noSuchTopic, new OffsetAndMetadata(5)));

            result.partitionResult(kept).get(30, TimeUnit.SECONDS);
            assertThat(catchThrowable(() -> result.partitionResult(noSuchPartition).get(30, TimeUnit.SECONDS)))
                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
            assertThat(catchThrowable(() -> result.partitionResult(noSuchTopic).get(30, TimeUnit.SECONDS)))
                    .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        }
        assertThat(committedOffsets(broker.bootstrapServers(), group)).containsOnlyKeys(kept);
    }

    private static String topicWithRecords(String bootstrapServers) throws Exception {
        String topic = emptyTopic(bootstrapServers);
        produceRecords(bootstrapServers, topic);
        return topic;
    }

    private static String emptyTopic(String bootstrapServers) {
        String topic = "orders-" + UUID.randomUUID();
        Topics.create(bootstrapServers, topic, PARTITIONS, Map.of());
        return topic;
    }

    /** {@value #RECORDS_PER_PARTITION} records into each partition of {@code topic}. */
    private static void produceRecords(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>(topic, p, null, "value-" + i));
                }
            }
            producer.flush();
        }
    }

    private static Properties consumerProps(String bootstrapServers, String group, Class<?> assignor, String instanceId,
                                            int sessionTimeoutMs) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", group);
        props.put("group.protocol", "classic");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("session.timeout.ms", Integer.toString(sessionTimeoutMs));
        props.put("heartbeat.interval.ms", "500");
        props.put("max.poll.records", "10");
        props.put("partition.assignment.strategy", assignor.getName());
        if (instanceId != null) {
            props.put("group.instance.id", instanceId);
        }
        return props;
    }

    private GroupMember start(String group, String topic, Class<?> assignor, String instanceId, int sessionTimeoutMs) {
        GroupMember member = GroupMember.start(
                consumerProps(broker.bootstrapServers(), group, assignor, instanceId, sessionTimeoutMs), topic);
        members.add(member);
        return member;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String bootstrapServers, String group)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                            e -> new OffsetAndMetadata(e.getValue().offset(), e.getValue().metadata())));
        }
    }

    private static boolean disjoint(Set<TopicPartition> a, Set<TopicPartition> b, Set<String> c) {
        Set<String> all = new HashSet<>(c);
        for (TopicPartition tp : a) {
            all.add(tp.toString());
        }
        for (TopicPartition tp : b) {
            all.add(tp.toString());
        }
        return all.size() == a.size() + b.size() + c.size();
    }
}
