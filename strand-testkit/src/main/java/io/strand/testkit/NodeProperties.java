package io.strand.testkit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Server properties for a test node: loopback only, an ephemeral client port, a free raft port,
 * data under the given directory, {@code __consumer_offsets} with one replica, no HTTP listener (a test
 * asks for one with {@code strand.http.listener=http://127.0.0.1:0}); the caller's properties win.
 */
final class NodeProperties {

    private NodeProperties() {
    }

    static Map<String, String> forTest(Path dataDir, Map<String, String> overrides) {
        int raftPort = TestPorts.freePort();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("node.id", "1");
        props.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + raftPort);
        props.put("controller.quorum.voters", "1@127.0.0.1:" + raftPort);
        props.put("log.dirs", dataDir.toAbsolutePath().toString());
        // One node: __consumer_offsets, __transaction_state and __share_group_state cannot have Kafka's
        // default three replicas.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        // Off unless asked for: a child process without it would take ./strand's default, localhost:8080.
        props.put("strand.http.listener", "");
        props.putAll(overrides);
        return props;
    }
}
