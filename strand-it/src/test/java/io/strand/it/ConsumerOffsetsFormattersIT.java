package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What groups and transactions leave in the internal topics is readable by Kafka's own readers of
 * them: the console consumer (Apache Kafka 4.3.1's, a child JVM on this test's classpath, as
 * {@code bin/kafka-console-consumer.sh} runs it) with the formatters operators use to see a classic or
 * consumer-protocol group's commits and a classic group's generations ({@code OffsetsMessageFormatter},
 * {@code GroupMetadataMessageFormatter}), a consumer-protocol group's records as Kafka's group coordinator
 * decodes them,
 * a share group's records and state ({@code ShareGroupMessageFormatter} on {@code __consumer_offsets},
 * {@code ShareGroupStateMessageFormatter} on {@code __share_group_state}) and a transaction's
 * ({@code TransactionLogMessageFormatter}). Each formatter decodes every record of the partition it
 * reads, and fails on one it cannot decode.
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
            readAll(consumer, 3);
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(3, "checkpoint-✓")));
        } // leaves the group: an empty generation

        TopicPartition offsetsPartition = offsetsPartitionOf(GROUP);
        long records = endOffset(offsetsPartition);

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

    @Test
    void kafkasReadersDecodeAConsumerProtocolGroupsRecords() throws Exception {
        String topic = "formatted-kip848";
        String group = "formatted-kip848-group";
        broker.admin().createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        Uuid topicId = broker.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 4; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i)).get();
            }
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        try (KafkaConsumer<String, String> consumer = consumer(group, props)) {
            consumer.subscribe(List.of(topic));
            readAll(consumer, 4);
            consumer.commitSync();
        }

        TopicPartition offsetsPartition = partitionOf("__consumer_offsets", group);
        long records = endOffset(offsetsPartition);
        // The formatter decodes every record of the partition, the group's own among them, to print the commits.
        assertThat(formatted("org.apache.kafka.tools.consumer.OffsetsMessageFormatter", offsetsPartition, records))
                .anySatisfy(line -> assertThat(line).contains("\"group\":\"" + group + "\",\"topic\":\"" + topic
                        + "\",\"partition\":1}").contains("\"offset\":2,"));

        // Kafka's own reader of the records: the member's subscription, target and current assignment by topic id.
        List<ApiMessage> values = kafkaDecoded(offsetsPartition, records);
        assertThat(values).anySatisfy(value -> assertThat(value).isInstanceOfSatisfying(
                ConsumerGroupMemberMetadataValue.class,
                member -> assertThat(member.subscribedTopicNames()).containsExactly(topic)));
        assertThat(values).anySatisfy(value -> assertThat(value).isInstanceOfSatisfying(
                ConsumerGroupTargetAssignmentMemberValue.class,
                target -> assertThat(target.topicPartitions()).singleElement().satisfies(partitions -> {
                    assertThat(partitions.topicId()).isEqualTo(topicId);
                    assertThat(partitions.partitions()).containsExactlyInAnyOrder(0, 1);
                })));
        assertThat(values).anySatisfy(value -> assertThat(value).isInstanceOfSatisfying(
                ConsumerGroupCurrentMemberAssignmentValue.class,
                current -> assertThat(current.assignedPartitions()).singleElement().satisfies(partitions -> {
                    assertThat(partitions.topicId()).isEqualTo(topicId);
                    assertThat(partitions.partitions()).containsExactlyInAnyOrder(0, 1);
                })));
        assertThat(values).anySatisfy(value -> assertThat(value).isInstanceOfSatisfying(
                org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue.class,
                metadata -> assertThat(metadata.epoch()).isPositive()));
    }

    /** The values of the first {@code records} records of {@code partition}, as Kafka's group coordinator reads them. */
    private static List<ApiMessage> kafkaDecoded(TopicPartition partition, long records) {
        GroupCoordinatorRecordSerde serde = new GroupCoordinatorRecordSerde();
        List<ApiMessage> values = new ArrayList<>();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            reader.assign(List.of(partition));
            reader.seekToBeginning(List.of(partition));
            long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (reader.position(partition) < records) {
                assertThat(System.nanoTime() - deadlineNs).as("%s read to offset %d", partition, records).isNegative();
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        values.add(serde.deserialize(ByteBuffer.wrap(record.key()), ByteBuffer.wrap(record.value()))
                                .value().message());
                    }
                }
            }
        }
        return values;
    }

    @Test
    void kafkasFormatterPrintsATransactionsStates() throws Exception {
        String topic = "formatted-txn";
        String transactionalId = "formatted-txn-id";
        broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        Properties props = new Properties();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        try (KafkaProducer<String, String> producer = producer(props)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "v")).get();
            producer.commitTransaction();
        }
        // Empty, Ongoing, PrepareCommit, then CompleteCommit once the markers are written (after the commit's answer).
        TopicPartition statePartition = partitionOf("__transaction_state", transactionalId);
        await("the transaction's CompleteCommit written").atMost(Duration.ofSeconds(30))
                .until(() -> endOffset(statePartition) >= 4);

        List<String> states = formatted("org.apache.kafka.tools.consumer.TransactionLogMessageFormatter",
                statePartition, endOffset(statePartition));
        assertThat(states).allSatisfy(line -> assertThat(line)
                .contains("\"key\":{\"type\":0,\"data\":{\"transactionalId\":\"" + transactionalId + "\"}}"));
        assertThat(states).as("Ongoing with the topic's partition, then CompleteCommit")
                .anySatisfy(line -> assertThat(line).contains("\"transactionStatus\":1,")
                        .contains("\"topic\":\"" + topic + "\",\"partitionIds\":[0]"))
                .anySatisfy(line -> assertThat(line).contains("\"transactionStatus\":4,"));
    }

    @Test
    void kafkasFormattersPrintAShareGroupsRecordsAndState() throws Exception {
        String topic = "formatted-share";
        String group = "formatted-share-group";
        broker.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        try (KafkaProducer<String, String> producer = producer();
             KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(props, new StringDeserializer(),
                     new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            // The group starts at the log's end: produce until the consumer is there to get a record.
            await("a record delivered to the share consumer").atMost(Duration.ofSeconds(30)).until(() -> {
                producer.send(new ProducerRecord<>(topic, "k", "v")).get();
                return !consumer.poll(Duration.ofMillis(200)).isEmpty();
            });
            consumer.commitSync();
        }
        TopicPartition groupPartition = partitionOf("__consumer_offsets", group);
        List<String> groupRecords = formatted("org.apache.kafka.tools.consumer.ShareGroupMessageFormatter",
                groupPartition, endOffset(groupPartition));
        assertThat(groupRecords).as("the share group's metadata and its state partitions")
                .anySatisfy(line -> assertThat(line).contains("\"key\":{\"type\":11,\"data\":{\"groupId\":\""
                        + group + "\"}}"))
                .anySatisfy(line -> assertThat(line).contains("\"key\":{\"type\":15,")
                        .contains("\"topicName\":\"" + topic + "\""));

        String topicId = broker.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId()
                .toString();
        TopicPartition statePartition = partitionOf("__share_group_state", group + ":" + topicId + ":0");
        List<String> state = formatted("org.apache.kafka.tools.consumer.group.share.ShareGroupStateMessageFormatter",
                statePartition, endOffset(statePartition));
        assertThat(state).as("the share-partition's state")
                .anySatisfy(line -> assertThat(line).contains("\"groupId\":\"" + group + "\"")
                        .contains("\"topicId\":\"" + topicId + "\""));
    }

    /** Polls until the group's member has read {@code records} records. */
    private static void readAll(KafkaConsumer<String, String> consumer, int records) {
        int read = 0;
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read < records) {
            assertThat(System.nanoTime() - deadlineNs).as("the group's member reads %d records", records).isNegative();
            read += consumer.poll(Duration.ofMillis(200)).count();
        }
    }

    /** The partition of {@code __consumer_offsets} that holds the group's records, as Kafka places it. */
    private static TopicPartition offsetsPartitionOf(String group) throws Exception {
        return partitionOf("__consumer_offsets", group);
    }

    /** The partition of the internal {@code topic} that holds {@code key}'s records, as Kafka places it. */
    private static TopicPartition partitionOf(String topic, String key) throws Exception {
        int partitions = broker.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                .partitions().size();
        return new TopicPartition(topic, Utils.abs(key.hashCode()) % partitions);
    }

    private static long endOffset(TopicPartition partition) throws Exception {
        return broker.admin().listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get()
                .offset();
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
        return producer(new Properties());
    }

    private static KafkaProducer<String, String> producer(Properties props) {
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "formatted-client");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        return consumer(GROUP, props);
    }

    private static KafkaConsumer<String, String> consumer(String group, Properties props) {
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
