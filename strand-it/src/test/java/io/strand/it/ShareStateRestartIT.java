package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share-group state survives a restart of the node (KIP-932's durable share-partition state, in
 * {@code __share_group_state}): Kafka's {@link KafkaShareConsumer} acknowledges some records and releases
 * others, the node restarts on the same data, and another consumer of the group gets exactly the records
 * not acknowledged, with the delivery counts they had.
 *
 * <p>Strand only: the Kafka reference node formats its directory at every start, so it cannot restart.
 */
class ShareStateRestartIT {

    private static final String TOPIC = "share-restart";
    private static final String GROUP = "restart";
    private static final String WARM_UP = "warm-up";

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
                 KafkaShareConsumer<String, String> first = consumer(node)) {
                first.subscribe(List.of(TOPIC));
                warmUpAccepting(producer, first);
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "k" + i, "r" + i));
                }
                producer.flush();
                // First deliveries: r0-r4 accepted, r5-r9 released.
                Map<String, Short> delivered = pollAcknowledging(first, 10, value ->
                        value.compareTo("r5") < 0 ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE);
                assertThat(delivered.values()).containsOnly((short) 1);
                // Second deliveries of r5-r9: r5-r6 released again, r7-r9 accepted.
                delivered = pollAcknowledging(first, 5, value ->
                        value.compareTo("r7") < 0 ? AcknowledgeType.RELEASE : AcknowledgeType.ACCEPT);
                assertThat(delivered).containsOnlyKeys("r5", "r6", "r7", "r8", "r9");
                assertThat(delivered.values()).containsOnly((short) 2);
            }

            node.restart();

            try (KafkaShareConsumer<String, String> second = consumer(node)) {
                second.subscribe(List.of(TOPIC));
                Map<String, Short> delivered = pollAcknowledging(second, 2, value -> AcknowledgeType.ACCEPT);
                assertThat(delivered).containsExactlyInAnyOrderEntriesOf(Map.of("r5", (short) 3, "r6", (short) 3));
                for (ConsumerRecord<String, String> r : second.poll(Duration.ofSeconds(1))) {
                    throw new AssertionError("Delivered again after it was acknowledged: " + r.value());
                }
            }
        }
    }

    /**
     * Polls until {@code count} records (other than warm-ups) have come, acknowledging each as
     * {@code decision} says and committing after each poll; returns value → delivery count.
     */
    private static Map<String, Short> pollAcknowledging(KafkaShareConsumer<String, String> consumer, int count,
                                                        java.util.function.Function<String, AcknowledgeType> decision) {
        Map<String, Short> delivered = new TreeMap<>();
        await().atMost(30, TimeUnit.SECONDS).until(() -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (WARM_UP.equals(r.key())) {
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                    continue;
                }
                delivered.put(r.value(), r.deliveryCount().orElseThrow());
                consumer.acknowledge(r, decision.apply(r.value()));
            }
            consumer.commitSync();
            return delivered.size() >= count;
        });
        return delivered;
    }

    /** Produces warm-up records until the consumer has seen one: the group starts at the end of the partition. */
    private static void warmUpAccepting(KafkaProducer<String, String> producer,
                                        KafkaShareConsumer<String, String> consumer) {
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(10)).until(() -> {
            producer.send(new ProducerRecord<>(TOPIC, WARM_UP, WARM_UP));
            producer.flush();
            boolean seen = false;
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                seen = true;
            }
            consumer.commitSync();
            return seen;
        });
    }

    private static KafkaShareConsumer<String, String> consumer(StrandNode node) {
        Properties props = new Properties();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("group.id", GROUP);
        props.put("share.acknowledgement.mode", "explicit");
        return new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private static KafkaProducer<String, String> producer(StrandNode node) {
        Properties props = new Properties();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put("linger.ms", "0");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
