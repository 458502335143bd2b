package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client listener serves Kafka clients, and a client that came in on one listener is told
 * the endpoints advertised for that listener (Metadata and DescribeCluster), never another's.
 */
class ClientListenersTest {

    private static final String TOPIC = "two-listeners";

    @TempDir
    Path dataDir;

    @Test
    void eachListenerServesAJavaClientWithItsOwnAdvertisedEndpoints() throws Exception {
        Map<String, String> props = TestNodes.props(dataDir, 0, Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0,EXTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
                "advertised.listeners", "PLAINTEXT://127.0.0.1:0,EXTERNAL://localhost:0",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"));
        try (BrokerServer node = TestNodes.start(props)) {
            Map<String, InetSocketAddress> listeners = node.clientListeners();
            assertThat(listeners).containsOnlyKeys("PLAINTEXT", "EXTERNAL");
            assertThat(listeners.get("PLAINTEXT").getPort()).isNotEqualTo(listeners.get("EXTERNAL").getPort());

            assertServes(listeners.get("PLAINTEXT"), "127.0.0.1", "via plaintext");
            assertServes(listeners.get("EXTERNAL"), "localhost", "via external");
        }
    }

    private static void assertServes(InetSocketAddress listener, String advertisedHost, String value) throws Exception {
        String bootstrap = TestNodes.bootstrap(listener);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Collection<Node> nodes = admin.describeCluster().nodes().get();
            assertThat(nodes).singleElement().satisfies(n -> {
                assertThat(n.host()).isEqualTo(advertisedHost);
                assertThat(n.port()).isEqualTo(listener.getPort());
            });
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(TOPIC, value)).get();
            List<PartitionInfo> partitions = producer.partitionsFor(TOPIC);
            assertThat(partitions).isNotEmpty().allSatisfy(p -> {
                assertThat(p.leader().host()).isEqualTo(advertisedHost);
                assertThat(p.leader().port()).isEqualTo(listener.getPort());
            });
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            TopicPartition partition = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> values = new ArrayList<>();
            await("the record read back on this listener").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    values.add(record.value());
                }
                assertThat(values).contains(value);
            });
        }
    }
}
