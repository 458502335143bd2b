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
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One Java consumer in a group, polling on its own thread and committing after every poll that
 * returned records; it records the offsets it read per partition, its current assignment and
 * generation, its rebalance callbacks, and how many heartbeat answers it had handled when its latest
 * poll began. Either group protocol, as the properties say.
 */
final class GroupMember {

    final Map<TopicPartition, List<Long>> consumed = new ConcurrentHashMap<>();
    final Set<TopicPartition> revoked = ConcurrentHashMap.newKeySet();
    final AtomicInteger failedCommits = new AtomicInteger();
    private final Thread thread;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile int generation = -1;
    private volatile int rebalanceEvents;
    private volatile long heartbeatsBeforeLastPoll = -1;
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
                long heartbeatsBefore = heartbeats(consumer);
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
                heartbeatsBeforeLastPoll = heartbeatsBefore;
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

    /**
     * Heartbeat answers the consumer had handled when its latest completed poll began, or -1 before
     * the first poll. An answer that asks for a rebalance is acted on (partitions revoked, a rejoin
     * sent) at the start of the next poll, so once this passes a count, every answer up to that count
     * shows in {@link #rebalanceEvents()} and {@link #generation()}.
     */
    long heartbeatsBeforeLastPoll() {
        return heartbeatsBeforeLastPoll;
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }

    /** The consumer's count of heartbeat answers (its coordinator metric {@code heartbeat-total}), or -1. */
    private static long heartbeats(KafkaConsumer<?, ?> consumer) {
        for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
            MetricName name = metric.getKey();
            if (name.name().equals("heartbeat-total") && name.group().endsWith("-coordinator-metrics")) {
                return ((Number) metric.getValue().metricValue()).longValue();
            }
        }
        return -1;
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
