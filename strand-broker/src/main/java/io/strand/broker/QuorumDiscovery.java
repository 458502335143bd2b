package io.strand.broker;

import io.strand.broker.controller.QuorumControllerChannel;
import io.strand.common.config.BrokerConfig;
import io.strand.metadata.quorum.QuorumTransport;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;

/**
 * Finds the voters of the metadata quorum through {@code controller.quorum.bootstrap.servers}, for
 * a broker-only node that does not list them: it asks the controllers, as a leader request, to
 * describe the quorum (DescribeQuorum, which the active controller answers from its Raft
 * configuration with every voter's id and Raft address) and returns those.
 *
 * <p>Until it knows their ids, it sends to the bootstrap servers under stand-in ids (-1, -2, …):
 * a voter answers a leader request whatever id it was sent to, and a follower's NotLeader names no
 * stand-in, so the request goes round the bootstrap servers until the leader's answers. Stateless;
 * blocks the caller until the answer or the timeout.
 */
final class QuorumDiscovery {

    /** How long one bootstrap server may stay silent before the next is asked. */
    private static final long ATTEMPT_TIMEOUT_MS = 2_000;

    private QuorumDiscovery() {
    }

    /**
     * The voters, node id → Raft address.
     *
     * @throws IllegalStateException when no controller answered within {@code timeoutMs}, or its
     *     answer was an error
     */
    static Map<Integer, InetSocketAddress> voters(int nodeId, List<BrokerConfig.BootstrapServer> bootstrapServers,
                                                  long timeoutMs, QuorumTransport transport)
            throws InterruptedException {
        Map<Integer, InetSocketAddress> standIns = new LinkedHashMap<>();
        for (int i = 0; i < bootstrapServers.size(); i++) {
            BrokerConfig.BootstrapServer server = bootstrapServers.get(i);
            standIns.put(-(i + 1), new InetSocketAddress(server.host(), server.port()));
        }
        DescribeQuorumResponseData response;
        try (QuorumControllerChannel channel = QuorumControllerChannel.open(nodeId + "-quorum-discovery", standIns,
                timeoutMs, ATTEMPT_TIMEOUT_MS, null, () -> -1, transport)) {
            response = (DescribeQuorumResponseData) channel.send(ApiKeys.DESCRIBE_QUORUM,
                    DescribeQuorumRequest.singletonRequest(new TopicPartition(Topic.CLUSTER_METADATA_TOPIC_NAME, 0)))
                    .get(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("No controller among the bootstrap servers " + standIns.values()
                    + " described the metadata quorum: " + e, e);
        }
        return fromResponse(response);
    }

    /** Every current voter's id with its Raft address, as the response's nodes list it. */
    static Map<Integer, InetSocketAddress> fromResponse(DescribeQuorumResponseData response) {
        Errors error = Errors.forCode(response.errorCode());
        DescribeQuorumResponseData.PartitionData partition = response.topics().isEmpty()
                || response.topics().get(0).partitions().isEmpty() ? null
                : response.topics().get(0).partitions().get(0);
        if (error == Errors.NONE && partition != null) {
            error = Errors.forCode(partition.errorCode());
        }
        if (error != Errors.NONE || partition == null) {
            throw new IllegalStateException("The controllers could not describe the metadata quorum: error=" + error);
        }
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
        for (DescribeQuorumResponseData.ReplicaState voter : partition.currentVoters()) {
            DescribeQuorumResponseData.Node node = response.nodes().find(voter.replicaId());
            if (node == null || node.listeners().isEmpty()) {
                throw new IllegalStateException("The metadata quorum's answer has no address for voter "
                        + voter.replicaId());
            }
            DescribeQuorumResponseData.Listener listener = node.listeners().iterator().next();
            voters.put(voter.replicaId(), new InetSocketAddress(listener.host(), listener.port()));
        }
        return voters;
    }
}
