package io.strand.testkit;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * Holds a topic's records as a full read found them (partition to the values at offsets 0, 1, …)
 * against what producers' {@link SendLog}s say was acknowledged:
 *
 * <ul>
 *   <li>each partition's offsets run from 0 without a gap, and every value is one a producer sent
 *       to that partition;</li>
 *   <li>every acknowledged send is in its partition exactly at its acknowledged offset;</li>
 *   <li>an idempotent producer's value is in the log at most once;</li>
 *   <li>in each partition, a producer's acknowledged sends lie in the order it sent them, and an
 *       idempotent producer's records all do.</li>
 * </ul>
 *
 * <p>Not thread-safe; built after the producers have stopped.
 */
public final class LogAudit {

    /** Partition to the values at offsets 0, 1, … */
    private final Map<Integer, List<String>> partitions;

    private LogAudit(Map<Integer, List<String>> partitions) {
        this.partitions = partitions;
    }

    /** Reads {@code topic}'s {@code partitionCount} partitions from offset 0 to their ends with the Java consumer. */
    public static LogAudit readWithJavaConsumer(String bootstrap, String topic, int partitionCount, Duration timeout) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        Map<Integer, List<String>> read = new TreeMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, timeout);
            tps.forEach(tp -> read.put(tp.partition(), new ArrayList<>()));
            long deadlineMs = System.currentTimeMillis() + timeout.toMillis();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.currentTimeMillis() > deadlineMs) {
                    throw new AssertionError("read did not reach the end offsets " + ends + " within " + timeout);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    List<String> values = read.get(record.partition());
                    assertThat(record.offset()).as("offset of the next record of partition %d", record.partition())
                            .isEqualTo(values.size());
                    values.add(record.value());
                }
            }
        }
        return new LogAudit(read);
    }

    /** Checks every rule of the class doc against {@code logs}. */
    public void check(List<SendLog> logs) {
        Map<String, SendLog> byProducer = new HashMap<>();
        logs.forEach(log -> byProducer.put(log.producer, log));
        Map<String, List<SendLog.Send>> sendsByProducer = new HashMap<>();
        logs.forEach(log -> sendsByProducer.put(log.producer, log.sends()));

        // what the log holds: known values only, each in the partition it was sent to
        Map<String, Integer> copies = new HashMap<>();
        partitions.forEach((partition, values) -> {
            for (int offset = 0; offset < values.size(); offset++) {
                String value = values.get(offset);
                SendLog.SentValue sent = SendLog.parse(value);
                assertThat(sent).as("value at %d/%d", partition, offset).isNotNull();
                List<SendLog.Send> sends = sendsByProducer.get(sent.producer());
                assertThat(sends).as("producer of %s at %d/%d", value, partition, offset).isNotNull();
                assertThat(sent.seq()).as("%s at %d/%d was sent", value, partition, offset).isLessThan(sends.size());
                assertThat(sends.get((int) sent.seq()).partition).as("partition of %s at offset %d", value, offset)
                        .isEqualTo(partition);
                copies.merge(value, 1, Integer::sum);
            }
        });

        for (SendLog log : logs) {
            for (SendLog.Send send : sendsByProducer.get(log.producer)) {
                if (send.outcome() == SendLog.Outcome.ACKED) {
                    List<String> values = partitions.get(send.partition);
                    String found = send.offset() < values.size() ? values.get((int) send.offset()) : "<past the end "
                            + values.size() + ">";
                    assertThat(found).as("acknowledged %s at %d/%d", send.value, send.partition, send.offset())
                            .isEqualTo(send.value);
                }
                if (log.idempotent) {
                    assertThat(copies.getOrDefault(send.value, 0)).as("copies of %s of an idempotent producer (%s)",
                            send.value, send.outcome()).isLessThanOrEqualTo(1);
                }
            }
        }

        // order: per partition, a producer's records in the order it sent them
        partitions.forEach((partition, values) -> {
            Map<String, Long> lastAckedSeq = new HashMap<>();
            Map<String, Long> lastSeq = new HashMap<>();
            for (int offset = 0; offset < values.size(); offset++) {
                SendLog.SentValue sent = SendLog.parse(values.get(offset));
                SendLog.Send send = sendsByProducer.get(sent.producer()).get((int) sent.seq());
                if (byProducer.get(sent.producer()).idempotent) {
                    Long previous = lastSeq.put(sent.producer(), sent.seq());
                    assertThat(previous == null || previous < sent.seq()).as("%s at %d/%d after %s#%d",
                            send.value, partition, offset, sent.producer(), previous).isTrue();
                }
                if (send.outcome() == SendLog.Outcome.ACKED && send.offset() == offset) {
                    Long previous = lastAckedSeq.put(sent.producer(), sent.seq());
                    assertThat(previous == null || previous < sent.seq()).as("acknowledged %s at %d/%d after %s#%d",
                            send.value, partition, offset, sent.producer(), previous).isTrue();
                }
            }
        });
    }

    /** Values written more than once (a producer without idempotence retried a send that had landed). */
    public long duplicates() {
        Map<String, Integer> copies = new HashMap<>();
        partitions.values().forEach(values -> values.forEach(value -> copies.merge(value, 1, Integer::sum)));
        return copies.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
    }

    /** The values read from {@code partition}, in offset order (the value at offset i at index i). */
    public List<String> values(int partition) {
        return partitions.get(partition);
    }

    /** Each partition as lines {@code offset|value}, the form a kcat read is compared in. */
    public List<String> lines(int partition) {
        List<String> values = partitions.get(partition);
        List<String> lines = new ArrayList<>(values.size());
        for (int offset = 0; offset < values.size(); offset++) {
            lines.add(offset + "|" + values.get(offset));
        }
        return lines;
    }

    public int records() {
        return partitions.values().stream().mapToInt(List::size).sum();
    }
}
