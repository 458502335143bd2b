package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three combined nodes, one metadata quorum: every node registers through its controller channel
 * (registration used to fail on a node that was not the Raft leader), Metadata names the Raft leader
 * as controller, and CreateTopics sent to a node that is not the leader is forwarded to the active
 * controller and succeeds.
 */
class ForwardedControllerRequestsTest {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(120);
    private static final short CREATE_TOPICS_VERSION = 7;
    private static final short METADATA_VERSION = 12;

    @TempDir
    Path dir;

    private final List<BrokerServer> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(BrokerServer::close);
    }

    @Test
    void createTopicsSentToAFollowerNodeIsForwardedToTheActiveController() throws Exception {
        startThreeNodes();
        MetadataResponseData cluster = awaitThreeBrokers(nodes.get(0));
        int controllerId = cluster.controllerId();
        assertThat(controllerId).isBetween(1, 3);
        BrokerServer follower = nodes.stream().filter(n -> n.config().nodeId() != controllerId).findFirst()
                .orElseThrow();

        CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(30_000);
        create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("forwarded").setNumPartitions(3)
                .setReplicationFactor((short) 3));
        CreateTopicsResponseData created = (CreateTopicsResponseData) exchange(follower,
                new CreateTopicsRequest.Builder(create).build(CREATE_TOPICS_VERSION));

        CreateTopicsResponseData.CreatableTopicResult result = created.topics().find("forwarded");
        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.NONE);
        assertThat(result.numPartitions()).isEqualTo(3);
        assertThat(result.replicationFactor()).isEqualTo((short) 3);
        // Every node applies it, the follower that forwarded it among them.
        for (BrokerServer node : nodes) {
            await().atMost(STEP_TIMEOUT).untilAsserted(() -> {
                MetadataResponseData.MetadataResponseTopic topic = metadata(node, "forwarded").topics().find("forwarded");
                assertThat(Errors.forCode(topic.errorCode())).isEqualTo(Errors.NONE);
                assertThat(topic.partitions()).hasSize(3)
                        .allSatisfy(p -> assertThat(p.replicaNodes()).containsExactlyInAnyOrder(1, 2, 3));
            });
        }
    }

    private void startThreeNodes() throws Exception {
        int[] raftPorts = {TestNodes.freePort(), TestNodes.freePort(), TestNodes.freePort()};
        String voters = "1@127.0.0.1:" + raftPorts[0] + ",2@127.0.0.1:" + raftPorts[1] + ",3@127.0.0.1:" + raftPorts[2];
        ExecutorService starter = Executors.newFixedThreadPool(3);
        try {
            // Each start waits for the quorum to elect a leader, which takes two of them.
            List<Future<BrokerServer>> starts = new ArrayList<>();
            for (int id = 1; id <= 3; id++) {
                Map<String, String> props = TestNodes.props(dir.resolve("node" + id), raftPorts[id - 1],
                        Map.of("node.id", Integer.toString(id), "controller.quorum.voters", voters));
                starts.add(starter.submit(() -> TestNodes.start(props)));
            }
            for (Future<BrokerServer> start : starts) {
                nodes.add(start.get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            starter.shutdownNow();
        }
    }

    private MetadataResponseData awaitThreeBrokers(BrokerServer node) {
        return await().atMost(STEP_TIMEOUT).until(() -> metadata(node, null),
                m -> m.brokers().stream().map(MetadataResponseData.MetadataResponseBroker::nodeId)
                        .collect(Collectors.toSet()).equals(java.util.Set.of(1, 2, 3)));
    }

    private static MetadataResponseData metadata(BrokerServer node, String topic) throws IOException {
        MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
        if (topic != null) {
            data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(topic));
        }
        return (MetadataResponseData) exchange(node, new MetadataRequest(data, METADATA_VERSION));
    }

    /** One request on a fresh connection to the node's client listener, and its response data. */
    private static ApiMessage exchange(BrokerServer node, AbstractRequest request) throws IOException {
        InetSocketAddress address = node.clientAddress();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout((int) STEP_TIMEOUT.toMillis());
            ByteBuffer frame = request.serializeWithHeader(
                    new RequestHeader(request.apiKey(), request.version(), "test", 1));
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(frame.remaining());
            out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            ByteBuffer buffer = ByteBuffer.wrap(answer);
            ApiKeys api = request.apiKey();
            ResponseHeader.parse(buffer, api.responseHeaderVersion(request.version()));
            return switch (api) {
                case CREATE_TOPICS -> new CreateTopicsResponseData(new ByteBufferAccessor(buffer), request.version());
                case METADATA -> new MetadataResponseData(new ByteBufferAccessor(buffer), request.version());
                default -> throw new IllegalArgumentException("Not used here: " + api);
            };
        }
    }
}
