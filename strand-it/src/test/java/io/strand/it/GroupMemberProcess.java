package io.strand.it;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A classic-protocol group member in a JVM of its own, for tests that kill it with SIGKILL: it
 * consumes slowly, commits after every poll, and reports on standard output
 * {@code ASSIGNED topic-0,topic-3} after each assignment and {@code COMMITTED n} with the total
 * records committed. Arguments: bootstrap servers, group id, topic, session timeout ms.
 */
public final class GroupMemberProcess {

    private GroupMemberProcess() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("group.id", args[1]);
        props.put("group.protocol", "classic");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("max.poll.records", "2");
        props.put("session.timeout.ms", args[3]);
        props.put("heartbeat.interval.ms", "500");
        long committed = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    System.out.println("ASSIGNED " + partitions.stream().map(TopicPartition::toString).sorted()
                            .collect(Collectors.joining(",")));
                    System.out.flush();
                }
            });
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    consumer.commitSync();
                    committed += records.count();
                    System.out.println("COMMITTED " + committed);
                    System.out.flush();
                    Thread.sleep(100);
                }
            }
        }
    }
}
