package io.strand.coordinator.txn;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Writes transaction markers to the leaders of the transaction's partitions (WriteTxnMarkers, or
 * a local append where this broker leads): the broker implements it, as Kafka's
 * {@code TransactionMarkerChannelManager}. The coordinator moves a transaction from PrepareCommit
 * or PrepareAbort to CompleteCommit or CompleteAbort once every partition is reported done.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #send} is called on a coordinator shard thread and must not block: it queues the
 *       work and returns.</li>
 *   <li>For every partition of the markers the channel calls {@link Completion#onPartitionDone}
 *       once, from any thread, with the outcome in Kafka's terms:
 *       <table>
 *         <caption>Outcomes</caption>
 *         <tr><th>error</th><th>meaning</th><th>the coordinator</th></tr>
 *         <tr><td>NONE</td><td>the marker is written</td><td>counts the partition done</td></tr>
 *         <tr><td>UNKNOWN_TOPIC_OR_PARTITION</td><td>the partition no longer exists (its topic was
 *             deleted: no leader is known any more)</td><td>counts it done</td></tr>
 *         <tr><td>UNSUPPORTED_FOR_MESSAGE_FORMAT, UNSUPPORTED_VERSION</td><td>the partition cannot take
 *             markers</td><td>counts it done, as Kafka does</td></tr>
 *         <tr><td>INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED</td><td>a newer producer epoch or
 *             coordinator epoch has been seen</td><td>stops completing this transaction here (a newer
 *             coordinator or epoch owns it)</td></tr>
 *         <tr><td>anything else</td><td>unexpected</td><td>logs it and stops completing the transaction
 *             until the partition is loaded again</td></tr>
 *       </table></li>
 *   <li>Retriable failures (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, a broken
 *       connection, …) are retried by the channel itself, to the partition's current leader, and are
 *       never reported; a partition whose topic is deleted while retrying is reported
 *       UNKNOWN_TOPIC_OR_PARTITION.</li>
 *   <li>Completions that arrive after the coordinator gave the partition up, or for markers it no
 *       longer waits for, are ignored; they are harmless.</li>
 * </ul>
 */
public interface TransactionMarkerChannel {

    /** Starts writing {@code markers}; reports each partition through {@code completion}. */
    void send(TransactionMarkers markers, Completion completion);

    /**
     * This broker no longer coordinates {@code transactionStatePartition} (or reloads it): markers of
     * that partition not yet sent may be dropped. Called on the partition's shard thread.
     */
    default void cancel(int transactionStatePartition) {
    }

    /** Receives the outcome of each partition's marker. Thread-safe; only schedules work. */
    @FunctionalInterface
    interface Completion {
        void onPartitionDone(TopicPartition partition, Errors error);
    }
}
