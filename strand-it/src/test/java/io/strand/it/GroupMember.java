package io.strand.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One Java consumer in a group, polling on its own thread and committing after every poll that
 * returned records; it records the offsets it read per partition, its current assignment and
 * generation, and its rebalance callbacks. Either group protocol, as the properties say.
 */
final class GroupMember {

    final Map<TopicPartition, List<Long>> consumed = new ConcurrentHashMap<>();
    final Set<TopicPartition> revoked = ConcurrentHashMap.newKeySet();
    final AtomicInteger failedCommits = new AtomicInteger();
    private final Thread thread;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile int generation = -1;
    private volatile int rebalanceEvents;
    private volatile boolean running = true;

    private GroupMember(Properties props, String topic) {
        thread = new Thread(() -> run(props, topic), "group-member");
        thread.setDaemon(true);
    }

    static GroupMember start(Properties props, String topic) {
        GroupMember member = new GroupMember(props, topic);
        member.thread.start();
        return member;
    }

    private void run(Properties props, String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        rebalanceEvents++;
                        revoked.addAll(partitions);
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    rebalanceEvents++;
                }
            });
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> record : records) {
                    consumed.computeIfAbsent(new TopicPartition(record.topic(), record.partition()),
                            tp -> new CopyOnWriteArrayList<>()).add(record.offset());
                }
                if (!records.isEmpty()) {
                    try {
                        consumer.commitSync();
                    } catch (CommitFailedException e) {
                        // The group moved on while the commit was in flight (Kafka's clients see the
                        // same); the next commit carries the new generation or member epoch.
                        failedCommits.incrementAndGet();
                    }
                }
                assignment = Set.copyOf(consumer.assignment());
                generation = consumer.groupMetadata().generationId();
            }
        }
    }

    Set<TopicPartition> assignment() {
        return assignment;
    }

    int generation() {
        return generation;
    }

    int rebalanceEvents() {
        return rebalanceEvents;
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }

    /** The offsets of {@code tp} the given members read, in order. */
    static List<Long> consumedOffsets(TopicPartition tp, GroupMember... by) {
        List<Long> offsets = new ArrayList<>();
        for (GroupMember m : by) {
            offsets.addAll(m.consumed.getOrDefault(tp, List.of()));
        }
        offsets.sort(Long::compare);
        return offsets;
    }
}
