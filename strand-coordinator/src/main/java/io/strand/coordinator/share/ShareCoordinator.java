package io.strand.coordinator.share;

import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
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
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * Kafka's share coordinator (KIP-932) on the {@link CoordinatorRuntime}: the durable state of
 * share-partitions (start offset, in-flight batches with delivery state and count) in
 * {@code __share_group_state}, one {@link ShareCoordinatorShard} per partition of it led here. A
 * share-partition's state lives in partition {@code abs(hash("groupId:topicId:partition")) % partitions}
 * ({@link #partitionFor}).
 *
 * <p>The five share-state APIs (InitializeShareGroupState, ReadShareGroupState, WriteShareGroupState,
 * DeleteShareGroupState, ReadShareGroupStateSummary) take a group and any partitions; each partition is
 * its own operation on its shard, answered once its record is committed. As Kafka's share coordinator
 * answers them: a request without a group id or without topics, or (but for InitializeShareGroupState) with a
 * topic naming no partitions, gets an empty answer; the answers are gathered in a hash map by topic id and
 * partition, so a partition named twice is answered once (its last operation's answer) and topics and
 * partitions come in that map's order ({@link #gather}). A partition whose shard is not here answers
 * NOT_COORDINATOR, one loading COORDINATOR_LOAD_IN_PROGRESS.
 *
 * <p>Thread-safe: every method only schedules work on the runtime.
 */
public final class ShareCoordinator implements AutoCloseable {

    /** How often the shards tick; they have no timeouts, so rarely. */
    static final long TICK_MS = 1_000;

    private final ShareCoordinatorConfig config;
    private final CoordinatorRuntime<ShareCoordinatorShard, ShareStateRecord> runtime;

    /**
     * @param partitionExists whether the current metadata has a topic id's partition
     */
    public ShareCoordinator(ShareCoordinatorConfig config, int threads, ShareStateLog log, Time time,
                            BiPredicate<Uuid, Integer> partitionExists) {
        this.config = config;
        this.runtime = new CoordinatorRuntime<>("share-coordinator", threads, TICK_MS, time,
                new ShareStateRecordLog(log, time), partition -> new ShareCoordinatorShard(config, time, partitionExists));
    }

    /** The {@code __share_group_state} partition of {@code key}: {@code abs(hash(coordinator key)) % partitions}. */
    public int partitionFor(ShareStateKey key) {
        return partitionFor(key.coordinatorKey());
    }

    /** As {@link #partitionFor(ShareStateKey)}, from the coordinator key ({@code groupId:topicId:partition}). */
    public int partitionFor(String coordinatorKey) {
        return Utils.abs(coordinatorKey.hashCode()) % config.stateTopicPartitions();
    }

    /** See {@link CoordinatorRuntime#onLeadership(Map)}: partition to leader epoch. */
    public void onLeadership(Map<Integer, Integer> ledPartitionEpochs) {
        runtime.onLeadership(ledPartitionEpochs);
    }

    public CompletableFuture<InitializeShareGroupStateResponseData> initialize(
            InitializeShareGroupStateRequestData request) {
        if (isEmpty(request.groupId()) || request.topics().isEmpty()) {
            return CompletableFuture.completedFuture(new InitializeShareGroupStateResponseData());
        }
        List<PartitionCall<InitializeShareGroupStateResponseData.PartitionResult>> calls = new ArrayList<>();
        for (InitializeShareGroupStateRequestData.InitializeStateData topic : request.topics()) {
            for (InitializeShareGroupStateRequestData.PartitionData p : topic.partitions()) {
                ShareStateKey key = key(request.groupId(), topic.topicId(), p.partition());
                calls.add(call(topic.topicId(), p.partition(), key, "initialize-share-group-state",
                        shard -> shard.initialize(key, p.stateEpoch(), p.startOffset()),
                        outcome -> new InitializeShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(outcome.error().code())
                                .setErrorMessage(outcome.message()),
                        (error, message) -> new InitializeShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message)));
            }
        }
        return gather(calls).thenApply(byTopic -> {
            InitializeShareGroupStateResponseData response = new InitializeShareGroupStateResponseData();
            byTopic.forEach((topicId, partitions) -> response.results().add(
                    new InitializeShareGroupStateResponseData.InitializeStateResult().setTopicId(topicId)
                            .setPartitions(partitions)));
            return response;
        });
    }

    public CompletableFuture<ReadShareGroupStateResponseData> read(ReadShareGroupStateRequestData request) {
        if (isEmpty(request.groupId()) || request.topics().isEmpty()
                || request.topics().stream().anyMatch(t -> t.partitions().isEmpty())) {
            return CompletableFuture.completedFuture(new ReadShareGroupStateResponseData());
        }
        List<PartitionCall<ReadShareGroupStateResponseData.PartitionResult>> calls = new ArrayList<>();
        for (ReadShareGroupStateRequestData.ReadStateData topic : request.topics()) {
            for (ReadShareGroupStateRequestData.PartitionData p : topic.partitions()) {
                ShareStateKey key = key(request.groupId(), topic.topicId(), p.partition());
                calls.add(call(topic.topicId(), p.partition(), key, "read-share-group-state",
                        shard -> shard.read(key, p.leaderEpoch()),
                        read -> {
                            ReadShareGroupStateResponseData.PartitionResult result =
                                    new ReadShareGroupStateResponseData.PartitionResult().setPartition(p.partition())
                                            .setErrorCode(read.outcome().error().code())
                                            .setErrorMessage(read.outcome().message());
                            if (read.state() != null) {
                                result.setStateEpoch(read.state().stateEpoch())
                                        .setStartOffset(read.state().startOffset());
                                for (StateBatch b : read.state().stateBatches()) {
                                    result.stateBatches().add(new ReadShareGroupStateResponseData.StateBatch()
                                            .setFirstOffset(b.firstOffset()).setLastOffset(b.lastOffset())
                                            .setDeliveryState(b.deliveryState()).setDeliveryCount(b.deliveryCount()));
                                }
                            }
                            return result;
                        },
                        (error, message) -> new ReadShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message)));
            }
        }
        return gather(calls).thenApply(byTopic -> {
            ReadShareGroupStateResponseData response = new ReadShareGroupStateResponseData();
            byTopic.forEach((topicId, partitions) -> response.results().add(
                    new ReadShareGroupStateResponseData.ReadStateResult().setTopicId(topicId)
                            .setPartitions(partitions)));
            return response;
        });
    }

    public CompletableFuture<WriteShareGroupStateResponseData> write(WriteShareGroupStateRequestData request) {
        if (isEmpty(request.groupId()) || request.topics().isEmpty()
                || request.topics().stream().anyMatch(t -> t.partitions().isEmpty())) {
            return CompletableFuture.completedFuture(new WriteShareGroupStateResponseData());
        }
        List<PartitionCall<WriteShareGroupStateResponseData.PartitionResult>> calls = new ArrayList<>();
        for (WriteShareGroupStateRequestData.WriteStateData topic : request.topics()) {
            for (WriteShareGroupStateRequestData.PartitionData p : topic.partitions()) {
                ShareStateKey key = key(request.groupId(), topic.topicId(), p.partition());
                List<StateBatch> batches = new ArrayList<>();
                for (WriteShareGroupStateRequestData.StateBatch b : p.stateBatches()) {
                    if (b.lastOffset() < b.firstOffset()) {
                        batches = null;
                        break;
                    }
                    batches.add(new StateBatch(b.firstOffset(), b.lastOffset(), b.deliveryState(), b.deliveryCount()));
                }
                List<StateBatch> written = batches;
                calls.add(call(topic.topicId(), p.partition(), key, "write-share-group-state",
                        shard -> written == null
                                ? CoordinatorResult.<ShareCoordinatorShard.Outcome, ShareStateRecord>response(
                                        new ShareCoordinatorShard.Outcome(Errors.INVALID_REQUEST,
                                        "A state batch's last offset is before its first offset."))
                                : shard.write(key, p.stateEpoch(), p.leaderEpoch(), p.startOffset(),
                                        p.deliveryCompleteCount(), written),
                        outcome -> new WriteShareGroupStateResponseData.PartitionResult().setPartition(p.partition())
                                .setErrorCode(outcome.error().code()).setErrorMessage(outcome.message()),
                        (error, message) -> new WriteShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message)));
            }
        }
        return gather(calls).thenApply(byTopic -> {
            WriteShareGroupStateResponseData response = new WriteShareGroupStateResponseData();
            byTopic.forEach((topicId, partitions) -> response.results().add(
                    new WriteShareGroupStateResponseData.WriteStateResult().setTopicId(topicId)
                            .setPartitions(partitions)));
            return response;
        });
    }

    public CompletableFuture<DeleteShareGroupStateResponseData> delete(DeleteShareGroupStateRequestData request) {
        if (isEmpty(request.groupId()) || request.topics().isEmpty()
                || request.topics().stream().anyMatch(t -> t.partitions().isEmpty())) {
            return CompletableFuture.completedFuture(new DeleteShareGroupStateResponseData());
        }
        List<PartitionCall<DeleteShareGroupStateResponseData.PartitionResult>> calls = new ArrayList<>();
        for (DeleteShareGroupStateRequestData.DeleteStateData topic : request.topics()) {
            for (DeleteShareGroupStateRequestData.PartitionData p : topic.partitions()) {
                ShareStateKey key = key(request.groupId(), topic.topicId(), p.partition());
                calls.add(call(topic.topicId(), p.partition(), key, "delete-share-group-state", shard -> shard.delete(key),
                        outcome -> new DeleteShareGroupStateResponseData.PartitionResult().setPartition(p.partition())
                                .setErrorCode(outcome.error().code()).setErrorMessage(outcome.message()),
                        (error, message) -> new DeleteShareGroupStateResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message)));
            }
        }
        return gather(calls).thenApply(byTopic -> {
            DeleteShareGroupStateResponseData response = new DeleteShareGroupStateResponseData();
            byTopic.forEach((topicId, partitions) -> response.results().add(
                    new DeleteShareGroupStateResponseData.DeleteStateResult().setTopicId(topicId)
                            .setPartitions(partitions)));
            return response;
        });
    }

    /** A partition never initialized answers start offset -1, state and leader epochs 0, as Kafka. */
    public CompletableFuture<ReadShareGroupStateSummaryResponseData> readSummary(
            ReadShareGroupStateSummaryRequestData request) {
        if (isEmpty(request.groupId()) || request.topics().isEmpty()
                || request.topics().stream().anyMatch(t -> t.partitions().isEmpty())) {
            return CompletableFuture.completedFuture(new ReadShareGroupStateSummaryResponseData());
        }
        List<PartitionCall<ReadShareGroupStateSummaryResponseData.PartitionResult>> calls = new ArrayList<>();
        for (ReadShareGroupStateSummaryRequestData.ReadStateSummaryData topic : request.topics()) {
            for (ReadShareGroupStateSummaryRequestData.PartitionData p : topic.partitions()) {
                ShareStateKey key = key(request.groupId(), topic.topicId(), p.partition());
                calls.add(call(topic.topicId(), p.partition(), key, "read-share-group-state-summary", shard -> shard.readSummary(key),
                        read -> {
                            ReadShareGroupStateSummaryResponseData.PartitionResult result =
                                    new ReadShareGroupStateSummaryResponseData.PartitionResult()
                                            .setPartition(p.partition()).setErrorCode(read.outcome().error().code())
                                            .setErrorMessage(read.outcome().message());
                            ShareState state = read.state();
                            if (read.outcome().error() == Errors.NONE) {
                                result.setStartOffset(state == null ? -1 : state.startOffset())
                                        .setDeliveryCompleteCount(state == null ? -1 : state.deliveryCompleteCount())
                                        .setLeaderEpoch(state == null ? 0 : state.leaderEpoch())
                                        .setStateEpoch(state == null ? 0 : state.stateEpoch());
                            }
                            return result;
                        },
                        (error, message) -> new ReadShareGroupStateSummaryResponseData.PartitionResult()
                                .setPartition(p.partition()).setErrorCode(error.code()).setErrorMessage(message)));
            }
        }
        return gather(calls).thenApply(byTopic -> {
            ReadShareGroupStateSummaryResponseData response = new ReadShareGroupStateSummaryResponseData();
            byTopic.forEach((topicId, partitions) -> response.results().add(
                    new ReadShareGroupStateSummaryResponseData.ReadStateSummaryResult().setTopicId(topicId)
                            .setPartitions(partitions)));
            return response;
        });
    }

    /** One partition's operation and how its answer (or failure) becomes its result. */
    private record PartitionCall<P>(Uuid topicId, int partition, CompletableFuture<P> result) {
    }

    private <O, P> PartitionCall<P> call(Uuid topicId, int partition, ShareStateKey key, String opName,
                                         Function<ShareCoordinatorShard, CoordinatorResult<O, ShareStateRecord>> op,
                                         Function<O, P> answer, BiFunction<Errors, String, P> error) {
        if (key == null) {
            return new PartitionCall<>(topicId, partition, CompletableFuture.completedFuture(
                    error.apply(Errors.INVALID_REQUEST, "The group id and topic id must be set.")));
        }
        CompletableFuture<P> result = runtime.scheduleWriteOperation(partitionFor(key), opName, op)
                .handle((outcome, failure) -> {
                    if (failure == null) {
                        return answer.apply(outcome);
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    Errors e = Errors.forException(cause);
                    return error.apply(e, e == Errors.UNKNOWN_SERVER_ERROR ? cause.toString() : e.message());
                });
        return new PartitionCall<>(topicId, partition, result);
    }

    /**
     * The results grouped by topic once every partition has answered, as Kafka's share coordinator gathers
     * them: in a {@link HashMap} of topic id to a {@link HashMap} of partition to answer, filled in request
     * order, so the answer's order is those maps' iteration order and a partition named twice keeps the last
     * answer (its earlier operations still ran).
     */
    private static <P> CompletableFuture<Map<Uuid, List<P>>> gather(List<PartitionCall<P>> calls) {
        Map<Uuid, Map<Integer, CompletableFuture<P>>> byTopic = new HashMap<>();
        for (PartitionCall<P> call : calls) {
            Uuid topicId = call.topicId() == null ? Uuid.ZERO_UUID : call.topicId();
            byTopic.computeIfAbsent(topicId, id -> new HashMap<>()).put(call.partition(), call.result());
        }
        return CompletableFuture.allOf(calls.stream().map(PartitionCall::result).toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    Map<Uuid, List<P>> answers = new LinkedHashMap<>();
                    byTopic.forEach((topicId, partitions) -> {
                        List<P> results = new ArrayList<>(partitions.size());
                        partitions.values().forEach(result -> results.add(result.join()));
                        answers.put(topicId, results);
                    });
                    return answers;
                });
    }

    private static boolean isEmpty(String groupId) {
        return groupId == null || groupId.isEmpty();
    }

    private static ShareStateKey key(String groupId, Uuid topicId, int partition) {
        if (groupId == null || groupId.isEmpty() || topicId == null) {
            return null;
        }
        return new ShareStateKey(groupId, topicId, partition);
    }

    /** Unloads every shard and ends the threads. */
    @Override
    public void close() {
        runtime.close();
    }
}
