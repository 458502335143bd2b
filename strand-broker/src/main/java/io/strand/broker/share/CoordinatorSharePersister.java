package io.strand.broker.share;

import io.strand.broker.txn.BrokerRequestSender;
import io.strand.coordinator.share.ShareCoordinator;
import io.strand.coordinator.share.ShareStateKey;
import io.strand.coordinator.share.StateBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.DeleteShareGroupStateResponseData;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * The {@link SharePersister} of a broker: the share coordinator of the share-partition's
 * {@code __share_group_state} partition, called directly when this broker leads that partition, else
 * sent the share-state request (ReadShareGroupState, InitializeShareGroupState, WriteShareGroupState,
 * DeleteShareGroupState, ReadShareGroupStateSummary: the highest version both serve)
 * over the inter-broker connections to the leader the latest metadata image names, one request in flight
 * per broker, so the writes of one share-partition arrive in the order they were made. The state topic is
 * created on first need.
 *
 * <p>Reads, summaries, initializations and deletions, which a later call does not overtake, are tried again every
 * {@value #RETRY_BACKOFF_MS} ms for up to {@value #RETRY_TIMEOUT_MS} ms while the coordinator is not
 * available (the topic being created, its shard loading, leadership moving). Writes are not: a retried
 * write could land after a later one and undo it, so a write fails at once and its acknowledgement with it.
 *
 * <p>Thread-safe; {@link #close} ends the retry thread.
 */
public final class CoordinatorSharePersister implements SharePersister, AutoCloseable {

    static final long RETRY_BACKOFF_MS = 100;
    static final long RETRY_TIMEOUT_MS = 10_000;

    private final ShareCoordinatorService service;
    private final BrokerRequestSender sender;
    private final Time time;
    private final ScheduledExecutorService retries;

    public CoordinatorSharePersister(ShareCoordinatorService service, BrokerRequestSender sender, Time time) {
        this.service = service;
        this.sender = sender;
        this.time = time;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "strand-share-persister-" + service.nodeId());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public CompletableFuture<PersistedState> read(String groupId, TopicIdPartition tip, int leaderEpoch) {
        ReadShareGroupStateRequestData request = new ReadShareGroupStateRequestData().setGroupId(groupId);
        request.topics().add(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(tip.topicId())
                .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData()
                        .setPartition(tip.partition()).setLeaderEpoch(leaderEpoch))));
        ShareStateKey key = new ShareStateKey(groupId, tip.topicId(), tip.partition());
        CompletableFuture<ApiMessage> answered = new CompletableFuture<>();
        attempt(key, ApiKeys.READ_SHARE_GROUP_STATE, request, time.milliseconds() + RETRY_TIMEOUT_MS, answered);
        return answered.thenApply(message -> {
            ReadShareGroupStateResponseData.PartitionResult result = ((ReadShareGroupStateResponseData) message)
                    .results().get(0).partitions().get(0);
            Errors error = Errors.forCode(result.errorCode());
            if (error == Errors.INVALID_REQUEST) {
                return PersistedState.UNINITIALIZED; // Kafka 4.3's answer to a read of a state never initialized
            }
            if (error != Errors.NONE) {
                throw new CompletionException(error.exception(result.errorMessage()));
            }
            List<StateBatch> batches = new ArrayList<>();
            for (ReadShareGroupStateResponseData.StateBatch b : result.stateBatches()) {
                batches.add(new StateBatch(b.firstOffset(), b.lastOffset(), b.deliveryState(), b.deliveryCount()));
            }
            return new PersistedState(result.stateEpoch(), result.startOffset(), batches);
        });
    }

    @Override
    public CompletableFuture<Void> initialize(String groupId, TopicIdPartition tip, int stateEpoch, long startOffset) {
        InitializeShareGroupStateRequestData request = new InitializeShareGroupStateRequestData().setGroupId(groupId);
        request.topics().add(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(tip.topicId())
                .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData()
                        .setPartition(tip.partition()).setStateEpoch(stateEpoch).setStartOffset(startOffset))));
        ShareStateKey key = new ShareStateKey(groupId, tip.topicId(), tip.partition());
        CompletableFuture<ApiMessage> answered = new CompletableFuture<>();
        attempt(key, ApiKeys.INITIALIZE_SHARE_GROUP_STATE, request, time.milliseconds() + RETRY_TIMEOUT_MS, answered);
        return answered.thenAccept(message -> {
            InitializeShareGroupStateResponseData.PartitionResult result =
                    ((InitializeShareGroupStateResponseData) message).results().get(0).partitions().get(0);
            Errors error = Errors.forCode(result.errorCode());
            if (error != Errors.NONE) {
                throw new CompletionException(error.exception(result.errorMessage()));
            }
        });
    }

    @Override
    public CompletableFuture<Errors> write(String groupId, TopicIdPartition tip, int stateEpoch, int leaderEpoch,
                                           long startOffset, int deliveryCompleteCount, List<StateBatch> batches) {
        WriteShareGroupStateRequestData.PartitionData partition = new WriteShareGroupStateRequestData.PartitionData()
                .setPartition(tip.partition()).setStateEpoch(stateEpoch).setLeaderEpoch(leaderEpoch)
                .setStartOffset(startOffset).setDeliveryCompleteCount(deliveryCompleteCount);
        for (StateBatch b : batches) {
            partition.stateBatches().add(new WriteShareGroupStateRequestData.StateBatch()
                    .setFirstOffset(b.firstOffset()).setLastOffset(b.lastOffset())
                    .setDeliveryState(b.deliveryState()).setDeliveryCount(b.deliveryCount()));
        }
        WriteShareGroupStateRequestData request = new WriteShareGroupStateRequestData().setGroupId(groupId);
        request.topics().add(new WriteShareGroupStateRequestData.WriteStateData().setTopicId(tip.topicId())
                .setPartitions(List.of(partition)));
        ShareStateKey key = new ShareStateKey(groupId, tip.topicId(), tip.partition());
        CompletableFuture<ApiMessage> answered = new CompletableFuture<>();
        attempt(key, ApiKeys.WRITE_SHARE_GROUP_STATE, request, Long.MIN_VALUE, answered);
        return answered.handle((message, failure) -> failure != null ? Errors.forException(unwrap(failure))
                : firstPartitionError(ApiKeys.WRITE_SHARE_GROUP_STATE, message));
    }

    @Override
    public CompletableFuture<StateSummary> readSummary(String groupId, TopicIdPartition tip) {
        ReadShareGroupStateSummaryRequestData request = new ReadShareGroupStateSummaryRequestData().setGroupId(groupId);
        request.topics().add(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(tip.topicId())
                .setPartitions(List.of(new ReadShareGroupStateSummaryRequestData.PartitionData()
                        .setPartition(tip.partition()))));
        ShareStateKey key = new ShareStateKey(groupId, tip.topicId(), tip.partition());
        CompletableFuture<ApiMessage> answered = new CompletableFuture<>();
        attempt(key, ApiKeys.READ_SHARE_GROUP_STATE_SUMMARY, request, time.milliseconds() + RETRY_TIMEOUT_MS, answered);
        return answered.thenApply(message -> {
            ReadShareGroupStateSummaryResponseData.PartitionResult result =
                    ((ReadShareGroupStateSummaryResponseData) message).results().get(0).partitions().get(0);
            Errors error = Errors.forCode(result.errorCode());
            if (error != Errors.NONE) {
                throw new CompletionException(error.exception(result.errorMessage()));
            }
            return new StateSummary(result.stateEpoch(), result.leaderEpoch(), result.startOffset(),
                    result.deliveryCompleteCount());
        });
    }

    @Override
    public CompletableFuture<Errors> delete(String groupId, TopicIdPartition tip) {
        DeleteShareGroupStateRequestData request = new DeleteShareGroupStateRequestData().setGroupId(groupId);
        request.topics().add(new DeleteShareGroupStateRequestData.DeleteStateData().setTopicId(tip.topicId())
                .setPartitions(List.of(new DeleteShareGroupStateRequestData.PartitionData()
                        .setPartition(tip.partition()))));
        ShareStateKey key = new ShareStateKey(groupId, tip.topicId(), tip.partition());
        CompletableFuture<ApiMessage> answered = new CompletableFuture<>();
        attempt(key, ApiKeys.DELETE_SHARE_GROUP_STATE, request, time.milliseconds() + RETRY_TIMEOUT_MS, answered);
        return answered.handle((message, failure) -> failure != null ? Errors.forException(unwrap(failure))
                : firstPartitionError(ApiKeys.DELETE_SHARE_GROUP_STATE, message));
    }

    /**
     * Sends {@code request} to the coordinator of {@code key} and completes {@code answered} with its answer,
     * trying again after a back-off while the coordinator is not available and {@code deadlineMs} not passed.
     */
    private void attempt(ShareStateKey key, ApiKeys api, ApiMessage request, long deadlineMs,
                         CompletableFuture<ApiMessage> answered) {
        send(key, api, request).whenComplete((message, failure) -> {
            Errors error = failure != null ? Errors.forException(unwrap(failure)) : firstPartitionError(api, message);
            boolean retriable = error == Errors.NOT_COORDINATOR || error == Errors.COORDINATOR_NOT_AVAILABLE
                    || error == Errors.COORDINATOR_LOAD_IN_PROGRESS || error == Errors.NETWORK_EXCEPTION
                    || error == Errors.REQUEST_TIMED_OUT;
            if (retriable && time.milliseconds() < deadlineMs) {
                try {
                    retries.schedule(() -> attempt(key, api, request, deadlineMs, answered), RETRY_BACKOFF_MS,
                            TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException closed) {
                    // closing: answer what we have
                }
            }
            if (failure != null) {
                answered.completeExceptionally(unwrap(failure));
            } else {
                answered.complete(message);
            }
        });
    }

    /** One send to the coordinator's broker, or to the coordinator itself when that broker is this one. */
    private CompletableFuture<ApiMessage> send(ShareStateKey key, ApiKeys api, ApiMessage request) {
        Optional<String> notReady = service.maybeCreateStateTopic();
        if (notReady.isPresent()) {
            return CompletableFuture.failedFuture(new CoordinatorNotAvailableException(notReady.get()));
        }
        ShareCoordinator coordinator = service.coordinator();
        int leader = service.leaderOf(coordinator.partitionFor(key));
        if (leader < 0) {
            return CompletableFuture.failedFuture(new CoordinatorNotAvailableException(
                    "No leader for " + ShareCoordinatorService.STATE_TOPIC + "-" + coordinator.partitionFor(key)));
        }
        if (leader == service.nodeId()) {
            return switch (api) {
                case READ_SHARE_GROUP_STATE -> coordinator.read((ReadShareGroupStateRequestData) request)
                        .thenApply(ApiMessage.class::cast);
                case INITIALIZE_SHARE_GROUP_STATE -> coordinator.initialize(
                        (InitializeShareGroupStateRequestData) request).thenApply(ApiMessage.class::cast);
                case WRITE_SHARE_GROUP_STATE -> coordinator.write((WriteShareGroupStateRequestData) request)
                        .thenApply(ApiMessage.class::cast);
                case READ_SHARE_GROUP_STATE_SUMMARY -> coordinator.readSummary(
                        (ReadShareGroupStateSummaryRequestData) request).thenApply(ApiMessage.class::cast);
                case DELETE_SHARE_GROUP_STATE -> coordinator.delete((DeleteShareGroupStateRequestData) request)
                        .thenApply(ApiMessage.class::cast);
                default -> throw new IllegalArgumentException("Not a share-state API the persister sends: " + api);
            };
        }
        return sender.send(leader, api, (short) 0, version -> request);
    }

    private static Errors firstPartitionError(ApiKeys api, ApiMessage message) {
        try {
            return Errors.forCode(partitionErrorCode(api, message));
        } catch (RuntimeException malformed) { // no result for the partition
            return Errors.UNKNOWN_SERVER_ERROR;
        }
    }

    private static short partitionErrorCode(ApiKeys api, ApiMessage message) {
        return switch (api) {
            case READ_SHARE_GROUP_STATE -> ((ReadShareGroupStateResponseData) message).results().get(0).partitions()
                    .get(0).errorCode();
            case INITIALIZE_SHARE_GROUP_STATE -> ((InitializeShareGroupStateResponseData) message).results().get(0)
                    .partitions().get(0).errorCode();
            case READ_SHARE_GROUP_STATE_SUMMARY -> ((ReadShareGroupStateSummaryResponseData) message).results().get(0)
                    .partitions().get(0).errorCode();
            case DELETE_SHARE_GROUP_STATE -> ((DeleteShareGroupStateResponseData) message).results().get(0)
                    .partitions().get(0).errorCode();
            default -> ((WriteShareGroupStateResponseData) message).results().get(0).partitions().get(0).errorCode();
        };
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
