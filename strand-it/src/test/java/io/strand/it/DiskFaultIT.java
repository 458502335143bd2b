package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.ClusterNode;
import io.strand.testkit.LogAudit;
import io.strand.testkit.ProducerLoad;
import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log directory on a real filesystem that fills up or fails, under an idempotent acks=all
 * producer: the node whose directory failed halts (it is the node's only log directory; with
 * another one online it would serve on, see LogDirFailureIT in strand-chaos), the others keep
 * serving, and after the disk is healed and the node restarted every acknowledged record is in the
 * log. The metadata log lies on another directory, so only the data log directory fails.
 *
 * <p>Needs root (mount, loop devices): skipped without it, fails when {@code CI=true}. Everything
 * mounted or attached is unmounted and detached after each test, also when it fails.
 */
class DiskFaultIT {

    private static final String TOPIC = "disk-fault";
    private static final Duration AWAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    /** Undo steps (unmount, detach), run latest first after each test. */
    private final Deque<List<String>> cleanups = new ArrayDeque<>();

    @BeforeEach
    void requireRoot() {
        // the clusters are Strand's own: nothing to compare against Apache Kafka here
        assumeFalse("kafka".equals(System.getProperty(BrokerUnderTest.BROKER_PROPERTY)), "a Strand cluster only");
        String missing = missingPrivileges();
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(missing + " (CI=true: the disk fault tests must run)");
        }
        assumeThat(missing).as(missing + " (set CI=true to fail instead of skipping)").isNull();
    }

    @AfterEach
    void undoMounts() {
        while (!cleanups.isEmpty()) {
            List<String> command = cleanups.pop();
            try {
                run(command);
            } catch (IOException | RuntimeException e) {
                System.err.println("cleanup " + command + " failed: " + e.getMessage());
            }
        }
    }

    /**
     * A single node whose log directory is a small tmpfs: when it is full, the append fails (ENOSPC on
     * the log file, or SIGBUS on a mapped index page), the directory goes offline and the node halts
     * with exit code 1. With the tmpfs grown, the node starts again, the producer's retries land and
     * nothing acknowledged is missing or corrupt.
     */
    @Test
    void fullLogDirectoryHaltsTheNodeAndLosesNothingAcknowledged() throws Exception {
        Path disk = Files.createDirectories(dir.resolve("disk-1"));
        mount(List.of("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", disk.toString()), disk);
        Path logDir = disk.resolve("logs");
        try (StrandCluster cluster = StrandCluster.builder(dir.resolve("cluster")).nodes(1)
                .nodeProperty(1, "log.dirs", logDir.toString())
                .nodeProperty(1, "metadata.log.dir", dir.resolve("metadata-1").toString())
                .start();
             Admin admin = admin(cluster)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(60, TimeUnit.SECONDS);
            try (ProducerLoad load = ProducerLoad.start("p0", cluster.bootstrapServers(), TOPIC, 3, Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000), 50, 500)) {
                awaitProgress(load);
                fill(disk.resolve("filler"));
                ClusterNode node = cluster.node(1);
                await("node 1 halts on its full log directory").atMost(AWAIT).until(() -> !node.isAlive());
                assertThat(node.exitCode()).hasValue(1);
                String serverLog = nodeOutput(node);
                assertThat(serverLog).contains("Log directory failed, taking it offline: dir=" + logDir)
                        .contains("FATAL: halting the node");

                run(List.of("mount", "-o", "remount,size=256m", disk.toString()));
                node.restart();
                awaitProgress(load);
                load.stop();
                System.out.println(Instant.now() + " " + load.log);
                LogAudit audit = LogAudit.readWithJavaConsumer(cluster.bootstrapServers(), TOPIC, 3,
                        Duration.ofSeconds(60));
                audit.check(List.of(load.log));
            } finally {
                cluster.copyNodeLogs(Path.of("target", "disk-fault-logs", "full"));
            }
        }
    }

    /**
     * Three nodes; node 1's log directory is a loop-mounted ext4 that is shut down (every later
     * operation fails with EIO) while the producer runs: node 1 halts, the controller fences it and
     * moves its leaderships, the producer keeps going. After unmount, mount (the journal replayed) and
     * restart node 1
     * catches up and is back in every ISR, and nothing acknowledged is missing.
     */
    @Test
    void failedLogDirectoryHaltsItsNodeWhileTheOthersServe() throws Exception {
        Path image = dir.resolve("disk-1.img");
        Path disk = Files.createDirectories(dir.resolve("disk-1"));
        run(List.of("truncate", "-s", "256M", image.toString()));
        String device = run(List.of("losetup", "-f", "--show", image.toString())).strip();
        cleanups.push(List.of("losetup", "-d", device));
        run(List.of("mkfs.ext4", "-q", device));
        mount(List.of("mount", device, disk.toString()), disk);
        Path logDir = disk.resolve("logs");
        try (StrandCluster cluster = StrandCluster.builder(dir.resolve("cluster")).nodes(3)
                .property("broker.session.timeout.ms", "6000")
                .property("broker.heartbeat.interval.ms", "500")
                .nodeProperty(1, "log.dirs", logDir.toString())
                .nodeProperty(1, "metadata.log.dir", dir.resolve("metadata-1").toString())
                .start();
             Admin admin = admin(cluster)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
            try (ProducerLoad load = ProducerLoad.start("p0", cluster.bootstrapServers(), TOPIC, 3, Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000), 50, 300)) {
                awaitProgress(load);
                run(List.of("python3", "-c", "import fcntl,os,struct; fd=os.open('" + disk
                        + "',os.O_RDONLY); fcntl.ioctl(fd,0x8004587D,struct.pack('I',1))"));
                ClusterNode node = cluster.node(1);
                await("node 1 halts on its failed log directory").atMost(AWAIT).until(() -> !node.isAlive());
                assertThat(node.exitCode()).hasValue(1);
                assertThat(nodeOutput(node))
                        .contains("Log directory failed, taking it offline: dir=" + logDir);
                await("leaders on nodes 2 and 3").atMost(AWAIT).pollInterval(Duration.ofMillis(200))
                        .ignoreExceptions().until(() -> describe(admin).partitions().stream()
                                .allMatch(p -> p.leader() != null && p.leader().id() != 1));
                awaitProgress(load);

                run(List.of("umount", disk.toString()));
                // a new loop device for the same image: mounting the old one again could find the
                // shut-down filesystem still alive (another mount namespace may hold it)
                String healed = run(List.of("losetup", "-f", "--show", image.toString())).strip();
                cleanups.push(List.of("losetup", "-d", healed));
                mount(List.of("mount", healed, disk.toString()), disk);
                node.restart();
                await("node 1 back in every ISR").atMost(AWAIT).pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions().until(() -> describe(admin).partitions().stream()
                                .allMatch(p -> p.isr().size() == 3));
                awaitProgress(load);
                load.stop();
                await("node 1 still in every ISR after the load").atMost(AWAIT).pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions().until(() -> describe(admin).partitions().stream()
                                .allMatch(p -> p.isr().size() == 3));
                System.out.println(Instant.now() + " " + load.log);
                LogAudit audit = LogAudit.readWithJavaConsumer(cluster.bootstrapServers(), TOPIC, 3,
                        Duration.ofSeconds(60));
                audit.check(List.of(load.log));
            } finally {
                cluster.copyNodeLogs(Path.of("target", "disk-fault-logs", "eio"));
            }
        }
    }

    /** What the node wrote, its log lines included. */
    private static String nodeOutput(ClusterNode node) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Path file : List.of(node.logFile(), node.outputFile())) {
            if (Files.exists(file)) {
                out.append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    private void mount(List<String> command, Path mountPoint) throws IOException {
        run(command);
        cleanups.push(List.of("umount", "-l", mountPoint.toString()));
    }

    /** Writes zeros to {@code file} until the filesystem has no room left. */
    private static void fill(Path file) throws IOException {
        try {
            run(List.of("dd", "if=/dev/zero", "of=" + file, "bs=1M"));
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).contains("No space left on device");
        }
    }

    private static TopicDescription describe(Admin admin) throws Exception {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC);
    }

    private static Admin admin(StrandCluster cluster) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
    }

    /** Waits until the producer has new acknowledgements: the cluster takes writes (again). */
    private static void awaitProgress(ProducerLoad load) {
        long before = load.log.acked();
        await("acknowledgements after " + before + " (" + load.log + ")").atMost(AWAIT)
                .pollInterval(Duration.ofMillis(100)).until(() -> load.log.acked() >= before + 20);
    }

    /** Runs {@code command}; its output, or an IllegalStateException with it if it fails. */
    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + command, e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command + " exited with " + process.exitValue() + ": " + output);
        }
        return output;
    }

    /** Null if this process may mount filesystems and attach loop devices, else why not. */
    private static String missingPrivileges() {
        try {
            if (!"0".equals(run(List.of("id", "-u")).strip())) {
                return "the disk fault tests need root (mount, losetup)";
            }
            run(List.of("losetup", "--version"));
            run(List.of("mkfs.ext4", "-V"));
            return null;
        } catch (IOException | RuntimeException e) {
            return "the disk fault tests need mount, losetup and mkfs.ext4: " + e.getMessage();
        }
    }
}
