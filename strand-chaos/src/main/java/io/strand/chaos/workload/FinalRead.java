package io.strand.chaos.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The full read after the faults: every partition of a topic from offset 0 to its end offset then, with the Java consumer. */
public final class FinalRead {

    private FinalRead() {
    }

    /** Partition to its end offset now, asked by a fresh consumer. */
    public static Map<Integer, Long> endOffsets(String bootstrap, String topic, int partitionCount, Duration timeout) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        Map<Integer, Long> ends = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "end-offsets"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.endOffsets(tps, timeout).forEach((tp, end) -> ends.put(tp.partition(), end));
        }
        return ends;
    }

    /** Partition to offset to value; throws if the ends are not reached within {@code timeout}. */
    public static Map<Integer, NavigableMap<Long, String>> read(String bootstrap, String topic, int partitionCount,
                                                                Duration timeout) {
        return read(bootstrap, topic, partitionCount, timeout, "read_uncommitted");
    }

    /**
     * As {@link #read(String, String, int, Duration)} with {@code isolationLevel} ({@code read_committed}:
     * up to the last stable offsets, which after the producers stopped and their transactions ended are the
     * end offsets; a transaction still open holds the read up until its coordinator aborts it).
     */
    public static Map<Integer, NavigableMap<Long, String>> read(String bootstrap, String topic, int partitionCount,
                                                                Duration timeout, String isolationLevel) {
        List<TopicPartition> tps = new ArrayList<>();
        Map<Integer, NavigableMap<Long, String>> read = new TreeMap<>();
        for (int p = 0; p < partitionCount; p++) {
            tps.add(new TopicPartition(topic, p));
            read.put(p, new TreeMap<>());
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "final-read",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, timeout);
            long deadlineMs = System.currentTimeMillis() + timeout.toMillis();
            while (tps.stream().anyMatch(tp -> consumer.position(tp, timeout) < ends.get(tp))) {
                if (System.currentTimeMillis() > deadlineMs) {
                    throw new IllegalStateException("the final read did not reach the end offsets " + ends
                            + " within " + timeout);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    read.get(record.partition()).put(record.offset(), record.value());
                }
            }
        }
        return read;
    }
}
