package io.strand.it;

import java.time.Duration;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A Java consumer in a group, polling on a thread of its own and, after every poll that returned
 * records, committing for each partition it read the offset after its last record there, either
 * with {@code commitSync} or {@code commitAsync}; every commit and its outcome go to the group's
 * {@link CommitLog}, every offset read to the group's {@link Consumed} and, with its assignments and
 * revocations, to the {@link CommitLog} too. A member never commits below what it read, so a group's
 * commits only move forward unless it resumed below one.
 *
 * <p>An asynchronous member keeps one commit in flight at a time and folds what it reads meanwhile
 * into the next: several {@code commitAsync} calls in flight across a coordinator's restart were once
 * seen acknowledged out of order (2219 after 2221) although this broker answers each connection in
 * request order, so the reordering is not the broker's to promise; an application that needs its
 * commits in order waits for each, as this member does. What it folds is only ever of partitions it
 * still owns: a revocation drops the revoked partitions' offsets, or the next commit, sent in the
 * next generation, would move the group's committed offset back below the new owner's commits.
 *
 * <p>Thread-safe: the test starts, observes and stops it; only its own thread touches the consumer.
 */
final class CommittingMember implements AutoCloseable {

    /** How a member commits. */
    enum CommitMode { SYNC, ASYNC }

    private static final Duration COMMIT_SYNC_TIMEOUT = Duration.ofSeconds(5);

    private final Properties props;
    private final String topic;
    private final CommitMode mode;
    private final CommitLog commits;
    private final Consumed consumed;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable error;
    /** ASYNC: the offsets read since the last commit was sent; only the member's thread touches it. */
    private final Map<TopicPartition, OffsetAndMetadata> unsent = new HashMap<>();
    /** ASYNC: whether a commit awaits its callback; only the member's thread touches it. */
    private boolean asyncInFlight;

    private CommittingMember(String name, Properties props, String topic, CommitMode mode, CommitLog commits,
                             Consumed consumed) {
        this.props = props;
        this.topic = topic;
        this.mode = mode;
        this.commits = commits;
        this.consumed = consumed;
        this.thread = new Thread(this::run, commitMetadata(name));
        this.thread.setDaemon(true);
    }

    /** The metadata of every commit the member named {@code name} sends (also its thread's name). */
    static String commitMetadata(String name) {
        return "member-" + name;
    }

    static CommittingMember start(String name, Properties props, String topic, CommitMode mode, CommitLog commits,
                                  Consumed consumed) {
        CommittingMember member = new CommittingMember(name, props, topic, mode, commits, consumed);
        member.thread.start();
        return member;
    }

    private void run() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    forget(partitions);
                    commits.revoked(thread.getName(), partitions, false);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    forget(partitions);
                    commits.revoked(thread.getName(), partitions, true);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    commits.assigned(thread.getName(), partitions);
                }
            });
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> record : records) {
                    consumed.add(record.partition(), record.offset());
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    commits.read(thread.getName(), tp, record.offset());
                    offsets.put(tp, new OffsetAndMetadata(record.offset() + 1, thread.getName()));
                }
                if (mode == CommitMode.ASYNC) {
                    unsent.putAll(offsets);
                    if (!unsent.isEmpty() && !asyncInFlight) {
                        commit(consumer, new HashMap<>(unsent));
                        unsent.clear();
                    }
                } else if (!offsets.isEmpty()) {
                    commit(consumer, offsets);
                }
            }
        } catch (Throwable e) {
            error = e;
        }
    }

    /**
     * Drops what was read and not yet committed of partitions the member no longer owns: committed
     * later, in the next generation, such an offset would overwrite the commits of the partition's new
     * owner, which resumed from the committed offset and may be far past it (the coordinator, like
     * Kafka's, accepts a member's commit of any partition in its current generation). Runs on the
     * member's thread, inside {@code poll}.
     */
    private void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(unsent::remove);
    }

    private void commit(KafkaConsumer<String, String> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
        long id = commits.begin(offsets);
        if (mode == CommitMode.ASYNC) {
            asyncInFlight = true;
            consumer.commitAsync(offsets, (committed, e) -> {
                asyncInFlight = false;
                commits.complete(id, e);
            });
            return;
        }
        try {
            consumer.commitSync(offsets, COMMIT_SYNC_TIMEOUT);
        } catch (KafkaException e) {
            commits.complete(id, e);
            return;
        }
        commits.complete(id, null);
    }

    /** Stops polling, waits for its thread, and fails if the member's loop died of an error. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(60));
        if (thread.isAlive()) {
            throw new AssertionError(thread.getName() + " did not stop");
        }
        if (error != null) {
            throw new AssertionError(thread.getName() + " failed", error);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The offsets a group's members read, per partition, for the at-least-once check.
     * Thread-safe.
     */
    static final class Consumed {
        private final Map<Integer, BitSet> offsets = new HashMap<>();

        synchronized void add(int partition, long offset) {
            offsets.computeIfAbsent(partition, p -> new BitSet()).set(Math.toIntExact(offset));
        }

        /** The first offset below {@code end} of {@code partition} nobody read, or -1 if all were. */
        synchronized long firstUnread(int partition, long end) {
            BitSet read = offsets.getOrDefault(partition, new BitSet());
            int unread = read.nextClearBit(0);
            return unread < end ? unread : -1;
        }
    }
}
