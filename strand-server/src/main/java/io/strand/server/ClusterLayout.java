package io.strand.server;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The nodes of a local cluster on one machine, as {@code strand cluster} starts them: node ids 1 to
 * N, each a combined broker and controller, node {@code i} with client port
 * {@code basePort + 2(i-1)} and controller port one above it (9092/9093, 9094/9095, 9096/9097 from
 * the default base), every node a voter, and each node's files under {@code <dataDir>/node-<i>}:
 *
 * <pre>
 * node-1/server.properties   the node's configuration, Kafka's property names (readable, reusable)
 * node-1/logs/               its partition logs and metadata log (log.dirs)
 * node-1/server.out          its standard output
 * node-1/server.log          its log lines (standard error)
 * </pre>
 *
 * Immutable; computes and writes files, starts nothing.
 */
record ClusterLayout(int nodes, int basePort, String host, Path dataDir) {

    /** Quorum sizes that tolerate the loss of 0, 1 or 2 nodes; an even count tolerates no more than one less. */
    static final Set<Integer> NODE_COUNTS = Set.of(1, 3, 5);

    ClusterLayout {
        if (!NODE_COUNTS.contains(nodes)) {
            throw new IllegalArgumentException("--nodes must be 1, 3 or 5 (a metadata quorum of an odd size), not " + nodes);
        }
        if (basePort < 1 || basePort + 2 * nodes - 1 > 65535) {
            throw new IllegalArgumentException("--base-port " + basePort + " leaves no room for " + 2 * nodes
                    + " ports below 65536");
        }
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    /** One node of the layout. */
    record Node(int nodeId, int clientPort, int controllerPort, Path dir) {

        Path configFile() {
            return dir.resolve("server.properties");
        }

        Path logDir() {
            return dir.resolve("logs");
        }

        Path outputFile() {
            return dir.resolve("server.out");
        }

        Path logFile() {
            return dir.resolve("server.log");
        }
    }

    List<Node> nodeList() {
        List<Node> result = new ArrayList<>();
        for (int id = 1; id <= nodes; id++) {
            int clientPort = basePort + 2 * (id - 1);
            result.add(new Node(id, clientPort, clientPort + 1, dataDir.resolve("node-" + id)));
        }
        return result;
    }

    /** {@code bootstrap.servers} for clients: every node's client address. */
    String bootstrapServers() {
        return nodeList().stream().map(n -> host + ":" + n.clientPort()).collect(Collectors.joining(","));
    }

    /** {@code controller.quorum.voters}: every node, on its controller port. */
    String quorumVoters() {
        return nodeList().stream().map(n -> n.nodeId() + "@" + host + ":" + n.controllerPort())
                .collect(Collectors.joining(","));
    }

    /** The server properties of {@code node}, in the order they are written. */
    Map<String, String> properties(Node node) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(node.nodeId()));
        props.put("controller.quorum.voters", quorumVoters());
        props.put("listeners", "PLAINTEXT://" + host + ":" + node.clientPort() + ",CONTROLLER://" + host + ":"
                + node.controllerPort());
        props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + node.clientPort());
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", node.logDir().toString());
        return props;
    }

    /** Creates {@code node}'s directory and writes its {@code server.properties}, replacing an older one. */
    void writeConfig(Node node) throws IOException {
        Files.createDirectories(node.logDir());
        try (Writer out = Files.newBufferedWriter(node.configFile(), StandardCharsets.UTF_8)) {
            out.write("# Node " + node.nodeId() + " of a local " + nodes + "-node Strand cluster, written by"
                    + " 'strand cluster'.\n");
            out.write("# Kafka's property names: run this node alone with 'strand server --config <this file>'.\n");
            for (Map.Entry<String, String> e : properties(node).entrySet()) {
                out.write(e.getKey() + "=" + e.getValue().replace("\\", "\\\\") + "\n");
            }
        }
    }
}
