package io.strand.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The settings of the replicated workload's clusters: {@value #NODES} combined nodes (broker and
 * controller in one process) of one kind, node ids 1 to {@value #NODES}, each with a client and a
 * controller listener on 127.0.0.1, all of them voters of the metadata quorum. Internal topics get
 * {@value #REPLICATION_FACTOR} replicas; the benchmark's own topics are created with
 * {@value #REPLICATION_FACTOR} replicas and {@code min.insync.replicas=}{@value #MIN_INSYNC_REPLICAS}
 * ({@link #topicConfigs}). Failure detection (session timeouts, election) is each broker's default.
 *
 * <p>Pure functions of their arguments: the launchers turn a node's settings into files or
 * command-line overrides.
 */
final class ReplicatedCluster {

    static final int NODES = 3;
    static final int REPLICATION_FACTOR = 3;
    static final int MIN_INSYNC_REPLICAS = 2;

    /** The loopback ports of node {@code nodeId}. */
    record Node(int nodeId, int clientPort, int controllerPort) {

        String bootstrap() {
            return "127.0.0.1:" + clientPort;
        }
    }

    private ReplicatedCluster() {
    }

    /** Nodes 1.. with the given ports, two per node: client port then controller port. */
    static List<Node> nodes(int... ports) {
        if (ports.length != 2 * NODES) {
            throw new IllegalArgumentException("need " + 2 * NODES + " ports, got " + ports.length);
        }
        return IntStream.range(0, NODES).mapToObj(i -> new Node(i + 1, ports[2 * i], ports[2 * i + 1])).toList();
    }

    /** {@code controller.quorum.voters}: {@code 1@127.0.0.1:p1,2@127.0.0.1:p2,…}. */
    static String voters(List<Node> nodes) {
        return nodes.stream().map(node -> node.nodeId() + "@127.0.0.1:" + node.controllerPort())
                .collect(Collectors.joining(","));
    }

    /** Every client listener, for a client's {@code bootstrap.servers}. */
    static String bootstrap(List<Node> nodes) {
        return nodes.stream().map(Node::bootstrap).collect(Collectors.joining(","));
    }

    /**
     * The settings both brokers give every node of a cluster (Kafka's names): partitions of
     * auto-created topics, replicated internal topics, a first rebalance that starts at once.
     */
    static Map<String, String> sharedProps() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("num.partitions", Integer.toString(Workload.PARTITIONS));
        props.put("default.replication.factor", Integer.toString(REPLICATION_FACTOR));
        props.put("offsets.topic.num.partitions", "1");
        props.put("offsets.topic.replication.factor", Integer.toString(REPLICATION_FACTOR));
        props.put("group.initial.rebalance.delay.ms", "0");
        return props;
    }

    /**
     * The settings of {@code node} in the cluster of {@code nodes} that both brokers read the same
     * way: roles, id, listeners, the quorum's voters, its data directory, then {@link #sharedProps}.
     */
    static Map<String, String> nodeProps(Node node, List<Node> nodes, Path logDir) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(node.nodeId()));
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + node.clientPort()
                + ",CONTROLLER://127.0.0.1:" + node.controllerPort());
        props.put("controller.quorum.voters", voters(nodes));
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        props.putAll(sharedProps());
        return props;
    }

    /** The configs of every benchmark topic of the replicated workload. */
    static Map<String, String> topicConfigs() {
        return Map.of("min.insync.replicas", Integer.toString(MIN_INSYNC_REPLICAS));
    }
}
