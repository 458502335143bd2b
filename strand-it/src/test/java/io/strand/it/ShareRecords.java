package io.strand.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Share-group (KIP-932) steps the ITs share, with Kafka's {@link KafkaShareConsumer} in explicit mode. */
final class ShareRecords {

    static final String WARM_UP = "warm-up";

    private ShareRecords() {
    }

    static KafkaShareConsumer<String, String> explicitConsumer(String bootstrapServers, String group) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", group);
        props.put("share.acknowledgement.mode", "explicit");
        return new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Produces warm-up records to {@code partition} until the consumer has seen one, accepting them: a share
     * group starts at the end of a partition, so what is produced to it after this is the group's.
     */
    static void warmUpAccepting(KafkaProducer<String, String> producer, String topic, int partition,
                                KafkaShareConsumer<String, String> consumer) {
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(10)).until(() -> {
            producer.send(new ProducerRecord<>(topic, partition, WARM_UP, WARM_UP));
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

    /**
     * Polls until a poll brings records other than warm-ups (warm-ups are accepted and committed) and returns
     * those records unacknowledged, for the caller to acknowledge or hold: in explicit mode the next poll would
     * refuse records left unacknowledged, so records to be held must all come in that one poll.
     */
    static List<ConsumerRecord<String, String>> pollUnacknowledged(KafkaShareConsumer<String, String> consumer) {
        List<ConsumerRecord<String, String>> others = new ArrayList<>();
        await().atMost(60, TimeUnit.SECONDS).until(() -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                if (WARM_UP.equals(r.key())) {
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                } else {
                    others.add(r);
                }
            }
            consumer.commitSync();
            return !others.isEmpty();
        });
        return others;
    }

    /**
     * Polls until {@code count} records other than warm-ups have come (warm-ups are accepted), acknowledging
     * each as {@code decision} says of its value and committing after each poll.
     *
     * @return value → the delivery count it came with (the last, if it came more than once)
     */
    static Map<String, Short> pollAcknowledging(KafkaShareConsumer<String, String> consumer, int count,
                                                Function<String, AcknowledgeType> decision) {
        Map<String, Short> delivered = new TreeMap<>();
        await().atMost(60, TimeUnit.SECONDS).until(() -> {
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
}
