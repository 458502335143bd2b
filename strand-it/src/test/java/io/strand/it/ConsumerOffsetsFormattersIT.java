package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a classic consumer group leaves in {@code __consumer_offsets} is readable by Kafka's own
 * readers of that topic: the console consumer (Apache Kafka 4.3.1's, a child JVM on this test's
 * classpath, as {@code bin/kafka-console-consumer.sh} runs it) with {@code OffsetsMessageFormatter}
 * and {@code GroupMetadataMessageFormatter}, as operators use them to see commits and generations.
 * Each formatter decodes every record of the partition it reads, and fails on one it cannot decode.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsumerOffsetsFormattersIT {

    private static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(45);
    private static final String TOPIC = "formatted";
    private static final String GROUP = "formatted-group";

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of("group.initial.rebalance.delay.ms", "0"));

    @AfterEach
    void killLeftoverClients() {
        ChildProcess.killLeftovers();
    }

    @Test
    void kafkasFormattersPrintTheCommitsAndGenerationsOfAClassicGroup() throws Exception {
        broker.admin().createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)).get();
            }
        }
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = consumer()) {
            consumer.subscribe(List.of(TOPIC));
            int read = 0;
            long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read < 3) {
                assertThat(System.nanoTime() - deadlineNs).as("the group's member reads the 3 records").isNegative();
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(3, "checkpoint-✓")));
        } // leaves the group: an empty generation

        TopicPartition offsetsPartition = offsetsPartitionOf(GROUP);
        long records = broker.admin().listOffsets(Map.of(offsetsPartition, OffsetSpec.latest()))
                .partitionResult(offsetsPartition).get().offset();

        List<String> commits = formatted("org.apache.kafka.tools.consumer.OffsetsMessageFormatter",
                offsetsPartition, records);
        assertThat(commits).anySatisfy(line -> assertThat(line)
                .contains("\"key\":{\"type\":1,\"data\":{\"group\":\"" + GROUP + "\",\"topic\":\"" + TOPIC
                        + "\",\"partition\":0}}")
                .contains("\"offset\":3,")
                .contains("\"metadata\":\"checkpoint-✓\""));

        List<String> generations = formatted("org.apache.kafka.tools.consumer.GroupMetadataMessageFormatter",
                offsetsPartition, records);
        assertThat(generations).as("the generation the member joined")
                .anySatisfy(line -> assertThat(line)
                        .contains("\"key\":{\"type\":2,\"data\":{\"group\":\"" + GROUP + "\"}}")
                        .contains("\"protocolType\":\"consumer\"")
                        .contains("\"generation\":1,")
                        .contains("\"protocol\":\"range\"")
                        .contains("\"clientId\":\"formatted-client\""));
        assertThat(generations).as("the empty generation after it left")
                .anySatisfy(line -> assertThat(line)
                        .contains("\"key\":{\"type\":2,\"data\":{\"group\":\"" + GROUP + "\"}}")
                        .contains("\"generation\":2,")
                        .contains("\"members\":[]"));
    }

    /** The partition of {@code __consumer_offsets} that holds the group's records, as Kafka places it. */
    private static TopicPartition offsetsPartitionOf(String group) throws Exception {
        int partitions = broker.admin().describeTopics(List.of("__consumer_offsets")).allTopicNames().get()
                .get("__consumer_offsets").partitions().size();
        return new TopicPartition("__consumer_offsets", Utils.abs(group.hashCode()) % partitions);
    }

    /** The lines {@code formatter} prints for the first {@code records} records of {@code partition}. */
    private static List<String> formatted(String formatter, TopicPartition partition, long records) {
        List<String> command = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers(),
                "--topic", partition.topic(), "--partition", Integer.toString(partition.partition()),
                "--offset", "earliest", "--max-messages", Long.toString(records), "--timeout-ms", "20000",
                "--formatter", formatter));
        ChildProcess.Result result = ChildProcess.javaMain(CONSOLE_CONSUMER, command).timeout(TOOL_TIMEOUT).run()
                .assertSuccess();
        assertThat(result.stderr()).as(result.describe(formatter)).contains("Processed a total of " + records);
        return result.stdoutLines();
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "formatted-client");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
