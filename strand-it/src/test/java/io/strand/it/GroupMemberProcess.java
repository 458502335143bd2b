package io.strand.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A group member in a JVM of its own, for tests that kill it with SIGKILL: it consumes slowly,
 * commits after every poll, and reports on standard output {@code ASSIGNED topic-0,topic-3} after
 * each assignment and {@code COMMITTED n} with the total records committed. Arguments: bootstrap
 * servers, group id, topic, session timeout ms (classic protocol only), group protocol
 * ({@code classic} or {@code consumer}). Tests start it through {@link #launch}.
 */
public final class GroupMemberProcess {

    private GroupMemberProcess() {
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("group.id", args[1]);
        props.put("group.protocol", args[4]);
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("max.poll.records", "2");
        if (args[4].equals("classic")) {
            // With the consumer protocol the broker sets both.
            props.put("session.timeout.ms", args[3]);
            props.put("heartbeat.interval.ms", "500");
        }
        long committed = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    System.out.println("ASSIGNED " + consumer.assignment().stream().map(TopicPartition::toString)
                            .sorted().collect(Collectors.joining(",")));
                    System.out.flush();
                }
            });
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    try {
                        consumer.commitSync();
                        committed += records.count();
                        System.out.println("COMMITTED " + committed);
                    } catch (CommitFailedException | RebalanceInProgressException e) {
                        // The group moved on mid-commit (a new epoch); the records come again.
                        System.out.println("COMMIT_FAILED " + e.getClass().getSimpleName());
                    }
                    System.out.flush();
                    Thread.sleep(100);
                }
            }
        }
    }

    /** Starts a member process; its reports are read as they come. */
    static Handle launch(String bootstrap, String group, String topic, int sessionTimeoutMs, String protocol)
            throws IOException {
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), GroupMemberProcess.class.getName(),
                bootstrap, group, topic, Integer.toString(sessionTimeoutMs), protocol))
                // Only the reports on stdout: client logs interleaved with them could split a line.
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return new Handle(process);
    }

    /** A running member process and what it has reported. */
    static final class Handle implements AutoCloseable {
        private final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();

        private Handle(Process process) {
            this.process = process;
            Thread pump = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    reader.lines().forEach(lines::add);
                } catch (IOException | RuntimeException ignored) {
                    // the process was killed
                }
            }, "group-member-output");
            pump.setDaemon(true);
            pump.start();
        }

        /** The partitions of its latest assignment, as {@code topic-partition} strings. */
        Set<String> assigned() {
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i);
                if (line.startsWith("ASSIGNED")) {
                    String list = line.substring("ASSIGNED".length()).trim();
                    return list.isEmpty() ? Set.of() : Set.of(list.split(","));
                }
            }
            return Set.of();
        }

        /** Records committed so far. */
        long committed() {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("COMMITTED ")) {
                    return Long.parseLong(lines.get(i).substring("COMMITTED ".length()).trim());
                }
            }
            return 0;
        }

        /** Everything it printed so far, for failure messages. */
        String output() {
            return String.join("\n", lines);
        }

        /** SIGKILL, and wait until it is gone. */
        void kill9() throws InterruptedException {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            kill9();
        }
    }
}
