package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The official Java producer and consumer (assign/seek, no group) against one Strand node. */
class JavaClientIT {

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.strand().withProperties(Map.of("num.partitions", "3"));

    static KafkaProducer<String, String> producer(String acks, String compression) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("acks", acks);
        props.put("compression.type", compression);
        props.put("linger.ms", "5");
        props.put("enable.idempotence", Boolean.toString(acks.equals("all")));
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("enable.auto.commit", "false");
        props.put("max.poll.records", "10000");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    static List<ConsumerRecord<String, String>> readAll(TopicPartition tp, long from, int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer()) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, from);
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).records(tp).forEach(records::add);
            }
        }
        return records;
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "all"})
    void producesAndConsumesWithEachAcksSetting(String acks) throws Exception {
        String topic = "acks-" + acks.replace("all", "minus1");
        createTopic(topic, 1);
        try (KafkaProducer<String, String> producer = producer(acks, "none")) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
            }
            producer.flush();
        }
        List<ConsumerRecord<String, String>> records = readAll(new TopicPartition(topic, 0), 0, 100);
        assertThat(records).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).key()).isEqualTo("k" + i);
            assertThat(records.get(i).value()).isEqualTo("v" + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void roundTripsEveryCompressionCodec(String codec) throws Exception {
        String topic = "codec-" + codec;
        createTopic(topic, 1);
        try (KafkaProducer<String, String> producer = producer("all", codec)) {
            for (int i = 0; i < 500; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k" + i, "value-" + i + "-" + "x".repeat(i % 50)));
            }
            producer.flush();
        }
        List<ConsumerRecord<String, String>> records = readAll(new TopicPartition(topic, 0), 0, 500);
        assertThat(records).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 500).boxed().toList());
        assertThat(records.get(499).value()).isEqualTo("value-499-" + "x".repeat(499 % 50));
    }

    @Test
    void idempotentProducerAssignsConsecutiveOffsetsAndKeepsHeaders() throws Exception {
        String topic = "idempotent";
        createTopic(topic, 1);
        List<RecordMetadata> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer("all", "none")) {
            for (int i = 0; i < 50; i++) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, "k" + i, "v" + i);
                record.headers().add(new RecordHeader("h", ("x" + i).getBytes(StandardCharsets.UTF_8)));
                acked.add(producer.send(record).get(30, TimeUnit.SECONDS));
            }
        }
        assertThat(acked).extracting(RecordMetadata::offset)
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 50).boxed().toList());
        List<ConsumerRecord<String, String>> records = readAll(new TopicPartition(topic, 0), 20, 30);
        assertThat(records.get(0).offset()).isEqualTo(20);
        assertThat(new String(records.get(0).headers().lastHeader("h").value(), StandardCharsets.UTF_8)).isEqualTo("x20");
    }

    @Test
    void autoCreatesTopicsWithTheDefaultPartitionCount() throws Exception {
        try (KafkaProducer<String, String> producer = producer("1", "none")) {
            RecordMetadata md = producer.send(new ProducerRecord<>("auto-created", "k", "v")).get(30, TimeUnit.SECONDS);
            assertThat(md.offset()).isZero();
            assertThat(producer.partitionsFor("auto-created")).hasSize(3);
        }
    }

    @Test
    void seeksByTimestampAndFindsEndOffsets() throws Exception {
        String topic = "timestamps";
        createTopic(topic, 1);
        long base = System.currentTimeMillis() - 100_000;
        try (KafkaProducer<String, String> producer = producer("all", "none")) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, base + i * 1000L, "k", "v" + i)).get();
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = consumer()) {
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, base + 4500));
            assertThat(found.get(tp).offset()).isEqualTo(5);
            assertThat(found.get(tp).timestamp()).isEqualTo(base + 5000);
            assertThat(consumer.endOffsets(List.of(tp))).containsEntry(tp, 10L);
            assertThat(consumer.beginningOffsets(List.of(tp))).containsEntry(tp, 0L);
            assertThat(consumer.offsetsForTimes(Map.of(tp, base + 60_000)).get(tp)).isNull();
        }
    }

    @Test
    void longPollReturnsAsSoonAsDataArrives() throws Exception {
        String topic = "long-poll";
        createTopic(topic, 1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = consumer();
             KafkaProducer<String, String> producer = producer("1", "none")) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.poll(Duration.ofMillis(300)).count()).isZero();
            producer.send(new ProducerRecord<>(topic, 0, "k", "late")).get();
            List<ConsumerRecord<String, String>> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 10_000;
            while (got.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofSeconds(5)).forEach(got::add);
            }
            assertThat(got).extracting(ConsumerRecord::value).containsExactly("late");
        }
    }

    @Test
    void consumerKeepsUpWithConcurrentProductionAcrossPartitions() throws Exception {
        String topic = "many-partitions";
        createTopic(topic, 6);
        List<TopicPartition> tps = java.util.stream.IntStream.range(0, 6)
                .mapToObj(p -> new TopicPartition(topic, p)).toList();
        Map<Integer, List<Long>> seen = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = consumer()) {
                consumer.assign(tps);
                consumer.seekToBeginning(tps);
                long deadline = System.currentTimeMillis() + 60_000;
                while (received.get() < 3000 && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        seen.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.offset());
                        received.incrementAndGet();
                    }
                }
            }
        }, "incremental-fetch-reader");
        reader.start();
        try (KafkaProducer<String, String> producer = producer("1", "lz4")) {
            for (int i = 0; i < 3000; i++) {
                producer.send(new ProducerRecord<>(topic, i % 6, "k" + i, "v" + i));
                if (i % 500 == 0) {
                    producer.flush();
                }
            }
        }
        reader.join(70_000);
        assertThat(received.get()).isEqualTo(3000);
        for (int p = 0; p < 6; p++) {
            assertThat(seen.get(p)).containsExactlyElementsOf(java.util.stream.LongStream.range(0, 500).boxed().toList());
        }
    }

    static void createTopic(String name, int partitions) throws ExecutionException, InterruptedException {
        broker.admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    }
}
