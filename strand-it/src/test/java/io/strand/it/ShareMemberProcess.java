package io.strand.it;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A share group member in a JVM of its own, for tests that kill it with SIGKILL while it holds
 * acquired records: it polls with explicit acknowledgement until a poll brings records, prints
 * {@code HELD value} for each and then {@code HOLDING}, and from then on neither acknowledges nor
 * polls, so the records stay acquired by it until it dies. Arguments: bootstrap servers, group id,
 * topic. Tests start it with {@link ChildProcess#javaMain}.
 */
public final class ShareMemberProcess {

    private ShareMemberProcess() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("group.id", args[1]);
        props.put("share.acknowledgement.mode", "explicit");
        KafkaShareConsumer<String, String> consumer =
                new KafkaShareConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(args[2]));
        ConsumerRecords<String, String> records;
        do {
            records = consumer.poll(Duration.ofMillis(200));
        } while (records.isEmpty());
        for (ConsumerRecord<String, String> r : records) {
            System.out.println("HELD " + r.value());
        }
        System.out.println("HOLDING");
        System.out.flush();
        // Never closed: the test kills this process with the records still acquired.
        Thread.sleep(Long.MAX_VALUE);
    }
}
