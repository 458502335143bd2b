package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.share.ShareMemberIds;
import io.strand.broker.share.SharePartition;
import io.strand.broker.share.SharePartitionManager;
import io.strand.broker.share.ShareSessionCache;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData.PartitionData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;

/**
 * ShareAcknowledge (v1–2, KIP-932): a member's acknowledgements outside a fetch, through its share
 * session (which it cannot open: epoch 0 gets INVALID_SHARE_SESSION_EPOCH). Each partition answers the
 * outcome of its batches, applied all or none once written to the share-group state (see
 * {@link SharePartition#acknowledge}). Epoch -1 closes the session after applying them, releasing what the
 * member still holds; the answer comes once those releases are written too. A partition answered
 * NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH carries its current leader, listed in {@code node_endpoints}
 * ({@link ShareLeaderHints}).
 *
 * <p>Refused as a whole, in Kafka's order, with no acquisition lock timeout in the answer: a null group id (an
 * empty one is a group like any other) and a member id that is not 1 to 36 characters ({@link ShareMemberIds})
 * INVALID_REQUEST, then epoch 0 and the session's errors.
 */
public final class ShareAcknowledgeHandler implements ApiHandler<ShareAcknowledgeRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 2;

    private final ReplicaManager replicaManager;
    private final Supplier<MetadataImage> image;
    private final SharePartitionManager partitions;
    private final ShareSessionCache sessions;

    public ShareAcknowledgeHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image,
                                   SharePartitionManager partitions, ShareSessionCache sessions) {
        this.replicaManager = replicaManager;
        this.image = image;
        this.partitions = partitions;
        this.sessions = sessions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_ACKNOWLEDGE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ShareAcknowledgeResponseData> handle(RequestContext context,
                                                                  ShareAcknowledgeRequest request) {
        ShareAcknowledgeRequestData data = request.data();
        // Kafka's order: the group id present (empty is a group like any other), the member id, the session.
        if (data.groupId() == null) {
            return error(Errors.INVALID_REQUEST, "Invalid group id in the request.");
        }
        if (!ShareMemberIds.isValid(data.memberId())) {
            return error(Errors.INVALID_REQUEST, "Invalid member id in the request.");
        }
        if (data.shareSessionEpoch() == 0) {
            return error(Errors.INVALID_SHARE_SESSION_EPOCH, null);
        }
        ShareSessionCache.Use use = sessions.use(data.groupId(), data.memberId(), data.shareSessionEpoch(),
                Set.of(), Set.of());
        if (use.error() != Errors.NONE) {
            return error(use.error(), null);
        }
        int lockMs = data.groupId().isEmpty() ? partitions.config().recordLockDurationMs()
                : partitions.recordLockDurationMs(data.groupId());
        MetadataImage current = image.get();
        boolean renewAck = context.apiVersion() >= 2 && data.isRenewAck();
        Map<Uuid, ShareAcknowledgeTopicResponse> topics = new LinkedHashMap<>();
        List<CompletableFuture<Void>> written = new ArrayList<>();
        for (ShareAcknowledgeRequestData.AcknowledgeTopic topic : data.topics()) {
            ShareAcknowledgeTopicResponse answer = topics.computeIfAbsent(topic.topicId(),
                    id -> new ShareAcknowledgeTopicResponse().setTopicId(id));
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : topic.partitions()) {
                TopicIdPartition tip = ShareAcks.resolve(current, topic.topicId(), p.partitionIndex());
                List<SharePartition.Acknowledgement> batches = new ArrayList<>();
                for (ShareAcknowledgeRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
                    batches.add(new SharePartition.Acknowledgement(b.firstOffset(), b.lastOffset(),
                            b.acknowledgeTypes()));
                }
                // The current leader stays at its defaults (0, 0), as in Kafka's answer for such a partition.
                PartitionData partition = new PartitionData().setPartitionIndex(p.partitionIndex());
                answer.partitions().add(partition);
                Errors invalid = tip.topic() == null ? Errors.UNKNOWN_TOPIC_ID
                        : ShareAcks.checkBatches(batches, context.apiVersion(), renewAck);
                Object leader = invalid != Errors.NONE ? invalid : ShareAcks.leaderOrError(replicaManager, tip);
                CompletableFuture<Errors> acknowledged = leader instanceof Errors e
                        ? CompletableFuture.completedFuture(e)
                        : partitions.acknowledgeAndWake(data.groupId(), data.memberId(), tip,
                                ((io.strand.broker.replica.Partition) leader).leaderEpoch(), batches);
                written.add(acknowledged.thenAccept(error -> partition.setErrorCode(error.code())));
            }
        }
        written.add(data.shareSessionEpoch() == -1
                ? partitions.releaseClosed(data.groupId(), data.memberId(), use.released(),
                        () -> sessions.hasSessions(data.groupId()))
                : partitions.releaseAll(data.groupId(), data.memberId(), use.released()));
        // Answered once the acknowledgements (and a closing session's releases) are written.
        return CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).thenApply(v -> {
            ShareAcknowledgeResponseData response = new ShareAcknowledgeResponseData()
                    .setAcquisitionLockTimeoutMs(lockMs);
            topics.values().forEach(response.responses()::add);
            return ShareLeaderHints.fill(response, replicaManager, image.get(), context.listenerName());
        });
    }

    /** A refused request: Kafka's error response, with no acquisition lock timeout (0). */
    private static CompletableFuture<ShareAcknowledgeResponseData> error(Errors error, String message) {
        return CompletableFuture.completedFuture(new ShareAcknowledgeResponseData().setErrorCode(error.code())
                .setErrorMessage(message != null ? message : error.message()));
    }
}
