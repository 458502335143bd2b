package io.strand.examples.wordcount;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Runs the {@link WordCountTopology} with {@code processing.guarantee=exactly_once_v2} until it is
 * stopped (Ctrl-C, SIGTERM) or fails.
 *
 * <p>Arguments are {@code name=value} pairs: {@code input.topic} (default {@value #DEFAULT_INPUT}),
 * {@code output.topic} (default {@value #DEFAULT_OUTPUT}), {@code topic.partitions} (default
 * {@value #DEFAULT_PARTITIONS}), and any Kafka Streams, consumer or producer property, which goes over
 * the defaults of {@link #config}. For example:
 * <pre>
 *   WordCountApp bootstrap.servers=localhost:9092 state.dir=/tmp/wc-1 commit.interval.ms=100
 * </pre>
 *
 * <p>Before it starts, it creates the input and output topics if they are missing, with
 * {@code topic.partitions} partitions and the {@code replication.factor} given for the internal topics
 * (the broker's default when not given), and prints {@code TOPIC <name> created ...} for each.
 *
 * <p>Each change of the instance's state is printed on standard output as {@code STATE <old> -> <new>}
 * (for example {@code STATE REBALANCING -> RUNNING}), so a script or test can wait for it. It exits
 * with 0 when stopped and with 1 when the topics cannot be created or the instance ends in {@code ERROR}.
 */
public final class WordCountApp {

    /** The input topic unless {@code input.topic} says otherwise. */
    public static final String DEFAULT_INPUT = "text-lines";
    /** The output topic unless {@code output.topic} says otherwise. */
    public static final String DEFAULT_OUTPUT = "word-counts";
    /** Partitions of the input and output topics it creates, unless {@code topic.partitions} says otherwise. */
    public static final int DEFAULT_PARTITIONS = 4;
    private static final Duration CREATE_TOPICS_TIMEOUT = Duration.ofSeconds(60);

    private WordCountApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        Properties props = config(args);
        String input = (String) props.remove("input.topic");
        String output = (String) props.remove("output.topic");
        int partitions = Integer.parseInt((String) props.remove("topic.partitions"));
        try {
            createTopics(props, List.of(input, output), partitions);
        } catch (IllegalStateException e) {
            System.err.println("ERROR " + e.getMessage());
            System.exit(1);
        }
        KafkaStreams streams = new KafkaStreams(WordCountTopology.build(input, output), props);
        CountDownLatch stopped = new CountDownLatch(1);
        streams.setStateListener((newState, oldState) -> {
            System.out.println("STATE " + oldState + " -> " + newState);
            System.out.flush();
            if (newState == KafkaStreams.State.NOT_RUNNING || newState == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close();
            stopped.countDown();
        }, "word-count-shutdown"));
        streams.start();
        stopped.await();
        boolean failed = streams.state() == KafkaStreams.State.ERROR;
        streams.close();
        System.exit(failed ? 1 : 0);
    }

    private static void createTopics(Properties props, List<String> topics, int partitions)
            throws InterruptedException {
        StreamsConfig config = new StreamsConfig(props);
        int replicationFactor = config.getInt(StreamsConfig.REPLICATION_FACTOR_CONFIG);
        try (Admin admin = Admin.create(config.getAdminConfigs("word-count-topics"))) {
            TopicCreator.createMissing(admin, topics, partitions,
                    replicationFactor > 0 ? Optional.of((short) replicationFactor) : Optional.empty(),
                    CREATE_TOPICS_TIMEOUT);
        }
    }

    /**
     * The application's configuration: exactly-once, the topics, and what the arguments override.
     *
     * @throws IllegalArgumentException naming an argument that is not {@code name=value}
     */
    public static Properties config(String... args) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "streams-word-count-eos");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put("input.topic", DEFAULT_INPUT);
        props.put("output.topic", DEFAULT_OUTPUT);
        props.put("topic.partitions", Integer.toString(DEFAULT_PARTITIONS));
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("argument=" + arg + " is not name=value");
            }
            props.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return props;
    }
}
