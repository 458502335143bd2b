package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import io.strand.testkit.StrandNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record the group coordinator cannot read in {@code __consumer_offsets} — here one with an unknown
 * key type, written straight into the partition's log while the node is down, as a buggy or hostile
 * writer could — costs only itself: after a restart every group of that partition has its committed
 * offsets back, read with the Java Admin client.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OffsetsTopicHostileRecordIT {

    private static final int OFFSETS_PARTITIONS = 4;
    private static final String TOPIC = "orders";

    @TempDir
    Path dataDir;

    @Test
    void unreadableRecordInTheOffsetsTopicIsSkippedAndEveryGroupLoads() throws Exception {
        Map<String, String> props = Map.of("offsets.topic.num.partitions", Integer.toString(OFFSETS_PARTITIONS),
                "offsets.topic.replication.factor", "1");
        String first = "billing";
        String second = sameOffsetsPartitionAs(first);
        int offsetsPartition = Utils.abs(first.hashCode()) % OFFSETS_PARTITIONS;
        Map<TopicPartition, OffsetAndMetadata> firstOffsets = Map.of(
                new TopicPartition(TOPIC, 0), new OffsetAndMetadata(3, "m0"),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(5, "m1"));
        Map<TopicPartition, OffsetAndMetadata> secondOffsets = Map.of(
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(7, ""));

        StrandNode node = StrandNode.start(dataDir, props);
        try {
            try (Admin admin = admin(node)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", node.bootstrapServers()), new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, i % 2, "k" + i, "v" + i));
                }
                producer.flush();
            }
            commit(node, first, firstOffsets);
            commit(node, second, secondOffsets);
        } finally {
            node.close();
        }

        long hostileOffset = appendUnreadableRecord(offsetsPartition);

        node = StrandNode.start(dataDir, props);
        try (Admin admin = admin(node)) {
            TopicPartition offsetsTp = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, offsetsPartition);
            assertThat(admin.listOffsets(Map.of(offsetsTp, OffsetSpec.latest())).partitionResult(offsetsTp).get()
                    .offset()).as("the unreadable record is committed, so loading reads it").isGreaterThan(hostileOffset);

            assertThat(admin.listConsumerGroupOffsets(first).partitionsToOffsetAndMetadata().get())
                    .isEqualTo(firstOffsets);
            assertThat(admin.listConsumerGroupOffsets(second).partitionsToOffsetAndMetadata().get())
                    .isEqualTo(secondOffsets);
            // The groups keep working: a new commit lands and reads back.
            commit(node, first, Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(9, "after")));
            assertThat(admin.listConsumerGroupOffsets(first).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(9);
        } finally {
            node.close();
        }
    }

    /** A group id other than {@code groupId} whose offsets live in the same {@code __consumer_offsets} partition. */
    private static String sameOffsetsPartitionAs(String groupId) {
        int partition = Utils.abs(groupId.hashCode()) % OFFSETS_PARTITIONS;
        for (int i = 0; ; i++) {
            String candidate = "payroll-" + i;
            if (Utils.abs(candidate.hashCode()) % OFFSETS_PARTITIONS == partition) {
                return candidate;
            }
        }
    }

    private static Admin admin(StrandNode node) {
        return Admin.create(Map.<String, Object>of("bootstrap.servers", node.bootstrapServers(),
                "default.api.timeout.ms", 20_000, "request.timeout.ms", 5_000));
    }

    private static void commit(StrandNode node, String groupId, Map<TopicPartition, OffsetAndMetadata> offsets) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", node.bootstrapServers());
        config.put("group.id", groupId);
        config.put("enable.auto.commit", false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.commitSync(offsets, Duration.ofSeconds(30));
        }
    }

    /**
     * With the node down, appends one record with key type 999 (no such record exists) to
     * {@code __consumer_offsets-partition} and commits it (high watermark at the log end), through the
     * storage layer the node itself uses. Returns the record's offset.
     */
    private long appendUnreadableRecord(int partition) throws Exception {
        TopicPartition tp = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, partition);
        Path partitionDir = dataDir.resolve(tp.topic() + "-" + tp.partition());
        Uuid topicId = Files.readAllLines(partitionDir.resolve("partition.metadata")).stream()
                .filter(line -> line.startsWith("topic_id:"))
                .map(line -> Uuid.fromString(line.substring("topic_id:".length()).trim()))
                .findFirst().orElseThrow();
        byte[] key = ByteBuffer.allocate(8).putShort((short) 999).putShort((short) 4).put("evil".getBytes()).array();
        try (LogManager logs = new LogManager(LogManagerConfig.withDefaults(List.of(dataDir)), Time.SYSTEM)) {
            logs.startup();
            PartitionLog log = logs.getOrCreateLog(tp, topicId, LogConfig.defaults());
            long offset = log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(System.currentTimeMillis(), key, new byte[] {0, 0, 1, 2, 3})),
                    log.latestEpoch()).firstOffset();
            log.updateHighWatermark(log.logEndOffset());
            return offset;
        }
    }
}
