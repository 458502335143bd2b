package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.examples.wordcount.WordCountApp;
import io.strand.examples.wordcount.WordCountTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams with {@code processing.guarantee=exactly_once_v2}: the word count of
 * {@code examples/streams-word-count-eos} ({@link WordCountApp}) runs as two instances in JVMs of their
 * own, lines are produced while they run, one instance is killed with SIGKILL mid-stream and restarted
 * on its old state directory, and a {@code read_committed} reader of the output sees, for every word,
 * exactly the counts 1, 2, ... n where n is how often the word was produced: a line counted twice would
 * repeat a count, a lost one would leave the word short. The count's store is backed by a changelog and
 * its input comes through a repartition topic, so a transaction the killed instance leaves open spans
 * the output, the changelog, the repartition topic and the group's offsets. Whether the kill caught one
 * open depends on timing; the test prints how many counts were written and how many committed (the
 * difference was aborted).
 *
 * <p>Short intervals keep the take-over quick: the group notices the dead member after
 * {@code session.timeout.ms} (3 s; the broker's {@code group.min.session.timeout.ms} is lowered to 1 s),
 * and the coordinator aborts its open transaction after {@code transaction.timeout.ms} (3 s); until then
 * the survivor's committed-offset fetch is unstable and the topics' last stable offsets stay behind it.
 * The test takes about 20-30 s (the class about 40 s with the node's start and stop). Runs against Kafka
 * too with {@code -Dstrand.it.broker=kafka}.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StreamsExactlyOnceIT {

    private static final String APPLICATION_ID = "eos-word-count";
    private static final String INPUT = "eos-lines";
    private static final String OUTPUT = "eos-counts";
    private static final int PARTITIONS = 4;
    private static final List<String> VOCABULARY = List.of(
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet");
    private static final Duration RUNNING_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final BrokerUnderTest broker = BrokerUnderTest.chosenForTheRun()
            .withProperties(Map.of(
                    "group.initial.rebalance.delay.ms", "0",
                    "group.min.session.timeout.ms", "1000",
                    "transaction.abort.timed.out.transaction.cleanup.interval.ms", "500"));

    @TempDir
    Path stateDirs;

    private final List<ChildProcess.Running> instances = new ArrayList<>();

    @AfterEach
    void killInstances() {
        instances.forEach(ChildProcess.Running::close);
        ChildProcess.killLeftovers();
    }

    @Test
    void everyWordIsCountedExactlyOnceWhenAnInstanceIsKilledMidStream() {
        Topics.create(broker.bootstrapServers(), INPUT, PARTITIONS);
        Topics.create(broker.bootstrapServers(), OUTPUT, PARTITIONS);
        ChildProcess.Running first = startInstance("first");
        ChildProcess.Running second = startInstance("second");
        awaitRunning(first);
        awaitRunning(second);

        Map<String, Long> expected = new TreeMap<>();
        try (KafkaProducer<String, String> producer = producer();
             OutputReader output = new OutputReader(broker.bootstrapServers())) {
            produce(producer, 0, 200, expected);
            producer.flush();
            await("the first lines' counts").atMost(RESULT_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        output.poll();
                        return output.latest().equals(expected);
                    });

            // lines keep coming in small batches; once the instances are counting them, the first is killed
            long countsBefore = output.poll();
            int next = 200;
            while (output.poll() < countsBefore + 30 && next < 300) {
                produce(producer, next, next + 10, expected);
                producer.flush();
                next += 10;
            }
            // a burst the instances fetch at once and are still counting, in open transactions, when one dies
            produce(producer, next, next + 100, expected);
            producer.flush();
            next += 100;
            first.close(); // SIGKILL
            produce(producer, next, 500, expected);
            producer.flush();

            ChildProcess.Running restarted = startInstance("first");
            produce(producer, 500, 700, expected);
            producer.flush();

            try {
                await("every word's final count").atMost(RESULT_TIMEOUT).pollInterval(Duration.ofMillis(100))
                        .failFast("an instance failed", () -> failed(second) || failed(restarted))
                        .until(() -> {
                            output.poll();
                            return output.latest().equals(expected);
                        });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("expected final counts " + expected + " but read " + output.counts()
                        + "\n" + second.describe("survived") + "\n" + restarted.describe("restarted"), e);
            }
            output.readToEnd();

            for (Map.Entry<String, Long> word : expected.entrySet()) {
                List<Long> oneToN = LongStream.rangeClosed(1, word.getValue()).boxed().toList();
                assertThat(output.counts(word.getKey()))
                        .as("the committed counts of %s (of %s words)", word.getKey(), expected.size())
                        .containsExactlyElementsOf(oneToN);
            }
            assertThat(output.counts().keySet()).isEqualTo(expected.keySet());
            System.out.printf("killed after line %d; counts committed %d, written %d (the rest aborted)%n",
                    next, output.poll(), countWritten());
        }
    }

    private ChildProcess.Running startInstance(String name) {
        ChildProcess.Running instance = ChildProcess.javaMain(WordCountApp.class.getName(), List.of(
                "bootstrap.servers=" + broker.bootstrapServers(),
                "application.id=" + APPLICATION_ID,
                "input.topic=" + INPUT,
                "output.topic=" + OUTPUT,
                "state.dir=" + stateDirs.resolve(name),
                "commit.interval.ms=100",
                // every count goes out, so that a duplicate or a gap shows in the output
                "statestore.cache.max.bytes=0",
                "replication.factor=1",
                "session.timeout.ms=3000",
                "heartbeat.interval.ms=300",
                "transaction.timeout.ms=3000")).start();
        instances.add(instance);
        return instance;
    }

    private static void awaitRunning(ChildProcess.Running instance) {
        await("an instance RUNNING").atMost(RUNNING_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .failFast("the instance failed", () -> failed(instance))
                .until(() -> instance.stdoutLines().stream().anyMatch(line -> line.endsWith("-> RUNNING")));
    }

    private static boolean failed(ChildProcess.Running instance) {
        if (!instance.isAlive() || instance.stdout().contains("-> ERROR")) {
            throw new AssertionError(instance.describe("failed"));
        }
        return false;
    }

    /** Lines {@code from} (inclusive) to {@code to} of a fixed sequence, adding their words to {@code expected}. */
    private static void produce(KafkaProducer<String, String> producer, int from, int to, Map<String, Long> expected) {
        for (int i = from; i < to; i++) {
            String line = line(i);
            WordCountTopology.words(line).forEach(word -> expected.merge(word, 1L, Long::sum));
            producer.send(new ProducerRecord<>(INPUT, "line-" + i, line));
        }
    }

    /** Line {@code i}: one to four words of the vocabulary, the same for the same {@code i}. */
    private static String line(int i) {
        Random random = new Random(i);
        return IntStream.range(0, 1 + random.nextInt(4))
                .mapToObj(n -> VOCABULARY.get(random.nextInt(VOCABULARY.size())))
                .collect(Collectors.joining(i % 2 == 0 ? " " : ", "));
    }

    /** Counts written to the output, committed or not (read_uncommitted), for the test's report. */
    private static long countWritten() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new LongDeserializer())) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(OUTPUT, p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long[] written = {0};
            await("the output's log end offsets").atMost(RESULT_TIMEOUT).until(() -> {
                written[0] += consumer.poll(Duration.ofMillis(100)).count();
                return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
            return written[0];
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** A read_committed reader of every output partition from the start, keeping each word's counts in order. */
    private static final class OutputReader implements AutoCloseable {
        private final KafkaConsumer<String, Long> consumer;
        private final List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(OUTPUT, p)).toList();
        private final Map<String, List<Long>> counts = new TreeMap<>();
        private long read;

        OutputReader(String bootstrapServers) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), new LongDeserializer());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Reads what has been committed since; returns how many counts were read in all. */
        long poll() {
            for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(100))) {
                counts.computeIfAbsent(record.key(), word -> new ArrayList<>()).add(record.value());
                read++;
            }
            return read;
        }

        /** Reads up to the last stable offset of every partition as it is now. */
        void readToEnd() {
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await("the output's last stable offsets").atMost(RESULT_TIMEOUT).until(() -> {
                poll();
                return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }

        /** Each word's latest count. */
        Map<String, Long> latest() {
            Map<String, Long> latest = new TreeMap<>();
            counts.forEach((word, values) -> latest.put(word, values.get(values.size() - 1)));
            return latest;
        }

        List<Long> counts(String word) {
            return counts.getOrDefault(word, List.of());
        }

        Map<String, List<Long>> counts() {
            return counts;
        }

        @Override
        public void close() {
            consumer.close(Duration.ZERO);
        }
    }
}
