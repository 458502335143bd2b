package io.strand.broker;

import io.strand.common.test.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Time;

/** Properties and port helpers for tests that start a whole node on loopback. */
final class TestNodes {

    private TestNodes() {
    }

    /** A combined node: client listener on an ephemeral port, the given raft port; {@code overrides} win. */
    static Map<String, String> props(Path dataDir, int raftPort, Map<String, String> overrides) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("node.id", "1");
        props.put("listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:" + raftPort);
        props.put("controller.quorum.voters", "1@127.0.0.1:" + raftPort);
        props.put("log.dirs", dataDir.toString());
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("offsets.topic.num.partitions", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.putAll(overrides);
        return props;
    }

    static BrokerServer start(Map<String, String> props) throws Exception {
        return BrokerServer.start(BrokerServer.config(props), Time.SYSTEM);
    }

    /** A loopback port nobody listens on right now, below the ephemeral range (FreePorts). */
    static int freePort() {
        return FreePorts.reserve();
    }

    /** True if a server socket can bind the loopback {@code port} now (as a restarted node would). */
    static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String bootstrap(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
