package io.strand.examples.wordcount;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Prints the word count's output as {@code <word> <count>} lines, from the beginning of every
 * partition of the output topic and then as counts are committed, until Ctrl-C; it reads with
 * {@code isolation.level=read_committed}, so it shows only counts whose transaction committed:
 * <pre>
 *   examples/streams-word-count-eos/run counts
 * </pre>
 *
 * <p>Arguments are {@code name=value} pairs as {@link WordCountApp} takes them: {@code bootstrap.servers}
 * and {@code output.topic} matter here. It joins no group and commits nothing.
 */
public final class PrintCounts {

    private static final Duration POLL = Duration.ofMillis(500);

    private PrintCounts() {
    }

    public static void main(String[] args) {
        Properties app = WordCountApp.config(args);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, app.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        String topic = app.getProperty("output.topic");
        AtomicBoolean stopping = new AtomicBoolean();
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new LongDeserializer())) {
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopping.set(true);
                consumer.wakeup();
                try {
                    main.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "print-counts-shutdown"));
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                System.err.println("ERROR topic=" + topic + " does not exist: start the word count first, it creates it");
                System.exit(1);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stopping.get()) {
                for (ConsumerRecord<String, Long> record : consumer.poll(POLL)) {
                    System.out.println(record.key() + " " + record.value());
                }
                System.out.flush();
            }
        } catch (WakeupException e) {
            // Ctrl-C: the shutdown hook woke the poll up
        }
    }
}
