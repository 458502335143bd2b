package io.strand.chaos.workload;

import io.strand.chaos.history.ConsumerEvent;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * One member of a consumer group (classic protocol): it subscribes to the topic, logs every record
 * it reads, commits synchronously after each batch what it read (the offset after the batch's last
 * record of each partition), and on a rebalance commits before giving partitions up. Logged: each
 * assignment with the position the member starts at, each read, each commit (done, or unknown if it
 * failed or timed out), each revocation or loss with the position then. Auto-commit is off; a group
 * with no commit starts at the earliest offset.
 */
public final class GroupConsumerWorkload extends ConsumerWorkload {

    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaConsumer<String, String> consumer;
    private final String topic;

    private GroupConsumerWorkload(String name, String group, String bootstrap, String topic,
                                  Map<String, Object> overrides) {
        super(name, group);
        this.topic = topic;
        Map<String, Object> own = new HashMap<>(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000));
        own.putAll(overrides);
        this.consumer = consumer(bootstrap, name, own);
    }

    public static GroupConsumerWorkload start(String name, String group, String bootstrap, String topic) {
        return start(name, group, bootstrap, topic, Map.of());
    }

    /** As {@link #start(String, String, String, String)}, with {@code overrides} over the client settings. */
    public static GroupConsumerWorkload start(String name, String group, String bootstrap, String topic,
                                              Map<String, Object> overrides) {
        GroupConsumerWorkload workload = new GroupConsumerWorkload(name, group, bootstrap, topic, overrides);
        workload.startThread();
        return workload;
    }

    @Override
    protected void consume() {
        try (consumer) {
            consumer.subscribe(List.of(topic), new Listener());
            while (running) {
                ConsumerRecords<String, String> records;
                try {
                    records = consumer.poll(Duration.ofMillis(200));
                } catch (KafkaException e) {
                    continue; // a rebalance or a coordinator that moved: poll again
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> record : records) {
                    log(ConsumerEvent.read(name, group, record.partition(), record.offset(), record.value(),
                            System.currentTimeMillis()));
                    offsets.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                commit(offsets);
            }
        }
    }

    /** Commits {@code offsets} and logs each as done or unknown. On the consumer's thread. */
    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        boolean done;
        try {
            consumer.commitSync(offsets, COMMIT_TIMEOUT);
            done = true;
        } catch (KafkaException e) {
            done = false;
        }
        long nowMs = System.currentTimeMillis();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : offsets.entrySet()) {
            int partition = entry.getKey().partition();
            long offset = entry.getValue().offset();
            log(done ? ConsumerEvent.committed(name, group, partition, offset, nowMs)
                    : ConsumerEvent.commitUnknown(name, group, partition, offset, nowMs));
        }
    }

    /** Runs inside {@code poll}, on the consumer's thread. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                // the time before the position is fetched: commits answered later cannot have shaped it
                long atMs = System.currentTimeMillis();
                try {
                    long position = consumer.position(tp, COMMIT_TIMEOUT);
                    log(ConsumerEvent.assigned(name, group, tp.partition(), position, atMs));
                } catch (KafkaException e) {
                    // no known start: reads until the next assignment are not checked for repeats
                    log(ConsumerEvent.revoked(name, group, tp.partition(), -1, System.currentTimeMillis()));
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : partitions) {
                try {
                    offsets.put(tp, new OffsetAndMetadata(consumer.position(tp, COMMIT_TIMEOUT)));
                } catch (KafkaException e) {
                    // nothing to commit for it
                }
            }
            commit(offsets);
            giveUp(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            giveUp(partitions);
        }

        /** Logs each partition given up with the position then (-1 if the consumer has none for it). */
        private void giveUp(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                long position;
                try {
                    position = consumer.position(tp, Duration.ofMillis(1));
                } catch (KafkaException e) {
                    position = -1;
                }
                log(ConsumerEvent.revoked(name, group, tp.partition(), position, System.currentTimeMillis()));
            }
        }
    }
}
