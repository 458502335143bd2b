package io.strand.broker.api.share;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ConnectionScope;
import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.DelayedFetch;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.share.ShareMemberIds;
import io.strand.broker.share.SharePartition;
import io.strand.broker.share.SharePartitionManager;
import io.strand.broker.share.ShareSessionCache;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData.PartitionData;
import org.apache.kafka.common.message.ShareFetchResponseData.ShareFetchableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ShareFetchRequest;

/**
 * ShareFetch (v1–2, KIP-932): a share group member's fetch through its share session. First the
 * piggy-backed acknowledgements are applied (each partition's outcome in {@code acknowledge_error_code}),
 * then records are acquired from the session's partitions this broker leads, at most
 * {@code max_records} in all and {@code max_bytes}; whole batches are returned and the client delivers
 * only the acquired offsets. With nothing acquired the request waits up to {@code max_wait_ms} for an
 * append to one of the partitions (records released or timed out meanwhile are found by the next fetch).
 * A full request (epoch 0) answers every session partition; an incremental one only those with records,
 * acknowledgements or an error. Epoch -1 acknowledges, fetches nothing and closes the session, releasing
 * what the member still holds; so does the close of the connection that opened the session. The
 * acknowledgements and releases are written to the share-group state before the fetch goes on (on the
 * connection's event loop when the write completes later); a failed write is that partition's
 * {@code acknowledge_error_code}.
 *
 * <p>Refused as a whole, in Kafka's order, with no acquisition lock timeout in the answer: a null group id (an
 * empty one is a group like any other), a member id that is not 1 to 36 characters ({@link ShareMemberIds}),
 * a v2 renewal ({@code is_renew_ack}) with any of {@code max_bytes}, {@code min_bytes}, {@code max_records},
 * {@code max_wait_ms} other than 0 (INVALID_REQUEST each), then the session's errors.
 *
 * <p>Records are acquired as Kafka's acquire modes do: v1 and v2's "batch optimized" mode take records new to
 * the group by whole log batches, {@code max_records} a soft limit, answered in ranges of about {@code batch_size}
 * ({@link io.strand.broker.share.SharePartition.Batching}); v2's "record limit" mode stops at {@code max_records},
 * the rest of that log batch put in flight, available;
 * RENEW acknowledgements extend the lock; a renewal fetches nothing. A partition answered NOT_LEADER_OR_FOLLOWER
 * or FENCED_LEADER_EPOCH carries its current leader, listed in {@code node_endpoints} ({@link ShareLeaderHints}).
 */
public final class ShareFetchHandler implements ApiHandler<ShareFetchRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 2;
    /** v2's {@code share_acquire_mode} that takes exactly {@code max_records} (0 is batch-optimized). */
    private static final byte RECORD_LIMIT_MODE = 1;

    private final ReplicaManager replicaManager;
    private final Supplier<MetadataImage> image;
    private final SharePartitionManager partitions;
    private final ShareSessionCache sessions;
    private final FetchPurgatory purgatory;

    public ShareFetchHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image,
                             SharePartitionManager partitions, ShareSessionCache sessions, FetchPurgatory purgatory) {
        this.replicaManager = replicaManager;
        this.image = image;
        this.partitions = partitions;
        this.sessions = sessions;
        this.purgatory = purgatory;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SHARE_FETCH;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ShareFetchResponseData> handle(RequestContext context, ShareFetchRequest request) {
        return serve(context, request).thenApply(response ->
                ShareLeaderHints.fill(response, replicaManager, image.get(), context.listenerName()));
    }

    private CompletableFuture<ShareFetchResponseData> serve(RequestContext context, ShareFetchRequest request) {
        ShareFetchRequestData data = request.data();
        // Kafka's order: the group id present (empty is a group like any other), the member id, a renewal's limits.
        if (data.groupId() == null) {
            return error(Errors.INVALID_REQUEST, "Invalid group id in the request.");
        }
        if (!ShareMemberIds.isValid(data.memberId())) {
            return error(Errors.INVALID_REQUEST, "Invalid member id in the request.");
        }
        boolean renewAck = context.apiVersion() >= 2 && data.isRenewAck();
        if (renewAck && (data.maxBytes() != 0 || data.minBytes() != 0 || data.maxRecords() != 0
                || data.maxWaitMs() != 0)) {
            return error(Errors.INVALID_REQUEST, "maxBytes, minBytes, maxRecords and maxWaitMs must be set to 0 if "
                    + "isRenewAck is true.");
        }
        int lockMs = data.groupId().isEmpty() ? partitions.config().recordLockDurationMs()
                : partitions.recordLockDurationMs(data.groupId());
        MetadataImage current = image.get();
        Set<TopicIdPartition> added = new HashSet<>();
        Map<TopicIdPartition, List<SharePartition.Acknowledgement>> acks = new LinkedHashMap<>();
        for (ShareFetchRequestData.FetchTopic topic : data.topics()) {
            for (ShareFetchRequestData.FetchPartition p : topic.partitions()) {
                TopicIdPartition tip = ShareAcks.resolve(current, topic.topicId(), p.partitionIndex());
                added.add(tip);
                if (!p.acknowledgementBatches().isEmpty()) {
                    List<SharePartition.Acknowledgement> batches = new ArrayList<>();
                    for (ShareFetchRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
                        batches.add(new SharePartition.Acknowledgement(b.firstOffset(), b.lastOffset(),
                                b.acknowledgeTypes()));
                    }
                    acks.put(tip, batches);
                }
            }
        }
        Set<TopicIdPartition> forgotten = new HashSet<>();
        for (ShareFetchRequestData.ForgottenTopic topic : data.forgottenTopicsData()) {
            for (int partition : topic.partitions()) {
                forgotten.add(ShareAcks.resolve(current, topic.topicId(), partition));
            }
        }
        int epoch = data.shareSessionEpoch();
        if (epoch == 0 && !acks.isEmpty()) {
            return error(Errors.INVALID_REQUEST, null); // a new session holds nothing to acknowledge
        }
        ShareSessionCache.Use use = sessions.use(data.groupId(), data.memberId(), epoch, added, forgotten);
        if (use.error() != Errors.NONE) {
            return error(use.error(), null);
        }
        Map<TopicIdPartition, PartitionData> answers = new LinkedHashMap<>();
        List<CompletableFuture<Void>> acknowledged = new ArrayList<>();
        acks.forEach((tip, batches) -> {
            PartitionData answer = partitionData(tip);
            answers.put(tip, answer);
            acknowledged.add(acknowledge(data.groupId(), data.memberId(), tip, batches, context.apiVersion(), renewAck)
                    .thenAccept(error -> answer.setAcknowledgeErrorCode(error.code())));
        });
        acknowledged.add(epoch == -1
                ? partitions.releaseClosed(data.groupId(), data.memberId(), use.released(),
                        () -> sessions.hasSessions(data.groupId()))
                : partitions.releaseAll(data.groupId(), data.memberId(), use.released()));
        if (epoch == 0) {
            // The session lives as long as its connection: a consumer gone releases its records at once.
            String groupId = data.groupId();
            String memberId = data.memberId();
            Object session = use.session();
            context.connection().onClose(() ->
                    partitions.releaseClosed(groupId, memberId, sessions.closeIfCurrent(groupId, memberId, session),
                            () -> sessions.hasSessions(groupId)));
        }
        // Acknowledgements and releases are written before the fetch goes on (and before a closing one answers).
        CompletableFuture<Void> written = CompletableFuture.allOf(acknowledged.toArray(CompletableFuture[]::new));
        if (written.isDone()) {
            return fetch(context, data, renewAck, use, answers, lockMs);
        }
        return written.thenComposeAsync(v -> fetch(context, data, renewAck, use, answers, lockMs), context.eventLoop());
    }

    /**
     * After the acknowledgements: acquires, or waits for records to acquire, and answers; a closing request and a
     * renewal (v2's {@code is_renew_ack}) fetch nothing.
     */
    private CompletableFuture<ShareFetchResponseData> fetch(RequestContext context, ShareFetchRequestData data,
                                                            boolean renewAck, ShareSessionCache.Use use,
                                                            Map<TopicIdPartition, PartitionData> answers, int lockMs) {
        if (data.shareSessionEpoch() == -1 || renewAck) {
            return CompletableFuture.completedFuture(respond(answers, lockMs));
        }
        Reader reader = new Reader(data, use, answers,
                context.apiVersion() >= 2 && data.shareAcquireMode() == RECORD_LIMIT_MODE);
        boolean acquired = reader.read();
        if (acquired || data.maxWaitMs() <= 0 || use.partitions().isEmpty()) {
            return CompletableFuture.completedFuture(respond(reader.answers(), lockMs));
        }
        CompletableFuture<ShareFetchResponseData> response = new CompletableFuture<>();
        List<TopicPartition> watched = use.partitions().stream().filter(tip -> tip.topic() != null)
                .map(TopicIdPartition::topicPartition).toList();
        DelayedFetch delayed = new DelayedFetch(context.eventLoop(), purgatory, watched,
                () -> {
                    if (reader.read()) {
                        response.complete(respond(reader.answers(), lockMs));
                        return true;
                    }
                    return false;
                },
                () -> response.complete(respond(reader.answers(), lockMs)));
        context.eventLoop().execute(() -> delayed.start(data.maxWaitMs(), response));
        ConnectionScope.Registration released = context.connection().onClose(delayed::completeNow);
        response.whenComplete((r, e) -> released.remove());
        return response;
    }

    private CompletableFuture<Errors> acknowledge(String groupId, String memberId, TopicIdPartition tip,
                                                  List<SharePartition.Acknowledgement> batches, short version,
                                                  boolean renewAck) {
        Errors invalid = tip.topic() == null ? Errors.UNKNOWN_TOPIC_ID
                : ShareAcks.checkBatches(batches, version, renewAck);
        if (invalid != Errors.NONE) {
            return CompletableFuture.completedFuture(invalid);
        }
        Object leader = ShareAcks.leaderOrError(replicaManager, tip);
        if (leader instanceof Errors error) {
            return CompletableFuture.completedFuture(error);
        }
        return partitions.acknowledgeAndWake(groupId, memberId, tip, ((Partition) leader).leaderEpoch(), batches);
    }

    /** One request's reads: the first, and those of its wait; the answers so far accumulate. */
    private final class Reader {
        private final ShareFetchRequestData data;
        private final ShareSessionCache.Use use;
        private final Map<TopicIdPartition, PartitionData> answers;
        private final boolean recordLimit;
        private boolean errorsAnswered;

        Reader(ShareFetchRequestData data, ShareSessionCache.Use use, Map<TopicIdPartition, PartitionData> answers,
               boolean recordLimit) {
            this.data = data;
            this.recordLimit = recordLimit;
            this.use = use;
            this.answers = answers;
        }

        /** Acquires from every session partition; true if anything was acquired or an error is to be answered. */
        boolean read() {
            // Kafka's batch-optimized mode (v1, and v2's mode 0) takes whole log batches; record-limit mode (v2's 1)
            // exactly max_records.
            int batchSize = recordLimit ? -1 : Math.max(0, data.batchSize());
            int remainingRecords = data.maxRecords() > 0 ? data.maxRecords() : Integer.MAX_VALUE;
            int remainingBytes = data.maxBytes();
            boolean answerNow = false;
            for (TopicIdPartition tip : use.partitions()) {
                if (remainingRecords <= 0 || remainingBytes <= 0) {
                    break;
                }
                Object leader = ShareAcks.leaderOrError(replicaManager, tip);
                if (leader instanceof Errors error) {
                    if (!errorsAnswered) {
                        // a NOT_LEADER_OR_FOLLOWER gets its leader hint when the response is complete
                        answers.computeIfAbsent(tip, ShareFetchHandler::partitionData).setErrorCode(error.code());
                        answerNow = true;
                    }
                    continue;
                }
                try {
                    SharePartitionManager.Acquired acquired = partitions.fetch(data.groupId(), data.memberId(), tip,
                            (Partition) leader, remainingBytes, remainingRecords, batchSize);
                    if (acquired.acquired().isEmpty()) {
                        continue;
                    }
                    PartitionData answer = answers.computeIfAbsent(tip, ShareFetchHandler::partitionData);
                    answer.setRecords(acquired.records());
                    answer.acquiredRecords().addAll(acquired.acquired());
                    for (var range : acquired.acquired()) {
                        remainingRecords -= (int) (range.lastOffset() - range.firstOffset() + 1);
                    }
                    remainingBytes -= acquired.records().sizeInBytes();
                    answerNow = true;
                } catch (ApiException e) {
                    answers.computeIfAbsent(tip, ShareFetchHandler::partitionData)
                            .setErrorCode(Errors.forException(e).code());
                    answerNow = true;
                }
            }
            errorsAnswered |= answerNow;
            return answerNow;
        }

        /** The answers, with every session partition listed for a full request. */
        Map<TopicIdPartition, PartitionData> answers() {
            if (use.full()) {
                for (TopicIdPartition tip : use.partitions()) {
                    answers.computeIfAbsent(tip, ShareFetchHandler::partitionData);
                }
            }
            return answers;
        }
    }

    static PartitionData partitionData(TopicIdPartition tip) {
        // The current leader stays at its defaults (0, 0) unless a hint is due (ShareLeaderHints), as in Kafka.
        return new PartitionData().setPartitionIndex(tip.partition()).setRecords(MemoryRecords.EMPTY);
    }

    private static ShareFetchResponseData respond(Map<TopicIdPartition, PartitionData> answers, int lockMs) {
        ShareFetchResponseData response = new ShareFetchResponseData().setAcquisitionLockTimeoutMs(lockMs);
        Map<Uuid, ShareFetchableTopicResponse> topics = new LinkedHashMap<>();
        answers.forEach((tip, data) -> topics.computeIfAbsent(tip.topicId(),
                id -> new ShareFetchableTopicResponse().setTopicId(id)).partitions().add(data));
        topics.values().forEach(response.responses()::add);
        return response;
    }

    /** A refused request: Kafka's error response, with no acquisition lock timeout (0). */
    private static CompletableFuture<ShareFetchResponseData> error(Errors error, String message) {
        return CompletableFuture.completedFuture(new ShareFetchResponseData().setErrorCode(error.code())
                .setErrorMessage(message != null ? message : error.message()));
    }
}
