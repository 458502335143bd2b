package io.strand.coordinator.txn;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorRuntime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator of one broker (KIP-98, with KIP-360, KIP-664 and KIP-890): the
 * public face of the {@link TransactionShard}s, one per {@code __transaction_state} partition this
 * broker leads, run by a {@link CoordinatorRuntime} on {@code threads} threads (named
 * {@code strand-transaction-coordinator-<i>}). A transactional id belongs to partition
 * {@code abs(transactionalId.hashCode()) % transaction.state.log.num.partitions}, as in Kafka.
 *
 * <h2>What the broker supplies</h2>
 * <ul>
 *   <li>{@link TransactionStateLog}: appends to and reads {@code __transaction_state} partitions;</li>
 *   <li>{@link ProducerIdSource}: new producer ids;</li>
 *   <li>{@link FinalizedTransactionVersion}: the cluster's {@code transaction.version};</li>
 *   <li>{@link TransactionMarkerChannel}: writes commit/abort markers to partition leaders;</li>
 *   <li>the {@code __consumer_offsets} partition of a group id (AddOffsetsToTxn), the group
 *       coordinator's {@code partitionFor}.</li>
 * </ul>
 * and calls {@link #onLeadership} on every metadata change that may move leadership of
 * {@code __transaction_state}, and {@link #close} at shutdown.
 *
 * <h2>Answers</h2>
 * Thread-safe: every method only enqueues work for the id's shard and returns a future, completed
 * once the records the answer depends on are committed. For an id whose partition is not loaded
 * here the answer is NOT_COORDINATOR; while it loads COORDINATOR_LOAD_IN_PROGRESS; when the append
 * fails, the append's error as a coordinator error (NOT_LEADER_OR_FOLLOWER becomes NOT_COORDINATOR,
 * NOT_ENOUGH_REPLICAS COORDINATOR_NOT_AVAILABLE, …, see {@link TransactionErrors}). The futures never
 * complete exceptionally. PRODUCER_FENCED is answered as is; the broker turns it into
 * INVALID_PRODUCER_EPOCH for old request versions ({@link TransactionErrors#forClient}).
 */
public final class TransactionCoordinator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinator.class);
    /** How often the shards' clean-ups are checked (each runs at its own configured interval). */
    static final long TICK_MS = 100;
    /**
     * How long an AddPartitionsToTxn or AddOffsetsToTxn that finds its transaction's markers still
     * being written waits for them before it is answered CONCURRENT_TRANSACTIONS (which the client
     * retries after its backoff). Well under a client's {@code request.timeout.ms} (30 s by default).
     */
    static final long CONCURRENT_TRANSACTIONS_HOLD_MS = 500;

    private final TransactionCoordinatorConfig config;
    private final ProducerIdSource producerIds;
    private final ToIntFunction<String> offsetsPartitionForGroup;
    private final CoordinatorRuntime<TransactionShard, TransactionRecord> runtime;

    /**
     * Starts the coordinator's threads; no partition is served until {@link #onLeadership}.
     *
     * @param threads                  threads the shards share (each shard always on the same one)
     * @param offsetsPartitionForGroup the {@code __consumer_offsets} partition of a group id
     */
    public TransactionCoordinator(TransactionCoordinatorConfig config, int threads, TransactionStateLog log,
                                  Time time, ProducerIdSource producerIds,
                                  FinalizedTransactionVersion transactionVersion,
                                  TransactionMarkerChannel markerChannel,
                                  ToIntFunction<String> offsetsPartitionForGroup) {
        this.config = config;
        this.producerIds = producerIds;
        this.offsetsPartitionForGroup = offsetsPartitionForGroup;
        TxnShardContext.ShardScheduler scheduler = this::scheduleFollowUp;
        this.runtime = new CoordinatorRuntime<>("transaction-coordinator", threads, TICK_MS, time,
                new TransactionStateRecordLog(log, time, transactionVersion),
                (partition, leaderEpoch) -> new TransactionShard(new TxnShardContext(partition, leaderEpoch, config,
                        time, producerIds, transactionVersion, markerChannel, scheduler)));
    }

    public TransactionCoordinatorConfig config() {
        return config;
    }

    /** The {@code __transaction_state} partition of {@code transactionalId}. */
    public int partitionFor(String transactionalId) {
        return Utils.abs(transactionalId.hashCode()) % config.stateLogPartitions();
    }

    /**
     * Brings the loaded shards in line with the {@code __transaction_state} partitions this broker now
     * leads, partition to leader epoch (the leader epoch is the coordinator epoch of the markers): a
     * partition newly led, or led at a newer epoch, is loaded from its log (COORDINATOR_LOAD_IN_PROGRESS
     * meanwhile) and then completes the transactions it finds in PrepareCommit/PrepareAbort; one no
     * longer led is unloaded (NOT_COORDINATOR); an older epoch than the shard's changes nothing. Only
     * enqueues work: safe on the metadata publisher's thread.
     */
    public void onLeadership(Map<Integer, Integer> ledPartitionEpochs) {
        runtime.onLeadership(ledPartitionEpochs);
    }

    /** As {@link #onLeadership(Map)} with every partition at leader epoch 0 (a single replica; tests). */
    public void onLeadership(Set<Integer> ledPartitions) {
        runtime.onLeadership(ledPartitions);
    }

    /** True once {@code partition}'s shard has replayed its log and serves requests. */
    public boolean isActive(int partition) {
        return runtime.isActive(partition);
    }

    /**
     * InitProducerId. A null transactional id is an idempotent producer: a new producer id at epoch 0,
     * no state kept. Otherwise see {@link InitProducerIdOp}.
     *
     * @param expectedProducerId    the producer id the client has (KIP-360), -1 if none
     * @param expectedProducerEpoch its epoch, -1 if none; one without the other is INVALID_REQUEST
     * @param enableTwoPhaseCommit  KIP-939; not supported (as Kafka with
     *                              {@code transaction.two.phase.commit.enable=false}: TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
     */
    public CompletableFuture<InitProducerIdResult> initProducerId(String transactionalId, int transactionTimeoutMs,
                                                                  long expectedProducerId,
                                                                  short expectedProducerEpoch,
                                                                  boolean enableTwoPhaseCommit) {
        if (transactionalId == null) {
            try {
                return done(InitProducerIdResult.of(producerIds.nextProducerId(), (short) 0));
            } catch (RuntimeException e) {
                if (!(e instanceof ApiException)) {
                    LOG.error("Drawing a producer id for an idempotent producer failed", e);
                }
                return done(InitProducerIdResult.error(Errors.forException(e)));
            }
        }
        if (transactionalId.isEmpty() || ((expectedProducerId == TransactionMetadata.NO_PRODUCER_ID)
                != (expectedProducerEpoch == TransactionMetadata.NO_PRODUCER_EPOCH))) {
            return done(InitProducerIdResult.error(Errors.INVALID_REQUEST));
        }
        if (enableTwoPhaseCommit) {
            return done(InitProducerIdResult.error(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        if (!config.isValidTimeout(transactionTimeoutMs)) {
            return done(InitProducerIdResult.error(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        return onShard(transactionalId, "init-producer-id",
                shard -> shard.initProducerIdOp().init(transactionalId, transactionTimeoutMs, expectedProducerId,
                        expectedProducerEpoch),
                InitProducerIdResult::error);
    }

    /**
     * AddPartitionsToTxn from a client (v0–v3), or a v4+ add from a partition leader on behalf of a
     * transactions-v2 producer; one error for all the partitions. See {@link AddPartitionsOp}. One that
     * meets the markers of the id's previous transaction still being written waits for them (up to
     * {@link #CONCURRENT_TRANSACTIONS_HOLD_MS}) and is then tried again, answering CONCURRENT_TRANSACTIONS
     * only if they are still not done.
     *
     * @param clientTransactionVersion {@link TransactionVersions#forAddPartitionsVersion} of the request
     */
    public CompletableFuture<Errors> addPartitionsToTxn(String transactionalId, long producerId, short producerEpoch,
                                                        Collection<TopicPartition> partitions,
                                                        short clientTransactionVersion) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return done(Errors.INVALID_REQUEST);
        }
        Set<TopicPartition> set = Set.copyOf(partitions);
        Function<TransactionShard, CoordinatorResult<Errors, TransactionRecord>> add =
                shard -> shard.addPartitionsOp().add(transactionalId, producerId, producerEpoch, set,
                        clientTransactionVersion);
        return onShard(transactionalId, "add-partitions-to-txn", add, error -> error).thenCompose(error ->
                error != Errors.CONCURRENT_TRANSACTIONS ? done(error)
                        : markersSettled(transactionalId).thenCompose(settled -> settled
                                ? onShard(transactionalId, "add-partitions-to-txn", add, again -> again)
                                : done(error)));
    }

    /**
     * True once the markers {@code transactionalId}'s last decision is writing are settled (its
     * Complete record applied, or the markers given up), false if that takes longer than
     * {@link #CONCURRENT_TRANSACTIONS_HOLD_MS} or the shard is gone. An add that met those markers is
     * tried once more when this is true, instead of answering CONCURRENT_TRANSACTIONS at once: the
     * next transaction's first AddPartitionsToTxn typically arrives within a millisecond of the
     * EndTxn answer, before the markers are written, and the client would wait its backoff (20 ms for
     * that first add) to retry.
     */
    private CompletableFuture<Boolean> markersSettled(String transactionalId) {
        return runtime.scheduleReadOperation(partitionFor(transactionalId), "await-markers",
                        shard -> shard.markerTracker().whenSettled(transactionalId))
                .thenCompose(settled -> settled.thenApply(ignored -> true))
                .completeOnTimeout(false, CONCURRENT_TRANSACTIONS_HOLD_MS, TimeUnit.MILLISECONDS)
                .exceptionally(failure -> false);
    }

    /**
     * AddPartitionsToTxn v4+ with {@code verifyOnly}: whether each partition is in the ongoing
     * transaction (NONE) or not (TRANSACTION_ABORTABLE), or one error for all.
     */
    public CompletableFuture<AddPartitionsToTxnResult> verifyPartitionsInTxn(String transactionalId, long producerId,
                                                                           short producerEpoch,
                                                                           Collection<TopicPartition> partitions) {
        Set<TopicPartition> set = Set.copyOf(partitions);
        Function<Errors, AddPartitionsToTxnResult> allFailed = error -> {
            Map<TopicPartition, Errors> errors = new java.util.HashMap<>();
            set.forEach(tp -> errors.put(tp, error));
            return AddPartitionsToTxnResponse.resultForTransaction(transactionalId, errors);
        };
        if (transactionalId == null || transactionalId.isEmpty()) {
            return done(allFailed.apply(Errors.INVALID_REQUEST));
        }
        return onShard(transactionalId, "verify-partitions-in-txn",
                shard -> CoordinatorResult.response(shard.addPartitionsOp().verify(transactionalId, producerId,
                        producerEpoch, set)),
                allFailed);
    }

    /** AddOffsetsToTxn: adds the {@code __consumer_offsets} partition of {@code groupId} to the transaction. */
    public CompletableFuture<Errors> addOffsetsToTxn(String transactionalId, long producerId, short producerEpoch,
                                                     String groupId) {
        TopicPartition offsetsPartition = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME,
                offsetsPartitionForGroup.applyAsInt(groupId));
        return addPartitionsToTxn(transactionalId, producerId, producerEpoch, List.of(offsetsPartition),
                TransactionVersions.TV_0);
    }

    /**
     * EndTxn: commit or abort. Answered once the decision is durable; the markers follow. See
     * {@link EndTxnOp}.
     *
     * @param clientTransactionVersion {@link TransactionVersions#forEndTxnVersion} of the request
     */
    public CompletableFuture<EndTxnResult> endTxn(String transactionalId, long producerId, short producerEpoch,
                                                  TransactionResult result, short clientTransactionVersion) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return done(EndTxnResult.of(Errors.INVALID_REQUEST));
        }
        return onShard(transactionalId, "end-txn",
                shard -> shard.endTxnOp().end(transactionalId, producerId, producerEpoch, result,
                        clientTransactionVersion),
                EndTxnResult::of);
    }

    /** DescribeTransactions for one id: its state, or TRANSACTIONAL_ID_NOT_FOUND, or a coordinator error. */
    public CompletableFuture<DescribeTransactionsResponseData.TransactionState> describeTransaction(
            String transactionalId) {
        Function<Errors, DescribeTransactionsResponseData.TransactionState> failed = error ->
                new DescribeTransactionsResponseData.TransactionState().setTransactionalId(transactionalId)
                        .setErrorCode(error.code());
        if (transactionalId == null || transactionalId.isEmpty()) {
            return done(failed.apply(Errors.INVALID_REQUEST));
        }
        return onShard(transactionalId, "describe-transaction",
                shard -> CoordinatorResult.response(shard.adminOps().describe(transactionalId)), failed);
    }

    /**
     * ListTransactions over every shard loaded here: the ids matching all the filters given (empty
     * sets and a negative duration filter nothing; a state filter of only unknown names matches no id; {@code transactionalIdPattern} null or empty
     * matches everything). State names Kafka does not know are reported in
     * {@code unknownStateFilters}; an invalid pattern answers INVALID_REGULAR_EXPRESSION; a shard still
     * loading COORDINATOR_LOAD_IN_PROGRESS (with the ids of the others).
     */
    public CompletableFuture<ListTransactionsResponseData> listTransactions(Set<Long> producerIdFilters,
                                                                           Set<String> stateFilters,
                                                                           long durationFilterMs,
                                                                           String transactionalIdPattern) {
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        Pattern pattern = null;
        if (transactionalIdPattern != null && !transactionalIdPattern.isEmpty()) {
            try {
                pattern = Pattern.compile(transactionalIdPattern);
            } catch (PatternSyntaxException e) {
                return done(response.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
            }
        }
        Set<TransactionState> states = new HashSet<>();
        for (String name : stateFilters) {
            TransactionState state = TransactionState.fromName(name);
            if (state == null) {
                response.unknownStateFilters().add(name);
            } else {
                states.add(state);
            }
        }
        Pattern idPattern = pattern;
        // A state filter of only unknown names matches nothing, as in Kafka (the names were given).
        Set<TransactionState> stateSet = stateFilters.isEmpty() ? null : Set.copyOf(states);
        Set<Long> producerIdSet = Set.copyOf(producerIdFilters);
        CoordinatorRuntime.EveryShard<List<ListTransactionsResponseData.TransactionState>> perShard =
                runtime.scheduleReadOnEveryShard("list-transactions",
                        shard -> shard.adminOps().list(producerIdSet, stateSet, durationFilterMs, idPattern));
        Errors error = perShard.someLoading() ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE;
        return CompletableFuture.allOf(perShard.results().toArray(CompletableFuture[]::new)).handle((ok, failure) -> {
            List<ListTransactionsResponseData.TransactionState> all = new ArrayList<>();
            Errors answer = error;
            for (CompletableFuture<List<ListTransactionsResponseData.TransactionState>> f : perShard.results()) {
                if (f.isCompletedExceptionally()) {
                    answer = Errors.COORDINATOR_LOAD_IN_PROGRESS;
                } else {
                    all.addAll(f.join());
                }
            }
            return response.setErrorCode(answer.code()).setTransactionStates(all);
        });
    }

    /** Runs {@code op} on the id's shard; its response once committed, or the error response. */
    private <T> CompletableFuture<T> onShard(String transactionalId, String opName,
                                             Function<TransactionShard, CoordinatorResult<T, TransactionRecord>> op,
                                             Function<Errors, T> onError) {
        return runtime.scheduleWriteOperation(partitionFor(transactionalId), opName, op)
                .exceptionally(failure -> onError.apply(TransactionErrors.forFailure(unwrap(failure))));
    }

    /** Follow-up work of a shard (a marker's outcome); dropped if the partition is no longer loaded here. */
    private void scheduleFollowUp(int partition, String opName,
                                  Function<TransactionShard, CoordinatorResult<Void, TransactionRecord>> op) {
        runtime.scheduleWriteOperation(partition, opName, op).whenComplete((ignored, failure) -> {
            Throwable cause = failure == null ? null : unwrap(failure);
            if (cause != null && !(cause instanceof NotCoordinatorException)
                    && !(cause instanceof org.apache.kafka.common.errors.CoordinatorLoadInProgressException)) {
                LOG.warn("{} on __transaction_state-{} failed: {}", opName, partition, cause.toString());
            }
        });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** Unloads every shard (waiting answers get NOT_COORDINATOR) and ends the coordinator's threads. Idempotent. */
    @Override
    public void close() {
        runtime.close();
    }
}
