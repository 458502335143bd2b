package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A topic's values as a full read with one isolation level found them (partition to values in offset
 * order), checked against what {@link TransactionStream}s saw:
 *
 * <ul>
 *   <li>every transaction the producer saw committed is there, each of its records exactly once;</li>
 *   <li>no transaction is there in part: of each transaction present, every record is there once;</li>
 *   <li>in each partition, a stream's transactions lie in the order they were begun.</li>
 * </ul>
 *
 * <p>Not thread-safe; built after the producers stopped.
 */
final class TransactionAudit {

    private final Map<Integer, List<String>> partitions;

    private TransactionAudit(Map<Integer, List<String>> partitions) {
        this.partitions = partitions;
    }

    /**
     * Waits until no transaction is open on any partition of {@code topic} (the last stable offset the
     * read_committed ListOffsets answers equals the high watermark), then reads the partitions from
     * their starts to those ends with {@code isolation}.
     */
    static TransactionAudit readStable(String bootstrap, String topic, int partitionCount, String isolation,
                                       Duration timeout) {
        awaitStable(bootstrap, topic, partitionCount, timeout);
        return read(bootstrap, topic, partitionCount, isolation, timeout);
    }

    /** Waits until each partition's last stable offset reaches its high watermark. */
    static void awaitStable(String bootstrap, String topic, int partitionCount, Duration timeout) {
        List<TopicPartition> tps = partitions(topic, partitionCount);
        try (KafkaConsumer<String, String> committed = consumer(bootstrap, "read_committed");
             KafkaConsumer<String, String> uncommitted = consumer(bootstrap, "read_uncommitted")) {
            Object[] last = {"no answer"};
            try {
                await("last stable offsets of " + topic + " at the high watermarks").atMost(timeout)
                        .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                            Map<TopicPartition, Long> stable = committed.endOffsets(tps, Duration.ofSeconds(5));
                            Map<TopicPartition, Long> high = uncommitted.endOffsets(tps, Duration.ofSeconds(5));
                            last[0] = "stable=" + stable + " high=" + high;
                            return stable.equals(high);
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("a transaction stays open on " + topic + ": " + last[0], e);
            }
        }
    }

    /** Reads every partition from offset 0 to its end for {@code isolation} (the last stable offset or high watermark). */
    static TransactionAudit read(String bootstrap, String topic, int partitionCount, String isolation,
                                 Duration timeout) {
        List<TopicPartition> tps = partitions(topic, partitionCount);
        Map<Integer, List<String>> read = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, isolation)) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, timeout);
            tps.forEach(tp -> read.put(tp.partition(), new ArrayList<>()));
            long deadlineMs = System.currentTimeMillis() + timeout.toMillis();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.currentTimeMillis() > deadlineMs) {
                    throw new AssertionError("read (" + isolation + ") did not reach the end offsets " + ends
                            + " within " + timeout + "; positions "
                            + tps.stream().map(tp -> tp + "=" + consumer.position(tp)).toList());
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    read.get(record.partition()).add(record.value());
                }
            }
        }
        return new TransactionAudit(read);
    }

    List<String> values(int partition) {
        return partitions.getOrDefault(partition, List.of());
    }

    List<String> values() {
        return partitions.values().stream().flatMap(List::stream).toList();
    }

    /** Checks every rule of the class doc for {@code stream}; returns how many of its transactions are present. */
    int check(TransactionStream stream) {
        String prefix = stream.name + "-";
        // txn -> value -> copies
        Map<Long, Map<String, Integer>> present = new TreeMap<>();
        for (Map.Entry<Integer, List<String>> partition : partitions.entrySet()) {
            long lastTxn = -1;
            for (String value : partition.getValue()) {
                if (!value.startsWith(prefix)) {
                    continue;
                }
                String[] parts = value.substring(prefix.length()).split("-");
                long txn = Long.parseLong(parts[0]);
                assertThat(Integer.parseInt(parts[1])).as("partition of %s", value).isEqualTo(partition.getKey());
                assertThat(txn).as("transaction of %s after transaction %d in partition %d", value, lastTxn,
                        partition.getKey()).isGreaterThanOrEqualTo(lastTxn);
                lastTxn = txn;
                present.computeIfAbsent(txn, t -> new HashMap<>()).merge(value, 1, Integer::sum);
            }
        }
        Map<Long, TransactionStream.Outcome> outcomes = stream.outcomes();
        for (Map.Entry<Long, Map<String, Integer>> txn : present.entrySet()) {
            assertThat(outcomes).as("outcome of a transaction read back").containsKey(txn.getKey());
            Map<String, Integer> expected = new HashMap<>();
            for (int p = 0; p < stream.partitions; p++) {
                for (int i = 0; i < stream.recordsPerPartition; i++) {
                    expected.put(stream.value(txn.getKey(), p, i), 1);
                }
            }
            assertThat(txn.getValue()).as("records of transaction %d of %s (%s), each once", txn.getKey(), stream,
                    outcomes.get(txn.getKey())).isEqualTo(expected);
        }
        List<Long> committedMissing = outcomes.entrySet().stream()
                .filter(e -> e.getValue() == TransactionStream.Outcome.COMMITTED && !present.containsKey(e.getKey()))
                .map(Map.Entry::getKey).sorted().toList();
        assertThat(committedMissing).as("transactions %s saw committed that read_committed lacks", stream).isEmpty();
        return present.size();
    }

    private static List<TopicPartition> partitions(String topic, int partitionCount) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        return tps;
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String isolation) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000),
                new StringDeserializer(), new StringDeserializer());
    }
}
