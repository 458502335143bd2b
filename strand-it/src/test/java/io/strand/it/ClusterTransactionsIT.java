package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.StrandCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions v2 (KIP-890 part 2) across three nodes: every node finalizes {@code transaction.version=2}
 * from the metadata log, and the Java producer's partitions, led by other nodes than its transaction
 * coordinator, are added by their leaders (AddPartitionsToTxn without {@code verify_only} between
 * brokers), its offsets too, with one epoch bump per transaction.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterTransactionsIT {

    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final String TOPIC = "txn-cluster";
    private static final String ID = "txn-cluster-1";

    @TempDir
    Path dir;

    @Test
    void aTransactionsV2ProducersPartitionsAreAddedByTheirLeadersOnOtherNodes() throws Exception {
        try (StrandCluster cluster = StrandCluster.builder(dir).nodes(3).start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     cluster.bootstrapServers()))) {
            for (ClusterNode node : cluster.nodes()) {
                await("transaction.version=2 finalized on node " + node.nodeId()).atMost(WITHIN)
                        .pollInterval(Duration.ofMillis(200)).until(() -> transactionVersion(node) == 2);
            }
            Topics.createReplicated(admin, TOPIC, 3, 1, Map.of(), WITHIN);
            Set<Integer> leaders = new HashSet<>();
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(TOPIC);
            topic.partitions().forEach(p -> leaders.add(p.leader().id()));

            try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers())) {
                producer.initTransactions();
                int coordinator = admin.describeTransactions(List.of(ID)).description(ID).get(30, TimeUnit.SECONDS)
                        .coordinatorId();
                assertThat(leaders).as("partitions led by another node than the coordinator %s", coordinator)
                        .anyMatch(leader -> leader != coordinator);
                List<Integer> epochs = new ArrayList<>();
                epochs.add(epoch(admin));
                transaction(producer, "a", false, true);
                epochs.add(epoch(admin));
                transaction(producer, "aborted", false, false);
                epochs.add(epoch(admin));
                transaction(producer, "b", true, true);
                epochs.add(epoch(admin));

                assertThat(epochs).containsExactly(epochs.get(0), epochs.get(0) + 1, epochs.get(0) + 2,
                        epochs.get(0) + 3);
            }
            assertThat(readCommitted(cluster.bootstrapServers(), 6)).containsExactlyInAnyOrder(
                    "a-0", "a-1", "a-2", "b-0", "b-1", "b-2");
            assertThat(admin.listConsumerGroupOffsets("txn-cluster-group").partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS)).containsEntry(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(3));
        }
    }

    /** One record to each partition; with {@code offsets} also the group's offsets; then commit or abort. */
    private static void transaction(KafkaProducer<String, String> producer, String prefix, boolean offsets,
                                    boolean commit) throws Exception {
        producer.beginTransaction();
        for (int partition = 0; partition < 3; partition++) {
            producer.send(new ProducerRecord<>(TOPIC, partition, null, prefix + "-" + partition));
        }
        if (offsets) {
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(3)),
                    new ConsumerGroupMetadata("txn-cluster-group"));
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static int epoch(Admin admin) throws Exception {
        return admin.describeTransactions(List.of(ID)).description(ID).get(30, TimeUnit.SECONDS).producerEpoch();
    }

    private static short transactionVersion(ClusterNode node) throws Exception {
        try (RawKafkaConnection connection = new RawKafkaConnection(node.bootstrapServers())) {
            ApiVersionsResponse response = (ApiVersionsResponse) connection.roundTrip(
                    new ApiVersionsRequest.Builder().build());
            var level = response.data().finalizedFeatures().find("transaction.version");
            return level == null ? 0 : level.maxVersionLevel();
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ID);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    /** The values of every partition read with read_committed until {@code count} came, then a little more. */
    private static List<String> readCommitted(String bootstrap, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1),
                    new TopicPartition(TOPIC, 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (read.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
            }
            for (ConsumerRecord<String, String> extra : consumer.poll(Duration.ofMillis(500))) {
                read.add(extra.value());
            }
        }
        return read;
    }
}
