package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Log compaction seen by clients: a topic with {@code cleanup.policy=compact}, small segments, a
 * low dirty ratio and no tombstone retention, on a node whose cleaner backs off only
 * {@value #CLEANER_BACKOFF_MS} ms. Many updates per key and tombstones go in; a consumer reading
 * from the beginning eventually sees exactly the latest value of every live key, each at the offset
 * it was written at, and no deleted key. And a record without a key is refused.
 *
 * <p>Only segments other than the active one are cleaned; so after the updates and tombstones
 * the test writes more than a segment of keys that are written once each ("padding"), which puts
 * every update and tombstone into cleanable segments and leaves nothing to compact in the
 * active one. Apache Kafka drops a tombstone only in a cleaning after the one that stamped its delete
 * horizon, and cleans a log only when it has dirty data; so a second round of padding follows once
 * every superseded record is gone, after which the tombstones must be gone too.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CompactionIT {

    private static final long CLEANER_BACKOFF_MS = 100;
    private static final int SEGMENT_BYTES = 1024 * 1024;
    private static final int VALUE_BYTES = 1000;
    private static final int KEYS = 20;
    private static final int UPDATES_PER_KEY = 60;
    /** Written once each, more bytes than a segment holds. */
    private static final int PADDING_KEYS = 1300;

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("log.cleaner.backoff.ms", Long.toString(CLEANER_BACKOFF_MS)));

    @Test
    void consumerFromTheBeginningSeesOnlyTheLatestValueOfEveryLiveKeyAtItsOriginalOffset() throws Exception {
        String topic = "compacted-updates";
        Topics.create(broker.bootstrapServers(), topic, 1, compactedTopicConfigs());
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int round = 0; round < UPDATES_PER_KEY; round++) {
            for (int k = 0; k < KEYS; k++) {
                records.add(new ProducerRecord<>(topic, 0, "key-" + k, value("key-" + k, round)));
            }
        }
        // key-0..key-4 deleted; key-5 deleted and written again
        for (int k = 0; k < 6; k++) {
            records.add(new ProducerRecord<>(topic, 0, "key-" + k, null));
        }
        records.add(new ProducerRecord<>(topic, 0, "key-5", value("key-5", UPDATES_PER_KEY)));
        records.addAll(padding(topic, "padding-"));
        // offset -> key=value of each live key's latest record; and of the five tombstones
        Map<Long, String> expected = new TreeMap<>();
        Map<Long, String> tombstones = new TreeMap<>();
        Map<String, Long> latestOffsets = new LinkedHashMap<>();
        List<Long> offsets = produce(records);
        for (int i = 0; i < records.size(); i++) {
            assertThat(offsets.get(i)).as("offset of record %s", i).isEqualTo(i);
            latestOffsets.put(records.get(i).key(), offsets.get(i));
        }
        latestOffsets.forEach((key, offset) -> {
            String value = records.get(offset.intValue()).value();
            (value == null ? tombstones : expected).put(offset, key + "=" + value);
        });
        assertThat(expected).hasSize(KEYS - 5 + PADDING_KEYS);
        assertThat(tombstones.values()).containsExactly("key-0=null", "key-1=null", "key-2=null", "key-3=null",
                "key-4=null");

        // Apache Kafka drops a tombstone only in a cleaning after the one that set its delete horizon:
        // first every superseded record goes, the tombstones may stay
        await("compacted to the latest value per key").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    Map<Long, String> read = readAll(topic);
                    Map<Long, String> keptTombstones = new TreeMap<>(read);
                    keptTombstones.keySet().retainAll(tombstones.keySet());
                    assertThat(tombstones).containsAllEntriesOf(keptTombstones);
                    read.keySet().removeAll(tombstones.keySet());
                    assertThat(read.keySet()).as("offsets after compaction").containsExactlyElementsOf(expected.keySet());
                    assertThat(read).isEqualTo(expected);
                });

        // more than a segment of new keys: dirty data for one more cleaning, which drops the tombstones
        List<ProducerRecord<String, String>> more = padding(topic, "more-padding-");
        List<Long> moreOffsets = produce(more);
        for (int i = 0; i < more.size(); i++) {
            assertThat(moreOffsets.get(i)).isEqualTo(records.size() + i);
            expected.put(moreOffsets.get(i), more.get(i).key() + "=" + more.get(i).value());
        }
        await("tombstones dropped").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    Map<Long, String> read = readAll(topic);
                    assertThat(read.keySet()).as("offsets after compaction").containsExactlyElementsOf(expected.keySet());
                    assertThat(read).isEqualTo(expected);
                });
    }

    @Test
    void recordWithoutAKeyIsRefusedByACompactedTopic() throws Exception {
        String topic = "compacted-no-key";
        Topics.create(broker.bootstrapServers(), topic, 1, compactedTopicConfigs());
        try (KafkaProducer<String, String> producer = producer()) {
            assertThat(producer.send(new ProducerRecord<>(topic, 0, "k", "keyed")).get(30, TimeUnit.SECONDS).offset())
                    .isZero();

            Throwable refused = catchThrowable(() -> producer.send(new ProducerRecord<>(topic, 0, null, "no key"))
                    .get(30, TimeUnit.SECONDS));

            assertThat(refused).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(InvalidRecordException.class);
            assertThat(producer.send(new ProducerRecord<>(topic, 0, "k", "keyed again")).get(30, TimeUnit.SECONDS)
                    .offset()).isEqualTo(1);
        }
        assertThat(readAll(topic)).containsExactly(Map.entry(0L, "k=keyed"), Map.entry(1L, "k=keyed again"));
    }

    /** {@value #PADDING_KEYS} records of keys {@code prefix0, prefix1, ...}, one each. */
    private static List<ProducerRecord<String, String>> padding(String topic, String prefix) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int p = 0; p < PADDING_KEYS; p++) {
            records.add(new ProducerRecord<>(topic, 0, prefix + p, value(prefix + p, 0)));
        }
        return records;
    }

    /** Sends all records, in order; returns the offset each was acknowledged at. */
    private static List<Long> produce(List<ProducerRecord<String, String>> records) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (ProducerRecord<String, String> record : records) {
                sent.add(producer.send(record));
            }
            List<Long> offsets = new ArrayList<>();
            for (Future<RecordMetadata> future : sent) {
                offsets.add(future.get(30, TimeUnit.SECONDS).offset());
            }
            assertThat(offsets).as("offsets of records sent in order").isSorted().doesNotHaveDuplicates();
            return offsets;
        }
    }

    private static Map<String, String> compactedTopicConfigs() {
        return Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(SEGMENT_BYTES),
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
                TopicConfig.DELETE_RETENTION_MS_CONFIG, "0");
    }

    /** {@code key:round:} padded with dots to {@value #VALUE_BYTES} characters. */
    private static String value(String key, int round) {
        String prefix = key + ":" + round + ":";
        return prefix + ".".repeat(VALUE_BYTES - prefix.length());
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000),
                new StringSerializer(), new StringSerializer());
    }

    /** Partition 0 from its log start to its end: offset -> key=value, in offset order. */
    private static Map<Long, String> readAll(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        Map<Long, String> read = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long endOffset = consumer.endOffsets(List.of(tp)).get(tp);
            long deadlineMs = System.currentTimeMillis() + 30_000;
            long previousOffset = -1;
            while (consumer.position(tp) < endOffset && System.currentTimeMillis() < deadlineMs) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(record.offset()).as("offsets increase").isGreaterThan(previousOffset);
                    previousOffset = record.offset();
                    read.put(record.offset(), record.key() + "=" + record.value());
                }
            }
            assertThat(consumer.position(tp)).as("read up to the end").isEqualTo(endOffset);
        }
        return read;
    }
}
