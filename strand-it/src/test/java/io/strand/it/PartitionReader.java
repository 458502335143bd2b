package io.strand.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads one partition's values from its beginning, without a group, at one isolation level, and
 * keeps every value read so far in offset order: a read_committed reader is what a downstream
 * application of an exactly-once pipeline sees; a read_uncommitted one also sees what aborted
 * transactions wrote.
 *
 * <p>Not thread-safe: one test thread polls and reads it.
 */
final class PartitionReader implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final TopicPartition partition;
    private final KafkaConsumer<String, String> consumer;
    private final List<String> values = new ArrayList<>();

    /** {@code isolationLevel} is {@code read_committed} or {@code read_uncommitted}. */
    PartitionReader(String bootstrapServers, TopicPartition partition, String isolationLevel) {
        this.partition = partition;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer());
        consumer.assign(List.of(partition));
    }

    /** Polls until some value read equals {@code value}; returns every value read so far. */
    List<String> awaitValue(String value, Duration within) {
        await(partition + " shows " + value).atMost(within).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    pollOnce();
                    return values.contains(value);
                });
        return List.copyOf(values);
    }

    /**
     * Reads to the partition's end as this reader's isolation level sees it now (for read_committed
     * the last stable offset) and returns every value read.
     */
    List<String> readToEnd(Duration within) {
        long end = consumer.endOffsets(List.of(partition), within).get(partition);
        await(partition + " read to offset " + end).atMost(within).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    pollOnce();
                    return consumer.position(partition) >= end;
                });
        return List.copyOf(values);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    private void pollOnce() {
        for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
            values.add(record.value());
        }
    }
}
