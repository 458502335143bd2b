package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.testkit.StrandCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-node cluster whose only client listener, the inter-broker one, is SASL_PLAINTEXT with PLAIN
 * ({@code sasl.mechanism.inter.broker.protocol=PLAIN}, the brokers' username and password from the
 * listener's JAAS line): followers replicate through authenticated connections, so acks=all produces
 * with {@code min.insync.replicas=2} succeed and every record is read back.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SaslInterBrokerIT {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\" user_alice=\"alice-secret\";";

    @TempDir
    static Path dir;
    private static StrandCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = StrandCluster.builder(dir).nodes(2)
                .property("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .property("listener.name.plaintext.sasl.enabled.mechanisms", "PLAIN")
                .property("listener.name.plaintext.plain.sasl.jaas.config", JAAS)
                .property("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .property("offsets.topic.replication.factor", "2")
                .property("transaction.state.log.replication.factor", "2")
                .start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<String, Object> client() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"alice\" password=\"alice-secret\";");
    }

    @Test
    void followersReplicateOverAuthenticatedConnections() throws Exception {
        try (Admin admin = Admin.create(client())) {
            admin.createTopics(List.of(new NewTopic("sasl-replicated", 2, (short) 2)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
        }
        Properties producerProps = new Properties();
        producerProps.putAll(client());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        int count = 100;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new StringSerializer())) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>("sasl-replicated", i % 2, "k" + i, "v" + i)));
            }
            for (java.util.concurrent.Future<?> send : sends) {
                send.get(60, TimeUnit.SECONDS);
            }
        }
        try (Admin admin = Admin.create(client())) {
            TopicDescription topic = admin.describeTopics(List.of("sasl-replicated")).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get("sasl-replicated");
            topic.partitions().forEach(p -> assertThat(p.isr()).as("ISR of partition " + p.partition()).hasSize(2));
        }
        Properties consumerProps = new Properties();
        consumerProps.putAll(client());
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition("sasl-replicated", 0),
                    new TopicPartition("sasl-replicated", 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (values.size() < count && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        assertThat(values).hasSize(count).doesNotHaveDuplicates();
    }
}
