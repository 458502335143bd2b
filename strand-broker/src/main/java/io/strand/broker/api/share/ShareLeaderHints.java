package io.strand.broker.api.share;

import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where a partition's leader is now, in ShareFetch and ShareAcknowledge answers, as Kafka's broker fills them
 * (KIP-951's hints, which KIP-932 took over): every partition whose {@code error_code} is NOT_LEADER_OR_FOLLOWER
 * or FENCED_LEADER_EPOCH gets {@code current_leader}, the leader id and epoch of this broker's replica of it, or
 * of the metadata image if this broker has none (-1 and -1 when neither knows one), and the response's
 * {@code node_endpoints} list each such leader that is a live (unfenced) broker, at its endpoint on the listener
 * the request came in on, once. A client then moves the partition to the new leader without asking the metadata
 * first. Other errors (an {@code acknowledge_error_code} of a ShareFetch partition included) get no hint, as in
 * Kafka. Stateless.
 */
final class ShareLeaderHints {

    private ShareLeaderHints() {
    }

    /** One partition of an answer: where it is, its error, and how to set its {@code current_leader}. */
    private record Answered(Uuid topicId, int partitionIndex, short errorCode, BiConsumer<Integer, Integer> setLeader) {
    }

    /** Fills {@code response}'s hints in place; returns it. */
    static ShareFetchResponseData fill(ShareFetchResponseData response, ReplicaManager replicaManager,
                                       MetadataImage image, String listenerName) {
        List<Answered> answered = new ArrayList<>();
        for (ShareFetchResponseData.ShareFetchableTopicResponse topic : response.responses()) {
            for (ShareFetchResponseData.PartitionData p : topic.partitions()) {
                answered.add(new Answered(topic.topicId(), p.partitionIndex(), p.errorCode(),
                        (id, epoch) -> p.currentLeader().setLeaderId(id).setLeaderEpoch(epoch)));
            }
        }
        hintedLeaders(answered, replicaManager, image, listenerName).forEach((id, broker) -> {
            if (response.nodeEndpoints().find(id) == null) {
                response.nodeEndpoints().add(new ShareFetchResponseData.NodeEndpoint().setNodeId(id)
                        .setHost(broker.endpoint().host()).setPort(broker.endpoint().port()).setRack(broker.rack()));
            }
        });
        return response;
    }

    /** Fills {@code response}'s hints in place; returns it. */
    static ShareAcknowledgeResponseData fill(ShareAcknowledgeResponseData response, ReplicaManager replicaManager,
                                             MetadataImage image, String listenerName) {
        List<Answered> answered = new ArrayList<>();
        for (ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse topic : response.responses()) {
            for (ShareAcknowledgeResponseData.PartitionData p : topic.partitions()) {
                answered.add(new Answered(topic.topicId(), p.partitionIndex(), p.errorCode(),
                        (id, epoch) -> p.currentLeader().setLeaderId(id).setLeaderEpoch(epoch)));
            }
        }
        hintedLeaders(answered, replicaManager, image, listenerName).forEach((id, broker) -> {
            if (response.nodeEndpoints().find(id) == null) {
                response.nodeEndpoints().add(new ShareAcknowledgeResponseData.NodeEndpoint().setNodeId(id)
                        .setHost(broker.endpoint().host()).setPort(broker.endpoint().port()).setRack(broker.rack()));
            }
        });
        return response;
    }

    /** A live leader to list: its endpoint on the request's listener and its rack. */
    private record LiveLeader(Endpoint endpoint, String rack) {
    }

    /**
     * Sets {@code current_leader} of every partition that wants a hint; returns the live leaders named, each
     * once, in the order first named.
     */
    private static Map<Integer, LiveLeader> hintedLeaders(List<Answered> answered, ReplicaManager replicaManager,
                                                         MetadataImage image, String listenerName) {
        Map<Integer, LiveLeader> leaders = new LinkedHashMap<>();
        for (Answered p : answered) {
            if (wantsHint(p.errorCode())) {
                LeaderAndEpoch leader = leaderOf(replicaManager, image, p.topicId(), p.partitionIndex());
                p.setLeader().accept(leader.leaderId(), leader.leaderEpoch());
                int id = leader.leaderId();
                liveEndpoint(image, id, listenerName).ifPresent(e ->
                        leaders.putIfAbsent(id, new LiveLeader(e, image.brokers().get(id).rack())));
            }
        }
        return leaders;
    }

    private static boolean wantsHint(short errorCode) {
        return errorCode == Errors.NOT_LEADER_OR_FOLLOWER.code() || errorCode == Errors.FENCED_LEADER_EPOCH.code();
    }

    /** A partition's leader as this broker knows it: its replica's view first, as Kafka's broker asks. */
    private static LeaderAndEpoch leaderOf(ReplicaManager replicaManager, MetadataImage image, Uuid topicId,
                                           int partitionIndex) {
        Optional<TopicImage> topic = image.topics().byId(topicId);
        if (topic.isEmpty()) {
            return LeaderAndEpoch.UNKNOWN;
        }
        Optional<Partition> replica = replicaManager.partition(new TopicPartition(topic.get().name(), partitionIndex));
        if (replica.isPresent()) {
            return new LeaderAndEpoch(replica.get().leaderId(), replica.get().leaderEpoch());
        }
        Optional<PartitionRegistration> registration = topic.get().partition(partitionIndex);
        return registration.isPresent() && registration.get().hasLeader()
                ? new LeaderAndEpoch(registration.get().leader(), registration.get().leaderEpoch())
                : LeaderAndEpoch.UNKNOWN;
    }

    /** The leader's endpoint on {@code listenerName}, if it is a registered, unfenced broker that has one. */
    private static Optional<Endpoint> liveEndpoint(MetadataImage image, int leaderId, String listenerName) {
        if (leaderId < 0) {
            return Optional.empty();
        }
        BrokerRegistration broker = image.brokers().get(leaderId);
        return broker == null || broker.fenced() ? Optional.empty() : broker.endpoint(listenerName);
    }

    /** A leader id and epoch; -1 and -1 when no leader is known. */
    private record LeaderAndEpoch(int leaderId, int leaderEpoch) {
        static final LeaderAndEpoch UNKNOWN = new LeaderAndEpoch(-1, -1);
    }
}
