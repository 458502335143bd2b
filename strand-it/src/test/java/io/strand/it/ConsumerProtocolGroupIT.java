package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Java consumers with {@code group.protocol=consumer} (KIP-848) against one Strand node: the broker
 * computes the assignment, partitions move by incremental revocation, and a member that leaves
 * hands its partitions to the others, who resume from its committed offsets; a regex subscription
 * follows topics created later; a topic deleted and created again is revoked, then assigned afresh and
 * read from its start.
 */
class ConsumerProtocolGroupIT {

    private static final int PARTITIONS = 6;
    private static final int RECORDS_PER_PARTITION = 50;
    private static final int SESSION_TIMEOUT_MS = 6000;
    /**
     * How long survivors may take to own a killed member's partitions: longer than the node's
     * {@value #SESSION_TIMEOUT_MS} ms {@code group.consumer.session.timeout.ms}, shorter than its 45 s
     * default, so a takeover within it shows the broker expired the member by the configured session
     * timeout. The moment of expiry is pinned with manual time in the coordinator's tests; how fast a
     * takeover is, is not a bound for this test.
     */
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.strand().withProperties(Map.of(
            "group.consumer.heartbeat.interval.ms", "500",
            "group.consumer.min.heartbeat.interval.ms", "500",
            "group.consumer.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS),
            "group.consumer.min.session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS)));

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
    void survivorsTakeOverAKilledMembersPartitionsWithinTheSessionTimeout() throws Exception {
        String topic = "killed-" + UUID.randomUUID();
        Topics.create(broker.bootstrapServers(), topic, PARTITIONS, Map.of());
        produce(topic, 0);
        String group = "kip848-kill-" + UUID.randomUUID();
        // The process member starts alone and reads slowly, so that records are left when it dies.
        child = GroupMemberProcess.launch(broker.bootstrapServers(), group, topic, SESSION_TIMEOUT_MS, "consumer");
        try {
            await("the member to be killed has committed").atMost(Duration.ofSeconds(30))
                    .until(() -> child.committed() >= 6);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the member process printed:\n" + child.output(), e);
        }
        GroupMember a = start(group, topic);
        GroupMember b = start(group, topic);
        await("two partitions each").atMost(Duration.ofSeconds(60)).until(() ->
                a.assignment().size() == 2 && b.assignment().size() == 2 && child.assigned().size() == 2);
        Set<String> victimPartitions = child.assigned();

        child.kill9();
        Map<TopicPartition, OffsetAndMetadata> committedAtKill = committedOffsets(group);
        await("survivors own all partitions").atMost(TAKEOVER_TIMEOUT).until(() ->
                a.assignment().size() == 3 && b.assignment().size() == 3 && union(a, b).size() == PARTITIONS);
        for (String name : victimPartitions) {
            TopicPartition tp = new TopicPartition(topic, Integer.parseInt(name.substring(name.lastIndexOf('-') + 1)));
            long from = committedAtKill.containsKey(tp) ? committedAtKill.get(tp).offset() : 0;
            await("rest of " + tp).atMost(Duration.ofSeconds(30))
                    .until(() -> GroupMember.consumedOffsets(tp, a, b).size() >= RECORDS_PER_PARTITION - from);
            List<Long> offsets = GroupMember.consumedOffsets(tp, a, b);
            assertThat(offsets.get(0)).as("first offset of %s after the takeover", tp).isEqualTo(from);
            assertThat(offsets).doesNotHaveDuplicates();
        }
    }

    @Test
    void threeMembersShareSixPartitionsAndSurvivorsResumeFromTheLeaversCommits() throws Exception {
        String topic = "orders-" + UUID.randomUUID();
        Topics.create(broker.bootstrapServers(), topic, PARTITIONS, Map.of());
        produce(topic, 0);
        String group = "kip848-" + UUID.randomUUID();
        GroupMember a = start(group, topic);
        GroupMember b = start(group, topic);
        GroupMember c = start(group, topic);

        await("two partitions each").atMost(Duration.ofSeconds(60)).until(() ->
                a.assignment().size() == 2 && b.assignment().size() == 2 && c.assignment().size() == 2
                        && union(a, b, c).size() == PARTITIONS);
        await("everything consumed").atMost(Duration.ofSeconds(60)).until(() -> {
            for (int p = 0; p < PARTITIONS; p++) {
                if (GroupMember.consumedOffsets(new TopicPartition(topic, p), a, b, c).size() < RECORDS_PER_PARTITION) {
                    return false;
                }
            }
            return true;
        });
        try (Admin admin = admin()) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(30, TimeUnit.SECONDS).get(group);
            assertThat(description.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(description.members()).hasSize(3);
        }

        Set<TopicPartition> leaversPartitions = c.assignment();
        a.consumed.clear();
        b.consumed.clear();
        c.stop();
        members.remove(c);
        Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(group);
        produce(topic, RECORDS_PER_PARTITION);

        await("survivors own all partitions").atMost(Duration.ofSeconds(30)).until(() ->
                a.assignment().size() == 3 && b.assignment().size() == 3 && union(a, b).size() == PARTITIONS);
        for (TopicPartition tp : leaversPartitions) {
            long from = committed.get(tp).offset();
            await("rest of " + tp).atMost(Duration.ofSeconds(30))
                    .until(() -> GroupMember.consumedOffsets(tp, a, b).size() >= 2 * RECORDS_PER_PARTITION - from);
            List<Long> offsets = GroupMember.consumedOffsets(tp, a, b);
            assertThat(offsets.get(0)).as("first offset of %s after the takeover", tp).isEqualTo(from);
            assertThat(offsets).doesNotHaveDuplicates();
        }
    }

    @Test
    void regexSubscriptionPicksUpMatchingTopicsCreatedLater() throws Exception {
        String prefix = "events-" + UUID.randomUUID().toString().substring(0, 8);
        Topics.create(broker.bootstrapServers(), prefix + "-a", 2, Map.of());
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("group.id", "kip848-regex-" + UUID.randomUUID());
        props.put("group.protocol", "consumer");
        props.put("metadata.max.age.ms", "500");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(new SubscriptionPattern(prefix + "-.*"));
            await("the existing topic assigned").atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 2;
            });

            Topics.create(broker.bootstrapServers(), prefix + "-b", 3, Map.of());

            await("the new topic assigned too").atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 5;
            });
        }
    }

    @Test
    void aTopicDeletedAndCreatedAgainIsRevokedThenConsumedAfresh() throws Exception {
        String topic = "recreated-" + UUID.randomUUID().toString().substring(0, 8);
        Topics.create(broker.bootstrapServers(), topic, 1, Map.of());
        TopicPartition partition = new TopicPartition(topic, 0);
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("group.id", "kip848-recreated-" + UUID.randomUUID());
        props.put("group.protocol", "consumer");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("metadata.max.age.ms", "500");
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> events.add("revoked " + p));
                }

                @Override
                public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> events.add("assigned " + p));
                }

                @Override
                public void onPartitionsLost(java.util.Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> events.add("lost " + p));
                }
            });
            send(topic, "before");
            await("the first topic's record").atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                return values.contains("before");
            });
            consumer.commitSync(); // deleted with the topic, so the new one is read from its start

            try (Admin admin = admin()) {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                await("the topic gone").atMost(Duration.ofSeconds(30))
                        .until(() -> !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic));
            }
            Topics.create(broker.bootstrapServers(), topic, 1, Map.of());
            send(topic, "after");

            // The old topic's partition is revoked, the new one's assigned and read from its start: the offset
            // committed for the old one went with it.
            await("the new topic's record").atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                return values.contains("after");
            });
            assertThat(values).containsExactly("before", "after");
            assertThat(events).first().isEqualTo("assigned " + partition);
            assertThat(events).containsSubsequence("assigned " + partition, "revoked " + partition,
                    "assigned " + partition);
            assertThat(consumer.assignment()).containsExactly(partition);
        }
    }

    private static void send(String topic, String value) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, null, value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static void produce(String topic, int alreadyPerPartition) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>(topic, p, null, "value-" + (alreadyPerPartition + i)));
                }
            }
            producer.flush();
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }
    }

    private GroupMember start(String group, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("group.id", group);
        props.put("group.protocol", "consumer");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("max.poll.records", "10");
        GroupMember member = GroupMember.start(props, topic);
        members.add(member);
        return member;
    }

    private static Set<TopicPartition> union(GroupMember... of) {
        Set<TopicPartition> all = new HashSet<>();
        for (GroupMember m : of) {
            all.addAll(m.assignment());
        }
        return all;
    }
}
