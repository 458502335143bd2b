package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share-group state survives a restart of the node (KIP-932's durable share-partition state, in
 * {@code __share_group_state}): Kafka's {@link KafkaShareConsumer} acknowledges some records and releases
 * others, the node restarts on the same data, and another consumer of the group gets exactly the records
 * not acknowledged, with the delivery counts they had. The share group itself survives too (its records in
 * {@code __consumer_offsets}): an empty group is still listed, described and its offsets listed after a
 * restart, and can be deleted.
 *
 * <p>Strand only: the Kafka reference node formats its directory at every start, so it cannot restart.
 */
class ShareStateRestartIT {

    private static final String TOPIC = "share-restart";
    private static final String GROUP = "restart";

    @TempDir
    Path dataDir;

    @Test
    void afterARestartExactlyTheUnacknowledgedRecordsComeBackWithTheirDeliveryCounts() throws Exception {
        // Three state partitions rather than Kafka's 50: the same code, a quicker topic creation.
        try (StrandNode node = StrandNode.start(dataDir, Map.of("share.coordinator.state.topic.num.partitions", "3"))) {
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", node.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = producer(node);
                 KafkaShareConsumer<String, String> first = ShareRecords.explicitConsumer(node.bootstrapServers(),
                         GROUP)) {
                first.subscribe(List.of(TOPIC));
                ShareRecords.warmUpAccepting(producer, TOPIC, 0, first);
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k" + i, "r" + i));
                }
                producer.flush();
                // First deliveries: r0-r4 accepted, r5-r9 released.
                Map<String, Short> delivered = ShareRecords.pollAcknowledging(first, 10, value ->
                        value.compareTo("r5") < 0 ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE);
                assertThat(delivered.values()).containsOnly((short) 1);
                // Second deliveries of r5-r9: r5-r6 released again, r7-r9 accepted.
                delivered = ShareRecords.pollAcknowledging(first, 5, value ->
                        value.compareTo("r7") < 0 ? AcknowledgeType.RELEASE : AcknowledgeType.ACCEPT);
                assertThat(delivered).containsOnlyKeys("r5", "r6", "r7", "r8", "r9");
                assertThat(delivered.values()).containsOnly((short) 2);
            }

            node.restart();

            try (KafkaShareConsumer<String, String> second = ShareRecords.explicitConsumer(node.bootstrapServers(),
                    GROUP)) {
                second.subscribe(List.of(TOPIC));
                Map<String, Short> delivered = ShareRecords.pollAcknowledging(second, 2, value -> AcknowledgeType.ACCEPT);
                assertThat(delivered).containsExactlyInAnyOrderEntriesOf(Map.of("r5", (short) 3, "r6", (short) 3));
                for (ConsumerRecord<String, String> r : second.poll(Duration.ofSeconds(1))) {
                    throw new AssertionError("Delivered again after it was acknowledged: " + r.value());
                }
            }
        }
    }

    @Test
    void anEmptyShareGroupWithCommittedOffsetsSurvivesARestartUntilDeleted() throws Exception {
        String topic = "share-restart-empty";
        String group = "empty-after-restart";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (StrandNode node = StrandNode.start(dataDir, Map.of("share.coordinator.state.topic.num.partitions", "3"))) {
            SharePartitionOffsetInfo before;
            try (Admin admin = admin(node)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                try (KafkaProducer<String, String> producer = producer(node);
                     KafkaShareConsumer<String, String> consumer = ShareRecords.explicitConsumer(
                             node.bootstrapServers(), group)) {
                    consumer.subscribe(List.of(topic));
                    ShareRecords.warmUpAccepting(producer, topic, 0, consumer);
                    for (int i = 0; i < 5; i++) {
                        producer.send(new ProducerRecord<>(topic, "k" + i, "r" + i));
                    }
                    producer.flush();
                    ShareRecords.pollAcknowledging(consumer, 5, value -> AcknowledgeType.ACCEPT);
                }
                // The consumer left: the group is empty, its offsets committed.
                await().atMost(30, TimeUnit.SECONDS).ignoreExceptions().untilAsserted(() -> assertThat(
                        admin.describeShareGroups(List.of(group)).describedGroups().get(group)
                                .get(10, TimeUnit.SECONDS).groupState()).isEqualTo(GroupState.EMPTY));
                before = offsets(admin, group).get(tp);
                assertThat(before).isNotNull();
                assertThat(before.startOffset()).isPositive();
            }

            node.restart();

            try (Admin admin = admin(node)) {
                await().atMost(30, TimeUnit.SECONDS).ignoreExceptions().untilAsserted(() -> assertThat(
                        admin.listGroups(ListGroupsOptions.forShareGroups()).all().get(10, TimeUnit.SECONDS))
                        .filteredOn(listing -> listing.groupId().equals(group)).singleElement().satisfies(listing -> {
                            assertThat(listing.type()).contains(GroupType.SHARE);
                            assertThat(listing.groupState()).contains(GroupState.EMPTY);
                        }));
                ShareGroupDescription described = admin.describeShareGroups(List.of(group)).describedGroups()
                        .get(group).get(10, TimeUnit.SECONDS);
                assertThat(described.groupState()).isEqualTo(GroupState.EMPTY);
                assertThat(described.members()).isEmpty();
                SharePartitionOffsetInfo after = offsets(admin, group).get(tp);
                assertThat(after).as("the offsets listed without naming topics").isNotNull();
                assertThat(after.startOffset()).isEqualTo(before.startOffset());

                admin.deleteShareGroups(List.of(group)).all().get(10, TimeUnit.SECONDS);
                assertThat(admin.listGroups(ListGroupsOptions.forShareGroups()).all().get(10, TimeUnit.SECONDS))
                        .extracting(GroupListing::groupId).doesNotContain(group);
            }

            node.restart();

            try (Admin admin = admin(node)) {
                await().atMost(30, TimeUnit.SECONDS).ignoreExceptions().untilAsserted(() -> assertThatThrownBy(
                        () -> admin.deleteShareGroups(List.of(group)).all().get(10, TimeUnit.SECONDS))
                        .cause().isInstanceOf(GroupIdNotFoundException.class));
                assertThat(offsets(admin, group)).as("the group's state was deleted with it").isEmpty();
            }
        }
    }

    private static Admin admin(StrandNode node) {
        return Admin.create(Map.<String, Object>of("bootstrap.servers", node.bootstrapServers()));
    }

    /** The share-partition offsets the Admin lists for the group without naming topics (those with state). */
    private static Map<TopicPartition, SharePartitionOffsetInfo> offsets(Admin admin, String group) throws Exception {
        Map<TopicPartition, SharePartitionOffsetInfo> known = new java.util.HashMap<>();
        admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec())).partitionsToOffsetInfo(group)
                .get(10, TimeUnit.SECONDS).forEach((tp, info) -> {
                    if (info != null) {
                        known.put(tp, info);
                    }
                });
        return known;
    }

    private static KafkaProducer<String, String> producer(StrandNode node) {
        Properties props = new Properties();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("linger.ms", "0");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
