package io.strand.examples.wordcount;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces each line of standard input to the word count's input topic (no key, the line as a UTF-8
 * string), and exits when the input ends and every line is acknowledged ({@code acks=all}), so that
 * the example needs no Kafka tool to be fed:
 * <pre>
 *   printf 'the quick brown fox\nthe lazy dog\n' | examples/streams-word-count-eos/run feed
 * </pre>
 *
 * <p>Arguments are {@code name=value} pairs as {@link WordCountApp} takes them: {@code bootstrap.servers}
 * and {@code input.topic} matter here. Exits with 1 when a line cannot be produced.
 */
public final class FeedLines {

    private FeedLines() {
    }

    public static void main(String[] args) throws IOException {
        Properties app = WordCountApp.config(args);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // a topic that is not there (the word count creates it when it starts) fails a send soon
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        String topic = app.getProperty("input.topic");
        long[] failed = {0};
        long sent = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer());
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                producer.send(new ProducerRecord<>(topic, line), (metadata, error) -> {
                    if (error != null) {
                        System.err.println("ERROR cannot produce to topic=" + topic + ": " + error);
                        synchronized (failed) {
                            failed[0]++;
                        }
                    }
                });
                sent++;
            }
        }
        // close() waited for every acknowledgement, so the callbacks have all run
        synchronized (failed) {
            System.out.println("FED " + (sent - failed[0]) + " lines to " + topic);
            System.exit(failed[0] == 0 ? 0 : 1);
        }
    }
}
