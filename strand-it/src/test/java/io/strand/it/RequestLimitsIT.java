package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Counts a client chooses — partitions, replication factor, replica assignments — are refused with
 * Kafka's error before the broker sizes anything by them, and the broker goes on serving: after
 * each refusal a Java producer and consumer make a round trip on a fresh topic.
 *
 * <p>Runs against Apache Kafka too ({@code -Dstrand.it.broker=kafka}), except where noted: the
 * expectations are what Kafka 4.3 answers.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RequestLimitsIT {

    private static final String TOO_MANY_PARTITIONS = "Excessively large number of partitions per request.";

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();
    private static int nodeId;
    private static int roundTrips;

    @BeforeAll
    static void findNodeId() throws Exception {
        nodeId = broker.admin().describeCluster().nodes().get().iterator().next().id();
    }

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void hugePartitionCountsArePolicyViolationAndTheBrokerKeepsServing() {
        for (int count : List.of(Integer.MAX_VALUE, 1_000_000)) {
            assertCreateFails(new NewTopic("huge-" + count, count, (short) 1), PolicyViolationException.class,
                    TOO_MANY_PARTITIONS);
            assertRoundTrip();
        }
        // Checked before the replication factor, as Kafka does.
        assertCreateFails(new NewTopic("huge-rf", Integer.MAX_VALUE, Short.MAX_VALUE),
                PolicyViolationException.class, TOO_MANY_PARTITIONS);
        // Two topics that each fit are over the limit together.
        assertThatThrownBy(() -> broker.admin().createTopics(List.of(new NewTopic("half-a", 6_000, (short) 1),
                new NewTopic("half-b", 6_000, (short) 1))).all().get())
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(PolicyViolationException.class);
        assertRoundTrip();
    }

    @Test
    void badReplicationFactorsAndPartitionCountsGetTheirErrors() {
        assertCreateFails(new NewTopic("rf-huge", 1, Short.MAX_VALUE), InvalidReplicationFactorException.class,
                "Unable to replicate the partition 32767 time(s)");
        assertCreateFails(new NewTopic("rf-zero", 1, (short) 0), InvalidReplicationFactorException.class,
                "Replication factor must be larger than 0, or -1 to use the default value.");
        assertCreateFails(new NewTopic("rf-negative", 1, (short) -2), InvalidReplicationFactorException.class,
                "Replication factor must be larger than 0, or -1 to use the default value.");
        assertCreateFails(new NewTopic("partitions-zero", 0, (short) 1), InvalidPartitionsException.class,
                "Number of partitions was set to an invalid non-positive value.");
        assertCreateFails(new NewTopic("partitions-negative", -5, (short) 1), InvalidPartitionsException.class,
                "Number of partitions was set to an invalid non-positive value.");
        assertRoundTrip();
    }

    @Test
    void badManualAssignmentsAreInvalidReplicaAssignment() {
        assertCreateFails(new NewTopic("assign-unknown", Map.of(0, List.of(nodeId + 1000))),
                InvalidReplicaAssignmentException.class, "but no such broker is registered");
        assertCreateFails(new NewTopic("assign-twice", Map.of(0, List.of(nodeId, nodeId))),
                InvalidReplicaAssignmentException.class, "more than once");
        assertCreateFails(new NewTopic("assign-empty", Map.of(0, List.of())),
                InvalidReplicaAssignmentException.class, "empty replica list");
        assertCreateFails(new NewTopic("assign-gap", Map.of(0, List.of(nodeId), 2, List.of(nodeId))),
                InvalidReplicaAssignmentException.class, "consecutive 0-based integer sequence");
        assertRoundTrip();
    }

    /**
     * Kafka 4.3 does not bound CreatePartitions before placing (its placer sizes a list by the count),
     * so this case runs against Strand only.
     */
    @Test
    void hugePartitionIncreaseIsPolicyViolationAndTheBrokerKeepsServing() throws Exception {
        assumeThat(broker.kind()).isEqualTo(BrokerUnderTest.Kind.STRAND);
        broker.admin().createTopics(List.of(new NewTopic("grown", 1, (short) 1))).all().get();
        for (int count : List.of(Integer.MAX_VALUE, 1_000_000)) {
            assertThatThrownBy(() -> broker.admin().createPartitions(Map.of("grown", NewPartitions.increaseTo(count)))
                    .all().get())
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(PolicyViolationException.class).hasMessage(TOO_MANY_PARTITIONS);
            assertRoundTrip();
        }
        broker.admin().createPartitions(Map.of("grown", NewPartitions.increaseTo(3))).all().get();
        assertThat(broker.admin().describeTopics(List.of("grown")).allTopicNames().get().get("grown").partitions())
                .hasSize(3);
    }

    @Test
    void kafkaTopicsToolIsRefusedAHugePartitionCount() {
        ChildProcess.Result result = ChildProcess.javaMain("org.apache.kafka.tools.TopicCommand", List.of(
                "--bootstrap-server", broker.bootstrapServers(), "--create", "--topic", "cli-huge",
                "--partitions", Integer.toString(Integer.MAX_VALUE), "--replication-factor", "1"))
                .timeout(Duration.ofSeconds(45)).run();

        assertThat(result.exitCode()).as(result.describe("created a topic of 2^31-1 partitions")).isNotZero();
        assertThat(result.stdout() + result.stderr()).contains(TOO_MANY_PARTITIONS);
        assertRoundTrip();
    }

    private static void assertCreateFails(NewTopic topic, Class<? extends Throwable> error, String message) {
        assertThatThrownBy(() -> broker.admin().createTopics(List.of(topic)).all().get())
                .as(topic.name())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(error).hasMessageContaining(message);
    }

    /** A fresh topic takes a record from a Java producer and gives it back to a Java consumer. */
    private static void assertRoundTrip() {
        String topic = "alive-" + roundTrips++;
        try {
            broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", broker.bootstrapServers()), new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "k", "still here")).get();
            }
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Map.of("bootstrap.servers", broker.bootstrapServers()), new StringDeserializer(),
                    new StringDeserializer())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (records.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
            }
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("still here");
        } catch (Exception e) {
            throw new AssertionError("round trip on " + topic + " failed", e);
        }
    }
}
