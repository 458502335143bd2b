package io.strand.chaos;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * One node of a {@link KafkaChaosCluster}: its command, directories and, while it runs, its process,
 * whose output is appended to {@code kafka.log} in its node directory. One thread drives it.
 */
final class KafkaNode {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final int LOG_TAIL_CHARS = 4_000;

    private final int id;
    private final Path nodeDir;
    private final Path dataDir;
    private final String bootstrap;
    private final List<String> command;
    private Process process;

    KafkaNode(int id, Path nodeDir, Path dataDir, String bootstrap, List<String> command) {
        this.id = id;
        this.nodeDir = nodeDir;
        this.dataDir = dataDir;
        this.bootstrap = bootstrap;
        this.command = List.copyOf(command);
    }

    int id() {
        return id;
    }

    Path nodeDir() {
        return nodeDir;
    }

    Path dataDir() {
        return dataDir;
    }

    String bootstrap() {
        return bootstrap;
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the node's JVM; it must not run. */
    void launch() {
        if (isAlive()) {
            throw new IllegalStateException("Kafka node " + id + " runs already");
        }
        Path log = nodeDir.resolve("kafka.log");
        try {
            Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka node " + id, e);
        }
    }

    /**
     * Waits until the node, asked alone, lists itself among the cluster's brokers: it has joined the
     * quorum, registered and been unfenced.
     *
     * @throws IllegalStateException if the process exits or the time runs out; the message ends with the log's tail
     */
    void awaitServing() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            while (System.nanoTime() < deadline) {
                if (!isAlive()) {
                    throw new IllegalStateException("Kafka node " + id + " exited " + process.exitValue()
                            + " before serving; its log ends:\n" + logTail());
                }
                try {
                    for (Node node : admin.describeCluster().nodes().get(3, TimeUnit.SECONDS)) {
                        if (node.id() == id) {
                            return;
                        }
                    }
                } catch (Exception e) {
                    // not up yet
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for Kafka node " + id, e);
        }
        throw new IllegalStateException("Kafka node " + id + " did not serve within " + READY_TIMEOUT
                + "; its log ends:\n" + logTail());
    }

    /** SIGKILL; returns once the process is gone (at once if it is). */
    void kill9() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Kafka node " + id + " (pid " + process.pid() + ") outlived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted killing Kafka node " + id, e);
        }
    }

    /** Sends {@code SIG<name>} to the running JVM. */
    void signal(String name) {
        if (!isAlive()) {
            throw new IllegalStateException("Kafka node " + id + " does not run");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted signalling Kafka node " + id, e);
        }
    }

    private String logTail() {
        try {
            String log = Files.readString(nodeDir.resolve("kafka.log"), StandardCharsets.UTF_8);
            return log.substring(Math.max(0, log.length() - LOG_TAIL_CHARS));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
