package io.strand.broker.txn;

import io.strand.coordinator.txn.TransactionCoordinator;
import io.strand.coordinator.txn.TransactionVersions;
import io.strand.metadata.image.PartitionRegistration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * The partition leader's side of KIP-890: before the first batch of a transaction is appended to a
 * partition, asks the transactional id's coordinator whether the partition is in the producer's
 * ongoing transaction (part 1), or for a transactions v2 producer has it add the partition ({@link #add},
 * part 2) — directly when this broker coordinates the id, else with AddPartitionsToTxn v4+
 * ({@code verify_only}) to the leader of the id's {@code __transaction_state} partition, batched per
 * broker by {@link VerificationBatcher}.
 *
 * <h2>Answers, as Kafka's produce path gives them</h2>
 * <table>
 *   <caption>Coordinator's answer → the produce error</caption>
 *   <tr><td>NONE</td><td>NONE (the batch may be appended)</td></tr>
 *   <tr><td>TRANSACTION_ABORTABLE (partition not in the transaction)</td><td>itself (the produce path answers
 *       INVALID_TXN_STATE before Produce v11, as Kafka does for clients that do not know the code)</td></tr>
 *   <tr><td>PRODUCER_FENCED</td><td>INVALID_PRODUCER_EPOCH</td></tr>
 *   <tr><td>NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS,
 *       no leader for the state partition, a failed request</td><td>NOT_ENOUGH_REPLICAS (retriable for every
 *       client version)</td></tr>
 *   <tr><td>anything else (INVALID_PRODUCER_EPOCH, INVALID_PRODUCER_ID_MAPPING, …)</td><td>itself</td></tr>
 * </table>
 * A null or empty transactional id, or a negative producer id or epoch, is INVALID_REQUEST.
 *
 * <p>Every call asks: the produce path does not call it for a batch whose partition's producer state
 * already shows the producer's transaction ongoing there (as Kafka skips it), which is what no cache
 * here could know (a marker written while this node was a follower ends a transaction too).
 *
 * <p>Thread-safe; never blocks: answers come on the coordinator's or the connection's thread.
 */
public final class CoordinatorTransactionVerifier implements TransactionVerifier {

    /** The first AddPartitionsToTxn version with several transactions and {@code verify_only}. */
    static final short MIN_VERIFY_VERSION = 4;

    private final int nodeId;
    private final TransactionCoordinatorService service;
    private final VerificationBatcher remote;
    /**
     * @param service where the coordinator, its partitioning and the metadata image are
     * @param sender  carries verifications to the coordinator's broker
     */
    public CoordinatorTransactionVerifier(int nodeId, TransactionCoordinatorService service,
                                          BrokerRequestSender sender) {
        this.nodeId = nodeId;
        this.service = service;
        this.remote = new VerificationBatcher(sender, MIN_VERIFY_VERSION);
    }

    @Override
    public CompletableFuture<Errors> verify(String transactionalId, long producerId, short producerEpoch,
                                            TopicPartition partition) {
        if (transactionalId == null || transactionalId.isEmpty() || producerId < 0 || producerEpoch < 0) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        TransactionCoordinator coordinator = service.coordinator();
        OptionalInt leader = coordinatorNode(transactionalId);
        CompletableFuture<Errors> answer;
        if (leader.isEmpty()) {
            answer = CompletableFuture.completedFuture(Errors.COORDINATOR_NOT_AVAILABLE);
        } else if (leader.getAsInt() == nodeId) {
            answer = coordinator.verifyPartitionsInTxn(transactionalId, producerId, producerEpoch, List.of(partition))
                    .thenApply(result -> errorOf(result, partition));
        } else {
            answer = remote.verify(leader.getAsInt(), transactionalId, producerId, producerEpoch, partition);
        }
        return answer.thenApply(CoordinatorTransactionVerifier::forProduce);
    }

    /**
     * Adds the partition as AddPartitionsToTxn v5 without {@code verify_only} does (transactions v2, see
     * {@link TransactionVerifier#add}): directly when this broker coordinates the id, else through the
     * batcher. Kafka's mapping: PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH, the rest stays as it is
     * for the produce path to translate.
     */
    @Override
    public CompletableFuture<Errors> add(String transactionalId, long producerId, short producerEpoch,
                                         TopicPartition partition) {
        if (transactionalId == null || transactionalId.isEmpty() || producerId < 0 || producerEpoch < 0) {
            return CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        OptionalInt leader = coordinatorNode(transactionalId);
        CompletableFuture<Errors> answer;
        if (leader.isEmpty()) {
            answer = CompletableFuture.completedFuture(Errors.COORDINATOR_NOT_AVAILABLE);
        } else if (leader.getAsInt() == nodeId) {
            answer = service.coordinator().addPartitionsToTxn(transactionalId, producerId, producerEpoch,
                    List.of(partition), TransactionVersions.TV_2);
        } else {
            answer = remote.add(leader.getAsInt(), transactionalId, producerId, producerEpoch, partition);
        }
        return answer.thenApply(error -> error == Errors.PRODUCER_FENCED ? Errors.INVALID_PRODUCER_EPOCH : error);
    }

    /** The leader of the id's {@code __transaction_state} partition, empty if it has none or none is known. */
    private OptionalInt coordinatorNode(String transactionalId) {
        int statePartition = service.coordinator().partitionFor(transactionalId);
        Optional<PartitionRegistration> registration = service.image().topics()
                .byName(TransactionCoordinatorService.STATE_TOPIC).flatMap(topic -> topic.partition(statePartition));
        return registration.isPresent() && registration.get().hasLeader()
                ? OptionalInt.of(registration.get().leader()) : OptionalInt.empty();
    }

    private static Errors errorOf(AddPartitionsToTxnResult result, TopicPartition partition) {
        Errors error = AddPartitionsToTxnResponse.errorsForTransaction(result.topicResults()).get(partition);
        return error == null ? Errors.UNKNOWN_SERVER_ERROR : error;
    }

    /** The coordinator's answer as the produce path answers it (see the class doc). */
    static Errors forProduce(Errors coordinatorError) {
        return switch (coordinatorError) {
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS,
                 NETWORK_EXCEPTION, REQUEST_TIMED_OUT -> Errors.NOT_ENOUGH_REPLICAS;
            default -> coordinatorError;
        };
    }
}
