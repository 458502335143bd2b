package io.strand.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A confluent-kafka-python (librdkafka) group member in a process of its own, running
 * {@code group_commit_loop.py}: it reads a topic and commits synchronously after every batch until
 * it is killed. Its report lines are parsed as they come into the group's {@link CommitLog} (a
 * commit is pending from its {@code COMMIT} line to its {@code ACKED} or {@code FAILED} line) and
 * {@link CommittingMember.Consumed}.
 *
 * <p>Thread-safe: a pump thread parses, the test thread starts and closes it.
 */
final class LibrdkafkaCommitter implements AutoCloseable {

    private final Process process;
    private final Thread pump;
    private final CommitLog commits;
    private final CommittingMember.Consumed consumed;
    private final String topic;
    /** The script's commit ids to the {@link CommitLog}'s; only the pump thread touches it. */
    private final Map<Long, Long> commitIds = new HashMap<>();
    private volatile String unparsed;

    private LibrdkafkaCommitter(Process process, String topic, CommitLog commits,
                                CommittingMember.Consumed consumed) {
        this.process = process;
        this.topic = topic;
        this.commits = commits;
        this.consumed = consumed;
        this.pump = new Thread(this::readReports, "librdkafka-member-output");
        this.pump.setDaemon(true);
    }

    /** Starts the script with {@code python}; its standard error goes to {@code stderrFile}. */
    static LibrdkafkaCommitter start(Path python, Path script, String bootstrap, String topic, CommitLog commits,
                                     CommittingMember.Consumed consumed, Path stderrFile) throws IOException {
        Process process = new ProcessBuilder(List.of(python.toString(), script.toString(), bootstrap, topic,
                commits.group)).redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile())).start();
        process.getOutputStream().close();
        LibrdkafkaCommitter member = new LibrdkafkaCommitter(process, topic, commits, consumed);
        member.pump.start();
        return member;
    }

    private void readReports() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                onReport(line);
            }
        } catch (IOException | RuntimeException e) {
            unparsed = unparsed == null ? e.toString() : unparsed;
        }
    }

    private void onReport(String line) {
        String[] words = line.split(" ", 3);
        switch (words[0]) {
            case "READ" -> {
                String[] range = words[2].split(" ");
                int partition = Integer.parseInt(words[1]);
                TopicPartition tp = new TopicPartition(topic, partition);
                for (long offset = Long.parseLong(range[0]); offset <= Long.parseLong(range[1]); offset++) {
                    consumed.add(partition, offset);
                    // Its commits carry no metadata: the member is "" in the commit log.
                    commits.read("", tp, offset);
                }
            }
            case "COMMIT" -> {
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (String partitionOffset : words[2].split(",")) {
                    String[] po = partitionOffset.split(":");
                    offsets.put(new TopicPartition(topic, Integer.parseInt(po[0])),
                            new OffsetAndMetadata(Long.parseLong(po[1])));
                }
                commitIds.put(Long.parseLong(words[1]), commits.begin(offsets));
            }
            case "ACKED" -> commits.complete(commitIds.remove(Long.parseLong(words[1])), null);
            case "FAILED" -> commits.complete(commitIds.remove(Long.parseLong(words[1])),
                    new IllegalStateException(words.length > 2 ? words[2] : "failed"));
            default -> unparsed = unparsed == null ? line : unparsed;
        }
    }

    /** The first line it could not parse (or what stopped the parsing), or null. */
    String unparsed() {
        return unparsed;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILLs the script and waits for it and the pump to end. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        pump.join(10_000);
    }
}
