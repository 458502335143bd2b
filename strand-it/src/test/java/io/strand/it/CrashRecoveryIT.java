package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.StrandProcess;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker JVM killed with SIGKILL under an acks=all producer, then restarted on the same data:
 * every acknowledged record is there, once, at the offset it was acknowledged with. And a segment
 * whose tail was torn or overwritten recovers to its last whole batch.
 */
class CrashRecoveryIT {

    private static final String TOPIC = "crash";

    @TempDir
    Path workDir;
    private StrandProcess broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyAcknowledgedRecordSurvivesKill9() throws Exception {
        Path data = workDir.resolve("data");
        broker = StrandProcess.start(data, Map.of());
        createTopic(broker.bootstrapServers());
        Map<String, Long> acked = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        KafkaProducer<String, String> producer = producer(broker.bootstrapServers());
        Thread writer = new Thread(() -> {
            while (running.get()) {
                String value = "value-" + sent.getAndIncrement();
                try {
                    producer.send(new ProducerRecord<>(TOPIC, 0, value, value), (md, e) -> {
                        if (e == null) {
                            acked.put(value, md.offset());
                        }
                    });
                } catch (RuntimeException e) {
                    return;
                }
            }
        }, "crash-test-producer");
        writer.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 5_000);
        broker.kill9();
        running.set(false);
        producer.close(Duration.ZERO);
        writer.join(10_000);
        Map<String, Long> ackedBeforeKill = new HashMap<>(acked);

        broker = broker.restart();
        List<ConsumerRecord<String, String>> records = readAll(broker.bootstrapServers());
        Map<String, Long> found = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            assertThat(found.put(r.value(), r.offset())).as("duplicate %s", r.value()).isNull();
        }
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
        }
        assertThat(ackedBeforeKill).isNotEmpty();
        for (Map.Entry<String, Long> e : ackedBeforeKill.entrySet()) {
            assertThat(found.get(e.getKey())).as("acknowledged %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void tornAndOverwrittenTailsRecoverToTheLastWholeBatch() throws Exception {
        Path data = workDir.resolve("data");
        broker = StrandProcess.start(data, Map.of());
        createTopic(broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + i)).get(); // one batch per record
            }
        }
        broker.kill9();
        Path segment = data.resolve(TOPIC + "-0").resolve("00000000000000000000.log");
        long size = Files.size(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(size - 10); // cut into the last batch
        }
        broker = broker.restart();
        List<ConsumerRecord<String, String>> records = readAll(broker.bootstrapServers());
        assertThat(records).hasSize(99);
        assertThat(records.get(98).value()).isEqualTo("v98");

        // Now garbage over the tail: the last batches' bytes replaced by noise.
        try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "after-restart")).get();
        }
        broker.kill9();
        long grown = Files.size(segment);
        byte[] noise = new byte[200];
        new Random(7).nextBytes(noise);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.seek(grown - 150);
            file.write(noise);
        }
        broker = broker.restart();
        List<ConsumerRecord<String, String>> after = readAll(broker.bootstrapServers());
        assertThat(after.size()).isBetween(90, 99);
        for (int i = 0; i < after.size(); i++) {
            assertThat(after.get(i).offset()).isEqualTo(i);
            assertThat(after.get(i).value()).isEqualTo("v" + i);
        }
        // The recovered log takes new writes at its end.
        try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
            long offset = producer.send(new ProducerRecord<>(TOPIC, 0, "k", "fresh")).get().offset();
            assertThat(offset).isEqualTo(after.size());
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "delivery.timeout.ms", "20000", "request.timeout.ms", "5000", "linger.ms", "1"),
                new StringSerializer(), new StringSerializer());
    }

    private static void createTopic(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(String bootstrap) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "max.poll.records", "5000"), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 60_000;
            while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
