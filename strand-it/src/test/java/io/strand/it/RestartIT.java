package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.testkit.StrandNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After a clean restart on the same data: topics (same ids), configs and records are all back. */
class RestartIT {

    @TempDir
    Path dataDir;

    @Test
    void topicsConfigsAndDataSurviveACleanRestart() throws Exception {
        try (StrandNode node = StrandNode.start(dataDir, Map.of())) {
            Uuid topicId;
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", node.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1)
                        .configs(Map.of("retention.ms", "123456789")))).all().get();
                topicId = admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept").topicId();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", node.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("kept", i % 2, "k" + i, "v" + i));
                }
                producer.flush();
            }

            node.restart();

            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", node.bootstrapServers()))) {
                assertThat(admin.describeTopics(List.of("kept")).allTopicNames().get().get("kept").topicId()).isEqualTo(topicId);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "kept");
                Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertThat(config.get("retention.ms").value()).isEqualTo("123456789");
            }
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Map.of("bootstrap.servers", node.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
                List<TopicPartition> tps = List.of(new TopicPartition("kept", 0), new TopicPartition("kept", 1));
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                long deadline = System.currentTimeMillis() + 30_000;
                while (records.size() < 100 && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
            }
            assertThat(records).hasSize(100);
            assertThat(records.stream().filter(r -> r.partition() == 0).map(ConsumerRecord::offset).toList())
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 50).boxed().toList());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", node.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                assertThat(producer.send(new ProducerRecord<>("kept", 0, "k", "after")).get().offset()).isEqualTo(50);
            }
        }
    }
}
