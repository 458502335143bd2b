package io.strand.broker.api.produce;

import io.strand.broker.txn.TransactionVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The produce path's side of KIP-890 verification: asks the {@link TransactionVerifier} whether a
 * transactional batch's partition is in its producer's transaction, runs a request's appends once its
 * verifications have answered, and translates a refusal into the answer Kafka gives the producer.
 *
 * <p><b>Order.</b> A connection's requests reach the handler one at a time, but one whose verification
 * is still out appends later, on the append executor, while the connection's next request is already
 * handled. So each producer's requests that wait are chained: a request of the producer appends only
 * after the appends of the one before it (else a pipelined batch would overtake its predecessor and
 * its sequence number would be out of order). A request with nothing to wait for appends at once, on
 * the caller's thread.
 *
 * <p>Thread-safe: verifications complete on any thread; the chain is a concurrent map whose entries are
 * removed by the request that put them, once its appends are done.
 */
final class TransactionVerification {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionVerification.class);
    /** The last Produce version whose clients do not know TRANSACTION_ABORTABLE (Kafka's DEFAULT_ERROR). */
    private static final short LAST_DEFAULT_ERROR_VERSION = 10;
    /** The first Produce version of transactions v2 clients, which add partitions by producing (KIP-890). */
    private static final short FIRST_ADD_PARTITION_VERSION = 12;

    private final TransactionVerifier verifier;
    private final Executor appendExecutor;
    /** Producer id → completes once the appends of its latest request that went through here are done. */
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> appendsInFlight = new ConcurrentHashMap<>();

    /** What a refused verification is answered with. */
    record Refusal(Errors error, String message) {
    }

    TransactionVerification(TransactionVerifier verifier, Executor appendExecutor) {
        this.verifier = verifier;
        this.appendExecutor = appendExecutor;
    }

    /** Whether a Produce of {@code version} comes from a transactions v2 producer, whose partitions the leader adds. */
    static boolean addsPartitions(short version) {
        return version >= FIRST_ADD_PARTITION_VERSION;
    }

    /**
     * The verifier's answer for {@code partition} (with {@code add}, to adding it to the transaction),
     * never failing (a failure is its error code), and bounded
     * by {@code timeoutMs}: no answer by then counts as NETWORK_EXCEPTION, what Kafka's broker sees when its
     * AddPartitionsToTxn request to the coordinator times out, so that a hung verification never holds up
     * the connection's later responses.
     */
    CompletableFuture<Errors> verify(String transactionalId, long producerId, short producerEpoch,
                                     TopicPartition partition, int timeoutMs, boolean add) {
        try {
            return (add ? verifier.add(transactionalId, producerId, producerEpoch, partition)
                    : verifier.verify(transactionalId, producerId, producerEpoch, partition))
                    .exceptionally(e -> Errors.forException(e instanceof CompletionException && e.getCause() != null
                            ? e.getCause() : e))
                    .completeOnTimeout(Errors.NETWORK_EXCEPTION, Math.max(0, timeoutMs), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.error("Verification of {} for producer {} failed", partition, producerId, e);
            return CompletableFuture.completedFuture(Errors.forException(e));
        }
    }

    /**
     * Runs {@code appendAll} once every one of {@code verifications} has answered and {@code producerId}'s
     * previous request has appended: at once on this thread if nothing is pending, else on the append
     * executor. Returns what {@code appendAll} returns.
     */
    <T> CompletableFuture<T> afterVerifications(long producerId, List<CompletableFuture<Errors>> verifications,
                                                Supplier<CompletableFuture<T>> appendAll) {
        List<CompletableFuture<?>> awaited = new ArrayList<>();
        for (CompletableFuture<Errors> verification : verifications) {
            if (!verification.isDone()) {
                awaited.add(verification);
            }
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> previous = appendsInFlight.put(producerId, mine);
        if (previous != null && !previous.isDone()) {
            awaited.add(previous);
        }
        Supplier<CompletableFuture<T>> inOrder = () -> {
            try {
                return appendAll.get();
            } finally {
                mine.complete(null);
                appendsInFlight.remove(producerId, mine);
            }
        };
        if (awaited.isEmpty()) {
            return inOrder.get();
        }
        return CompletableFuture.allOf(awaited.toArray(CompletableFuture[]::new))
                .thenComposeAsync(ignored -> inOrder.get(), appendExecutor);
    }

    /**
     * A refusal answered as Kafka's broker translates the coordinator's errors for a Produce of
     * {@code version}: a retriable coordinator error (NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS,
     * COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR) becomes NOT_ENOUGH_REPLICAS, which every client retries
     * without a metadata refresh; CONCURRENT_TRANSACTIONS too before v12 (transactions v2 clients retry it
     * as it is); PRODUCER_FENCED is INVALID_PRODUCER_EPOCH and, before v11, TRANSACTION_ABORTABLE is
     * INVALID_TXN_STATE, what older clients know.
     */
    static Refusal refusal(Errors error, short version) {
        Errors answer = error;
        if (error == Errors.PRODUCER_FENCED) {
            answer = Errors.INVALID_PRODUCER_EPOCH;
        } else if (error == Errors.TRANSACTION_ABORTABLE && version <= LAST_DEFAULT_ERROR_VERSION) {
            answer = Errors.INVALID_TXN_STATE;
        }
        if (answer == Errors.INVALID_TXN_STATE) {
            return new Refusal(answer, "The partition is not in the producer's ongoing transaction");
        }
        if (answer == Errors.NETWORK_EXCEPTION || answer == Errors.COORDINATOR_LOAD_IN_PROGRESS
                || answer == Errors.COORDINATOR_NOT_AVAILABLE || answer == Errors.NOT_COORDINATOR
                || answer == Errors.CONCURRENT_TRANSACTIONS && version < FIRST_ADD_PARTITION_VERSION) {
            return new Refusal(Errors.NOT_ENOUGH_REPLICAS,
                    "Could not verify that the partition is in the transaction: " + answer.name());
        }
        return new Refusal(answer, answer.message());
    }
}
