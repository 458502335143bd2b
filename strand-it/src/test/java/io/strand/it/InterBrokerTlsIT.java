package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.common.tls.TestPki;
import io.strand.testkit.StrandCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brokers talk to each other over TLS when the inter-broker listener is SSL: two nodes whose only client
 * listener is SSL with {@code ssl.client.auth=required}, so a follower's fetches and a transaction
 * coordinator's markers to the other broker get through only with the broker's own certificate, the
 * other's checked against the trust store and its host name (Kafka's default
 * {@code ssl.endpoint.identification.algorithm=https}). acks=all with {@code min.insync.replicas=2}
 * succeeds only once the follower has fetched; a transaction over partitions led by both nodes commits
 * only once both have its marker.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class InterBrokerTlsIT {

    private static final String TOPIC = "tls-replicated";

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Identity client;
    private static StrandCluster cluster;

    @BeforeAll
    static void startCluster() {
        pki = TestPki.create(dir.resolve("pki"));
        TestPki.Identity broker = pki.issue("broker", "CN=broker,O=Strand", "localhost", "127.0.0.1");
        client = pki.issue("client", "CN=client,O=Strand");
        cluster = StrandCluster.builder(dir.resolve("cluster")).nodes(2)
                .property("listener.security.protocol.map", "PLAINTEXT:SSL,CONTROLLER:PLAINTEXT")
                .property("ssl.keystore.type", "PKCS12")
                .property("ssl.keystore.location", broker.keystore("PKCS12").toString())
                .property("ssl.keystore.password", TestPki.PASSWORD)
                .property("ssl.truststore.location", pki.truststore("JKS").toString())
                .property("ssl.truststore.password", TestPki.PASSWORD)
                .property("ssl.client.auth", "required")
                .start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void followersFetchAndCoordinatorsSendMarkersOverTls() throws Exception {
        Map<String, Object> tls = clientTls();
        List<TopicPartitionInfo> partitions;
        try (Admin admin = Admin.create(tls)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2), 1, List.of(2, 1)))
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
            // each broker learns of the topic, and its leaders, a moment after the controller answered
            partitions = await("leaders of " + TOPIC).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Topics.describe(admin, TOPIC).partitions(),
                            described -> described.stream().allMatch(p -> p.leader() != null));
        }
        Set<Integer> leaders = new HashSet<>();
        partitions.forEach(p -> leaders.add(p.leader().id()));
        assertThat(leaders).as("each node leads a partition").containsExactlyInAnyOrder(1, 2);

        Map<String, Object> producerProps = new HashMap<>(tls);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            for (int i = 0; i < 100; i++) {
                // acks=all with min.insync.replicas=2: acknowledged only once the follower fetched it.
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "plain-" + i, "v" + i)).get(60, TimeUnit.SECONDS);
            }
        }
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tls-txn");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "txn-" + i, "t" + i));
            }
            producer.commitTransaction();
        }

        Map<String, Object> consumerProps = new HashMap<>(tls);
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
            List<TopicPartition> both = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(both);
            consumer.seekToBeginning(both);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (keys.size() < 120 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    keys.add(record.key());
                }
            }
        }
        assertThat(keys).hasSize(120).filteredOn(k -> k.startsWith("txn-")).hasSize(20);
    }

    private static Map<String, Object> clientTls() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, pki.truststore("PKCS12").toString());
        props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, TestPki.PASSWORD);
        props.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, client.keystore("PKCS12").toString());
        props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        props.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, TestPki.PASSWORD);
        return props;
    }
}
