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
 * config; an invalid value is refused with Kafka's message. Runs against Kafka with
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

    /** Runs kafka-configs in a child JVM on this test's classpath. */
    private static ChildProcess.Result configs(String... args) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return ChildProcess.javaMain(CONFIG_COMMAND, command).timeout(TOOL_TIMEOUT).run();
    }
}
