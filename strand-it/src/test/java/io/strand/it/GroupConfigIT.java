package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group-level configuration (the GROUP config resource) through Kafka's own {@code kafka-configs} and
 * Admin client: a share group set to {@code share.auto.offset.reset=earliest} before it first consumes
 * reads the records written before it joined; describe reports the group's value as a dynamic group
 * config; a share group set to {@code share.isolation.level=read_committed} gets a transaction's records
 * once it commits and never those of an aborted one; an invalid value is refused with Kafka's message. Runs against Kafka with
 * {@code -Dstrand.it.broker=kafka} too.
 */
class GroupConfigIT {

    private static final String CONFIG_COMMAND = "kafka.admin.ConfigCommand";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(45);

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun();

    @Test
    void aShareGroupSetToEarliestReadsWhatWasWrittenBeforeItJoined() throws Exception {
        String topic = "cfg-earliest";
        String group = "cfg-earliest-group";
        broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "before-" + i));
            }
            producer.flush();
        }

        configs("--entity-type", "groups", "--entity-name", group, "--alter",
                "--add-config", "share.auto.offset.reset=earliest").assertSuccess();
        ChildProcess.Result described = configs("--entity-type", "groups", "--entity-name", group, "--describe")
                .assertSuccess();
        assertThat(described.stdout()).contains("share.auto.offset.reset=earliest");

        Config config = broker.admin().describeConfigs(List.of(new ConfigResource(ConfigResource.Type.GROUP, group)))
                .all().get(30, TimeUnit.SECONDS).values().iterator().next();
        ConfigEntry reset = config.get("share.auto.offset.reset");
        assertThat(reset.value()).isEqualTo("earliest");
        assertThat(reset.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_GROUP_CONFIG);
        assertThat(config.get("share.record.lock.duration.ms").source())
                .isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);

        List<String> read = new ArrayList<>();
        try (KafkaShareConsumer<String, String> consumer = shareConsumer(group)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < 20 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r.value());
                }
            }
        }
        assertThat(read).hasSize(20).startsWith("before-0").endsWith("before-19");
    }

    @Test
    void aReadCommittedShareGroupGetsCommittedRecordsOnlyOnceTheirTransactionEnds() throws Exception {
        String topic = "cfg-read-committed";
        String group = "cfg-read-committed-group";
        broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        broker.admin().incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("share.isolation.level", "read_committed"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);

        try (KafkaProducer<String, String> transactional = transactionalProducer("cfg-read-committed-tx");
             KafkaProducer<String, String> plain = producer();
             KafkaShareConsumer<String, String> consumer = shareConsumer(group)) {
            transactional.initTransactions();
            transactional.beginTransaction();
            for (int i = 0; i < 5; i++) {
                transactional.send(new ProducerRecord<>(topic, "aborted-" + i));
            }
            transactional.abortTransaction();
            transactional.beginTransaction();
            for (int i = 0; i < 5; i++) {
                transactional.send(new ProducerRecord<>(topic, "committed-" + i));
            }
            transactional.commitTransaction();
            transactional.beginTransaction();
            for (int i = 0; i < 3; i++) {
                transactional.send(new ProducerRecord<>(topic, "open-" + i));
            }
            transactional.flush();
            plain.send(new ProducerRecord<>(topic, "after-open")).get(30, TimeUnit.SECONDS);

            consumer.subscribe(List.of(topic));
            List<String> read = new ArrayList<>();
            pollUntil(consumer, read, 5);
            // The last stable offset stops at the open transaction: a few more polls deliver nothing past it.
            for (int i = 0; i < 4; i++) {
                consumer.poll(Duration.ofMillis(250)).forEach(r -> read.add(r.value()));
            }
            assertThat(read).containsExactly("committed-0", "committed-1", "committed-2", "committed-3", "committed-4");

            transactional.commitTransaction();
            pollUntil(consumer, read, 9);
            assertThat(read).as("never a record of the aborted transaction").containsExactly("committed-0",
                    "committed-1", "committed-2", "committed-3", "committed-4", "open-0", "open-1", "open-2",
                    "after-open");
        }
    }

    /** Polls (implicit acknowledgement) until {@code read} holds {@code count} values, for at most 30 s. */
    private static void pollUntil(KafkaShareConsumer<String, String> consumer, List<String> read, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
        }
    }

    @Test
    void anInvalidValueIsRefusedWithKafkasMessage() {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "cfg-invalid-group");
        assertThatThrownBy(() -> alter(group, "share.auto.offset.reset", "sometimes"))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Invalid value sometimes for configuration share.auto.offset.reset")
                .hasMessageContaining("The value must be either 'earliest', 'latest' or of the format "
                        + "'by_duration:<PnDTnHnMn.nS>'.");
        assertThatThrownBy(() -> alter(group, "share.record.lock.duration.ms", "3600000"))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("share.record.lock.duration.ms must be less than or equal to "
                        + "group.share.max.record.lock.duration.ms");
        assertThatThrownBy(() -> alter(group, "share.no.such.config", "1"))
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("Unknown group config name: share.no.such.config");
    }

    private static void alter(ConfigResource resource, String name, String value)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        broker.admin().incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    }

    private static KafkaShareConsumer<String, String> shareConsumer(String group) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("group.id", group);
        props.put("share.acknowledgement.mode", "implicit");
        return new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaProducer<String, String> transactionalProducer(String transactionalId) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("transactional.id", transactionalId);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Runs kafka-configs in a child JVM on this test's classpath. */
    private static ChildProcess.Result configs(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return ChildProcess.javaMain(CONFIG_COMMAND, command).timeout(TOOL_TIMEOUT).run();
    }
}
