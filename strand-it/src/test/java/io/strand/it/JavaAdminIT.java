package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The official Java Admin client against one Strand node, one test per admin capability. */
class JavaAdminIT {

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.strand()
            .withProperties(Map.of("log.retention.hours", "48", "log.segment.bytes", "2097152"));

    @Test
    void createsDescribesAndListsTopics() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic("described", 4, (short) 1))).all().get();
        TopicDescription description = broker.admin().describeTopics(List.of("described")).allTopicNames().get()
                .get("described");
        assertThat(description.partitions()).hasSize(4);
        assertThat(description.topicId()).isNotNull();
        assertThat(description.partitions().get(0).leader().id()).isEqualTo(1);
        assertThat(description.partitions().get(0).isr()).extracting(n -> n.id()).containsExactly(1);
        assertThat(broker.admin().listTopics().names().get()).contains("described");
        assertThat(broker.admin().createTopics(List.of(new NewTopic("described", 1, (short) 1))).all())
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(TopicExistsException.class);
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic("only-validated", 2, (short) 1)),
                new CreateTopicsOptions().validateOnly(true)).all().get();
        assertThat(broker.admin().listTopics().names().get()).doesNotContain("only-validated");
    }

    @Test
    void topicConfigsAreStoredDescribedAndAltered() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic("configured", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact", "retention.ms", "1000000")))).all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
        Config config = broker.admin().describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(config.get("cleanup.policy").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("index.interval.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(config.get("retention.bytes").value()).isEqualTo("-1");

        broker.admin().incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "2000000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", ""), AlterConfigOp.OpType.DELETE)))).all().get();
        Config altered = broker.admin().describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(altered.get("retention.ms").value()).isEqualTo("2000000");
        assertThat(altered.get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(altered.get("cleanup.policy").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void brokerConfigsShowStaticValuesAndDefaults() throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
        Config config = broker.admin().describeConfigs(List.of(node)).all().get().get(node);
        assertThat(config.get("log.retention.hours").value()).isEqualTo("48");
        assertThat(config.get("log.retention.hours").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "described-retention");
        broker.admin().createTopics(List.of(new NewTopic("described-retention", 1, (short) 1))).all().get();
        Config topicConfig = broker.admin().describeConfigs(List.of(topic)).all().get().get(topic);
        // Kafka reports an hours-based default under retention.ms with source DEFAULT_CONFIG; the value is what counts.
        assertThat(topicConfig.get("retention.ms").value()).isEqualTo(Long.toString(48L * 3600 * 1000));
        assertThat(topicConfig.get("segment.bytes").value()).isEqualTo("2097152");
        assertThat(topicConfig.get("segment.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
    }

    @Test
    void createPartitionsGrowsButNeverShrinks() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic("growing", 1, (short) 1))).all().get();
        broker.admin().createPartitions(Map.of("growing", NewPartitions.increaseTo(3))).all().get();
        assertThat(broker.admin().describeTopics(List.of("growing")).allTopicNames().get().get("growing").partitions())
                .hasSize(3);
        assertThat(broker.admin().createPartitions(Map.of("growing", NewPartitions.increaseTo(2))).all())
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(InvalidPartitionsException.class);
    }

    @Test
    void deleteTopicRemovesItAndItsFiles() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic("doomed", 2, (short) 1))).all().get();
        produce("doomed", 0, 10);
        assertThat(broker.dataDir().resolve("doomed-0")).exists();
        broker.admin().deleteTopics(List.of("doomed")).all().get();
        assertThat(broker.admin().listTopics().names().get()).doesNotContain("doomed");
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(broker.dataDir().resolve("doomed-0")));
        assertThat(broker.admin().deleteTopics(List.of("doomed")).all())
                .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void deleteRecordsMovesTheLogStartOffset() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic("trimmed", 1, (short) 1))).all().get();
        produce("trimmed", 0, 20);
        TopicPartition tp = new TopicPartition("trimmed", 0);
        long low = broker.admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(12))).lowWatermarks().get(tp).get()
                .lowWatermark();
        assertThat(low).isEqualTo(12);
        ListOffsetsResult.ListOffsetsResultInfo earliest = broker.admin().listOffsets(Map.of(tp, OffsetSpec.earliest()))
                .partitionResult(tp).get();
        assertThat(earliest.offset()).isEqualTo(12);
        assertThat(broker.admin().listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset()).isEqualTo(20);
    }

    @Test
    void listOffsetsFindsTheMaxTimestamp() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic("max-ts", 1, (short) 1))).all().get();
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("max-ts", 0, now - 3000, "k", "a")).get();
            producer.send(new ProducerRecord<>("max-ts", 0, now - 1000, "k", "b")).get();
            producer.send(new ProducerRecord<>("max-ts", 0, now - 2000, "k", "c")).get();
        }
        TopicPartition tp = new TopicPartition("max-ts", 0);
        ListOffsetsResult.ListOffsetsResultInfo max = broker.admin().listOffsets(Map.of(tp, OffsetSpec.maxTimestamp()))
                .partitionResult(tp).get();
        assertThat(max.offset()).isEqualTo(1);
        assertThat(max.timestamp()).isEqualTo(now - 1000);
        ListOffsetsResult.ListOffsetsResultInfo byTime = broker.admin()
                .listOffsets(Map.of(tp, OffsetSpec.forTimestamp(now - 2500))).partitionResult(tp).get();
        assertThat(byTime.offset()).isEqualTo(1);
    }

    @Test
    void describesClusterAndLogDirs() throws Exception {
        DescribeClusterResult cluster = broker.admin().describeCluster();
        assertThat(cluster.clusterId().get()).isNotBlank();
        assertThat(cluster.nodes().get()).extracting(n -> n.id()).containsExactly(1);
        assertThat(cluster.controller().get().id()).isEqualTo(1);
        broker.admin().createTopics(List.of(new NewTopic("on-disk", 1, (short) 1))).all().get();
        produce("on-disk", 0, 5);
        Map<String, LogDirDescription> dirs = broker.admin().describeLogDirs(List.of(1)).allDescriptions().get().get(1);
        assertThat(dirs).hasSize(1);
        LogDirDescription dir = dirs.values().iterator().next();
        assertThat(dir.replicaInfos()).containsKey(new TopicPartition("on-disk", 0));
        assertThat(dir.replicaInfos().get(new TopicPartition("on-disk", 0)).size()).isPositive();
        assertThat(dir.totalBytes()).isPresent();
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }

    private static void produce(String topic, int partition, int count) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, "v" + i)).get();
            }
        }
    }
}
