package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
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
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
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
 * listener's JAAS line), with Kafka's StandardAuthorizer and {@code super.users=User:broker}: followers
 * replicate through authenticated connections as the super user, so acks=all produces with
 * {@code min.insync.replicas=2} succeed and every record is read back; ACLs created through one broker
 * reach both, so a client denied its topic is served by either leader once allowed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SaslInterBrokerIT {

    private static final String TOPIC = "sasl-replicated";
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
                .property("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .property("super.users", "User:broker")
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

    private static Map<String, Object> client(String user, String password) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"" + user + "\" password=\"" + password + "\";");
    }

    private static Map<String, Object> client() {
        return client("alice", "alice-secret");
    }

    @Test
    void followersReplicateOverAuthenticatedConnections() throws Exception {
        try (Admin admin = Admin.create(client("broker", "broker-secret"))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 2)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
            assertThat(sendOneToEachPartition("denied")).as("alice's produce without ACLs")
                    .isInstanceOf(TopicAuthorizationException.class);
            ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL);
            admin.createAcls(List.of(AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE).stream()
                    .map(operation -> new AclBinding(topic, new AccessControlEntry("User:alice", "*", operation,
                            AclPermissionType.ALLOW)))
                    .toList()).all().get(30, TimeUnit.SECONDS);
        }
        // The ACLs reach each broker through its metadata image: once a record to each partition (one led
        // by each broker) is acknowledged, both apply them. A denied attempt appends nothing.
        List<String> probes = new ArrayList<>();
        await("alice allowed by both brokers").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String probe = "probe-" + probes.size();
                    Exception failure = sendOneToEachPartition(probe);
                    if (failure == null) {
                        probes.add(probe);
                        return true;
                    }
                    assertThat(failure).isInstanceOf(TopicAuthorizationException.class);
                    probes.add(null);
                    return false;
                });
        System.out.printf("%s: alice was allowed by both brokers at the probe %d%n", getClass().getSimpleName(),
                probes.size());
        Properties producerProps = new Properties();
        producerProps.putAll(client());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        int count = 100;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new StringSerializer())) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, i % 2, "k" + i, "v" + i)));
            }
            for (java.util.concurrent.Future<?> send : sends) {
                send.get(60, TimeUnit.SECONDS);
            }
        }
        try (Admin admin = Admin.create(client())) {
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(TOPIC);
            topic.partitions().forEach(p -> assertThat(p.isr()).as("ISR of partition " + p.partition()).hasSize(2));
        }
        Properties consumerProps = new Properties();
        consumerProps.putAll(client());
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            int expected = count + 2; // and the accepted probe's two records
            while (values.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        String accepted = probes.get(probes.size() - 1);
        List<String> expectedValues = new ArrayList<>(List.of(accepted, accepted));
        for (int i = 0; i < count; i++) {
            expectedValues.add("v" + i);
        }
        assertThat(values).containsExactlyInAnyOrderElementsOf(expectedValues);
    }

    /**
     * Sends {@code value} as alice to each partition of the topic with a fresh producer; null once both
     * are acknowledged, else the cause of the first failure.
     */
    private static Exception sendOneToEachPartition(String value) {
        Properties props = new Properties();
        props.putAll(client());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                producer.send(new ProducerRecord<>(TOPIC, partition, "probe", value)).get(20, TimeUnit.SECONDS);
            }
            return null;
        } catch (ExecutionException e) {
            return (Exception) e.getCause();
        } catch (Exception e) {
            return e;
        }
    }
}
