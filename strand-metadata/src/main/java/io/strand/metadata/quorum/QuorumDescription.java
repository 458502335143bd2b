package io.strand.metadata.quorum;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Listener;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Node;
import org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ReplicaState;
import org.apache.kafka.common.message.DescribeQuorumResponseData.TopicData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;

/**
 * The metadata quorum as its Raft leader sees it, in Kafka's DescribeQuorum terms, and the response
 * built from it. Ratis indices stand for Kafka's metadata offsets: the log end offset is a replica's
 * next index, the high watermark the commit index + 1 (both exclusive, as Kafka's offsets are), the
 * leader epoch the Raft term.
 *
 * <p>What Ratis exposes limits the followers' progress: {@code logEndOffset} is the next index the
 * leader will send (it may run ahead of what the follower acknowledged by what is in flight), -1
 * when unknown; {@code lastFetchTimestamp} is derived from the time since the follower last answered
 * an append; {@code lastCaughtUpTimestamp} is that same time when the follower's next index has
 * reached the leader's, else -1 (Ratis keeps no history). The leader's own state is "now". Observers
 * are the broker-only nodes that fetched the metadata log from this leader lately
 * ({@link MetadataObserver}): their log end offset is the index they fetch from, their last caught-up
 * time that of their last fetch past the commit index; they have no Raft endpoint. Nodes carry no directory ids
 * ({@link Uuid#ZERO_UUID}). Immutable.
 *
 * @param leaderId      the leader's node id
 * @param term          the Raft term (Kafka's leader epoch)
 * @param highWatermark the commit index + 1
 * @param voters        every voter, the leader included, in node id order
 * @param observers     the broker-only nodes following the log, in node id order
 * @param endpoints     node id → the voter's Raft address, reported on {@code listenerName} (v2)
 * @param listenerName  the controller listener name the Raft addresses are reported under
 */
public record QuorumDescription(int leaderId, long term, long highWatermark, List<Voter> voters,
                                List<Voter> observers, Map<Integer, InetSocketAddress> endpoints,
                                String listenerName) {

    /** A voter's progress; -1 for what is not known. */
    public record Voter(int nodeId, long logEndOffset, long lastFetchTimestampMs, long lastCaughtUpTimestampMs) {
    }

    public QuorumDescription {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
        endpoints = Map.copyOf(endpoints);
        Objects.requireNonNull(listenerName, "listenerName");
    }

    /** A quorum without observers. */
    public QuorumDescription(int leaderId, long term, long highWatermark, List<Voter> voters,
                             Map<Integer, InetSocketAddress> endpoints, String listenerName) {
        this(leaderId, term, highWatermark, voters, List.of(), endpoints, listenerName);
    }

    /** True when {@code request} asks for the metadata partition {@code __cluster_metadata-0}, the only one there is. */
    public static boolean asksForTheMetadataPartition(DescribeQuorumRequestData request) {
        return request.topics().size() == 1
                && Topic.CLUSTER_METADATA_TOPIC_NAME.equals(request.topics().get(0).topicName())
                && request.topics().get(0).partitions().size() == 1
                && request.topics().get(0).partitions().get(0).partitionIndex() == 0;
    }

    /** Every partition the request names answered with {@code error}, as Kafka's Raft client answers. */
    public static DescribeQuorumResponseData error(DescribeQuorumRequestData request, Errors error) {
        return DescribeQuorumRequest.getPartitionLevelErrorResponse(request, error);
    }

    /** The response for {@code __cluster_metadata-0}, with the nodes' endpoints (read from v2). */
    public DescribeQuorumResponseData toResponse() {
        PartitionData partition = new PartitionData()
                .setPartitionIndex(0)
                .setErrorCode(Errors.NONE.code())
                .setLeaderId(leaderId)
                .setLeaderEpoch((int) term)
                .setHighWatermark(highWatermark);
        DescribeQuorumResponseData response = new DescribeQuorumResponseData().setErrorCode(Errors.NONE.code());
        for (Voter voter : voters) {
            partition.currentVoters().add(new ReplicaState()
                    .setReplicaId(voter.nodeId())
                    .setReplicaDirectoryId(Uuid.ZERO_UUID)
                    .setLogEndOffset(voter.logEndOffset())
                    .setLastFetchTimestamp(voter.lastFetchTimestampMs())
                    .setLastCaughtUpTimestamp(voter.lastCaughtUpTimestampMs()));
            InetSocketAddress address = endpoints.get(voter.nodeId());
            if (address != null) {
                Node node = new Node().setNodeId(voter.nodeId());
                node.listeners().add(new Listener().setName(listenerName).setHost(address.getHostString())
                        .setPort(address.getPort()));
                response.nodes().add(node);
            }
        }
        for (Voter observer : observers) {
            partition.observers().add(new ReplicaState()
                    .setReplicaId(observer.nodeId())
                    .setReplicaDirectoryId(Uuid.ZERO_UUID)
                    .setLogEndOffset(observer.logEndOffset())
                    .setLastFetchTimestamp(observer.lastFetchTimestampMs())
                    .setLastCaughtUpTimestamp(observer.lastCaughtUpTimestampMs()));
        }
        response.topics().add(new TopicData().setTopicName(Topic.CLUSTER_METADATA_TOPIC_NAME).setPartitions(List.of(partition)));
        return response;
    }
}
