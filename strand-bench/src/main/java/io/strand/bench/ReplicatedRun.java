package io.strand.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * One broker's turn in one round of the replicated workload: a {@link ReplicatedCluster} of
 * {@value ReplicatedCluster#NODES} nodes of one kind, each its own JVM started as the single-node
 * runs start theirs, on fresh storage; topics with {@value ReplicatedCluster#REPLICATION_FACTOR}
 * replicas and {@code min.insync.replicas=}{@value ReplicatedCluster#MIN_INSYNC_REPLICAS}. Measured,
 * in order: ProducerPerformance with 1 KiB records and acks=all (6 partitions) with the CPU time of
 * the three nodes summed, EndToEndLatency with acks=all (one partition), then failover
 * ({@link FailoverProbe}): while a producer sends with acks=all, the leader of the probe's partition
 * is killed with SIGKILL, the time until the next acks=all send is acknowledged is taken, the node is
 * started again on its data and the next kill waits until it is back in the ISR. The round's sample
 * is the median over its kills.
 *
 * <p>Runs on the harness's main thread (the probe has its own sender thread). Every node is stopped
 * and the cluster's data deleted before {@link #run} returns; logs stay under {@code logDir}.
 */
final class ReplicatedRun {

    static final String PRODUCE_TOPIC = "bench-repl-1kib";
    static final String LATENCY_TOPIC = "bench-repl-e2e";
    static final String FAILOVER_TOPIC = "bench-repl-failover";
    private static final long START_TIMEOUT_MS = 120_000;
    private static final long ADMIN_TIMEOUT_MS = 60_000;
    private static final long ADMIN_CALL_TIMEOUT_MS = 10_000;
    /** The longest a kill may take to fail over before the kill counts as failed. */
    private static final long FAILOVER_TIMEOUT_MS = 60_000;
    /** The longest a restarted node may take to be back in the ISR of the probe's partition. */
    private static final long REJOIN_TIMEOUT_MS = 120_000;
    /** Sends acknowledged by the healthy cluster before each kill. */
    private static final long STEADY_MS = 2_000;
    private static final long POLL_MS = 10;

    private final Time time;
    private final BrokerLauncher launcher;
    private final Workload workload;
    private final Samples samples;
    private final BrokerKind kind;
    private final LoadTools tools;
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Map<Integer, List<String>> commands = new LinkedHashMap<>();

    ReplicatedRun(Time time, BrokerLauncher launcher, Workload workload, String toolClassPath, Samples samples) {
        this.time = time;
        this.launcher = launcher;
        this.workload = workload;
        this.samples = samples;
        this.kind = launcher.kind();
        this.tools = new LoadTools(kind, workload, toolClassPath, samples);
    }

    /** Runs this turn with the cluster's data under a fresh directory in {@code dataParent}, logs in {@code logDir}. */
    void run(Path dataParent, Path logDir) throws IOException {
        Path clusterDir = Files.createTempDirectory(dataParent, "strand-bench-" + kind.key() + "-cluster-");
        try {
            List<ReplicatedCluster.Node> nodes = ReplicatedCluster.nodes(distinctFreePorts(2 * ReplicatedCluster.NODES));
            String clusterId = Uuid.randomUuid().toString();
            for (ReplicatedCluster.Node node : nodes) {
                Path dataDir = Files.createDirectories(clusterDir.resolve("node-" + node.nodeId()));
                commands.put(node.nodeId(), launcher.prepareClusterNode(dataDir, node, nodes, clusterId, logDir));
            }
            for (ReplicatedCluster.Node node : nodes) {
                processes.put(node.nodeId(), ChildJvm.start(commands.get(node.nodeId()),
                        logDir.resolve("node-" + node.nodeId() + ".log")));
            }
            for (ReplicatedCluster.Node node : nodes) {
                awaitServing(node);
            }
            String bootstrap = ReplicatedCluster.bootstrap(nodes);
            try (Admin admin = admin(bootstrap)) {
                awaitBrokers(admin);
                createTopics(admin);
                progress("%d nodes serve, topics created", nodes.size());
                List<Long> pids = processes.values().stream().map(Process::pid).toList();
                tools.produceReplicated(pids, bootstrap, PRODUCE_TOPIC, logDir.resolve("produce-1kib.log"));
                tools.endToEndReplicated(bootstrap, LATENCY_TOPIC, logDir.resolve("end-to-end-latency.log"));
                measureFailover(admin, bootstrap, nodes, logDir);
            }
        } finally {
            processes.values().forEach(ChildJvm::stop);
            BrokerRun.deleteRecursively(clusterDir);
        }
    }

    private void measureFailover(Admin admin, String bootstrap, List<ReplicatedCluster.Node> nodes, Path logDir) {
        List<Double> failoversMs = new ArrayList<>();
        String failure = null;
        try (FailoverProbe probe = new FailoverProbe(time, bootstrap, FAILOVER_TOPIC)) {
            probe.start();
            for (int kill = 1; kill <= workload.failoverKills(); kill++) {
                int leader = awaitFullIsr(admin);
                long steadyFromNs = time.nanoseconds();
                await(() -> probe.sends().stream().anyMatch(send -> send.acknowledged()
                        && send.startNs() >= steadyFromNs), ADMIN_TIMEOUT_MS, "an acknowledged send before the kill");
                time.sleep(STEADY_MS);
                Process victim = processes.get(leader);
                long killNs = time.nanoseconds();
                victim.destroyForcibly();
                OptionalLong failoverNs = awaitFailover(probe, killNs);
                if (failoverNs.isEmpty()) {
                    failure = "failed (kill " + kill + ": no acks=all send acknowledged within "
                            + FAILOVER_TIMEOUT_MS + " ms)";
                    progress("kill %d of node %d: %s", kill, leader, failure);
                    break;
                }
                double ms = failoverNs.getAsLong() / 1e6;
                failoversMs.add(ms);
                progress("kill %d of node %d (leader of %s-0): next acks=all send acknowledged after %.0f ms", kill,
                        leader, FAILOVER_TOPIC, ms);
                victim.waitFor();
                if (kill < workload.failoverKills()) {
                    ReplicatedCluster.Node node = nodes.get(leader - 1);
                    processes.put(leader, ChildJvm.start(commands.get(leader),
                            logDir.resolve("node-" + leader + "-restart-" + kill + ".log")));
                    awaitServing(node);
                }
            }
        } catch (RuntimeException e) {
            failure = "failed (" + e.getMessage() + ")";
            progress("failover: %s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted measuring failover broker=" + kind.key(), e);
        }
        OptionalDouble median = Samples.median(failoversMs);
        if (median.isPresent()) {
            samples.record(Metric.REPLICATED_FAILOVER_MS, kind, median.getAsDouble());
        }
        if (failure != null) {
            samples.note(Metric.REPLICATED_FAILOVER_MS, kind, failure);
            if (median.isPresent()) {
                samples.warn(String.format(Locale.ROOT, "%s failover: only %d of %d kills measured, then %s",
                        kind.label(), failoversMs.size(), workload.failoverKills(), failure));
            }
        }
    }

    private OptionalLong awaitFailover(FailoverProbe probe, long killNs) throws InterruptedException {
        long deadlineNs = killNs + TimeUnit.MILLISECONDS.toNanos(FAILOVER_TIMEOUT_MS);
        while (time.nanoseconds() < deadlineNs) {
            OptionalLong failover = FailoverProbe.failoverNs(killNs, probe.sends());
            if (failover.isPresent()) {
                return failover;
            }
            time.sleep(POLL_MS);
        }
        return OptionalLong.empty();
    }

    /** Waits until the probe's partition has a leader and every node in its ISR; returns the leader. */
    private int awaitFullIsr(Admin admin) {
        int[] leader = new int[1];
        await(() -> {
            TopicPartitionInfo partition = describe(admin, FAILOVER_TOPIC).partitions().get(0);
            leader[0] = partition.leader() == null ? -1 : partition.leader().id();
            return leader[0] > 0 && partition.isr().size() == ReplicatedCluster.NODES;
        }, REJOIN_TIMEOUT_MS, "every node in the ISR of " + FAILOVER_TOPIC + "-0");
        return leader[0];
    }

    private void awaitServing(ReplicatedCluster.Node node) {
        Process process = processes.get(node.nodeId());
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), node.clientPort());
        new MetadataProbe(time, address).awaitFirstAnswerNs(process,
                time.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS));
    }

    private void awaitBrokers(Admin admin) {
        await(() -> admin.describeCluster().nodes().get(ADMIN_CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).size()
                == ReplicatedCluster.NODES, START_TIMEOUT_MS, ReplicatedCluster.NODES + " brokers registered");
    }

    /** Creates each topic, retrying while the cluster cannot place its replicas yet. */
    private void createTopics(Admin admin) {
        for (NewTopic topic : List.of(
                newTopic(PRODUCE_TOPIC, Workload.PARTITIONS),
                newTopic(LATENCY_TOPIC, Workload.LATENCY_PARTITIONS),
                newTopic(FAILOVER_TOPIC, 1))) {
            await(() -> {
                try {
                    admin.createTopics(List.of(topic)).all().get(ADMIN_CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    return true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        return true;
                    }
                    throw e;
                }
            }, ADMIN_TIMEOUT_MS, "topic " + topic.name() + " created");
        }
    }

    private static NewTopic newTopic(String name, int partitions) {
        return new NewTopic(name, partitions, (short) ReplicatedCluster.REPLICATION_FACTOR)
                .configs(ReplicatedCluster.topicConfigs());
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(ADMIN_CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .get(topic);
    }

    private static Admin admin(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(ADMIN_CALL_TIMEOUT_MS));
        return Admin.create(props);
    }

    /** A condition that may fail while the cluster settles: a failure counts as "not yet". */
    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private void await(Condition condition, long timeoutMs, String what) {
        long deadlineNs = time.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Exception last = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            } catch (Exception e) {
                last = e;
            }
            if (time.nanoseconds() >= deadlineNs) {
                throw new IllegalStateException("no " + what + " within " + timeoutMs + " ms broker=" + kind.key()
                        + (last == null ? "" : " last error=" + last), last);
            }
            time.sleep(POLL_MS * 10);
        }
    }

    private void progress(String format, Object... args) {
        System.out.printf("  [%s, 3 nodes] %s%n", kind.label(), String.format(Locale.ROOT, format, args));
    }

    /** {@code count} distinct free loopback ports (each socket held until all are chosen). */
    private static int[] distinctFreePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback ports", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // A port that will not close is still free to reuse once the socket is gone.
                }
            }
        }
    }
}
