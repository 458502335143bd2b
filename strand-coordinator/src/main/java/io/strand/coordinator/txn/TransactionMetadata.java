package io.strand.coordinator.txn;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * What the coordinator knows of one transactional id: the value of its {@code __transaction_state}
 * record (Kafka's {@code TransactionLogValue}, encoded by {@link TransactionRecordSerde}) and the
 * in-memory state of a shard. Immutable: every transition returns a new value, which becomes the
 * shard's state only when its record is replayed (compute, then apply).
 *
 * <p>The transitions mirror Kafka's {@code TransactionMetadata.prepare*} methods and check the
 * state machine of {@link TransactionState}. Each sets {@code previousProducerId} to the producer
 * id held before it, as Kafka does, so that a client retrying after its producer id was rotated
 * can be recognised.
 *
 * @param producerId                 the producer id in use
 * @param previousProducerId         the producer id before the last transition ({@code -1} if unknown)
 * @param nextProducerId             with transactions v2, the producer id the client moves to once the
 *                                   transaction in PrepareCommit/PrepareAbort completes because the
 *                                   epochs of {@code producerId} are exhausted; {@code -1} otherwise
 * @param producerEpoch              the current epoch of {@code producerId}
 * @param lastProducerEpoch          the epoch before the last bump, which lets a client retry
 *                                   InitProducerId; <b>not in Kafka's record format</b>: lost (-1)
 *                                   when a shard is loaded from the log, as in Kafka
 * @param nextProducerEpoch          the client-facing epoch of a two-phase-commit transaction (KIP-939);
 *                                   always -1 here, kept only to round-trip the field
 * @param transactionTimeoutMs       the client's transaction time-out
 * @param partitions                 the partitions in the transaction (empty in Empty and Complete*)
 * @param lastUpdateTimestampMs      when the value last changed; starts the id's expiry
 * @param startTimestampMs           when the transaction began (its first partition), -1 if none
 * @param clientTransactionVersion   the {@code transaction.version} the client used for the last
 *                                   transition (2: an epoch bump ends every transaction)
 */
public record TransactionMetadata(long producerId, long previousProducerId, long nextProducerId, short producerEpoch,
                                  short lastProducerEpoch, short nextProducerEpoch, int transactionTimeoutMs,
                                  TransactionState state, Set<TopicPartition> partitions, long lastUpdateTimestampMs,
                                  long startTimestampMs, short clientTransactionVersion) {

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;

    public TransactionMetadata {
        Objects.requireNonNull(state, "state");
        partitions = Set.copyOf(partitions);
    }

    /**
     * A transactional id seen for the first time: a fresh producer id and no epoch yet (the first
     * InitProducerId bumps it to 0). Never written as such.
     */
    static TransactionMetadata fresh(long producerId, int transactionTimeoutMs, long nowMs) {
        return new TransactionMetadata(producerId, NO_PRODUCER_ID, NO_PRODUCER_ID, NO_PRODUCER_EPOCH,
                NO_PRODUCER_EPOCH, NO_PRODUCER_EPOCH, transactionTimeoutMs, TransactionState.EMPTY, Set.of(), nowMs, -1L,
                TransactionVersions.TV_0);
    }

    /**
     * True once the epoch of {@code producerId} has reached {@code Short.MAX_VALUE - 1}: the last
     * epoch is kept so that the coordinator can always fence a producer, and clients never get it.
     */
    public static boolean isEpochExhausted(short producerEpoch) {
        return producerEpoch >= Short.MAX_VALUE - 1;
    }

    public boolean isProducerEpochExhausted() {
        return isEpochExhausted(producerEpoch);
    }

    /**
     * InitProducerId in Empty/CompleteCommit/CompleteAbort: the next epoch of the same producer id
     * (Kafka's {@code prepareIncrementProducerEpoch}).
     *
     * @param expectedProducerEpoch the epoch the client says it has (KIP-360), or null if it has none
     * @throws ProducerFencedException if the client's epoch is neither the current nor the previous one
     * @throws IllegalStateException   if the epochs are exhausted (the caller rotates the producer id instead)
     */
    TransactionMetadata incrementEpoch(String transactionalId, int newTimeoutMs, Short expectedProducerEpoch,
                                       long nowMs) {
        if (isProducerEpochExhausted()) {
            throw new IllegalStateException("Cannot allocate any more producer epochs: transactionalId="
                    + transactionalId + " producerId=" + producerId + " producerEpoch=" + producerEpoch);
        }
        short bumped = (short) (producerEpoch + 1);
        short epoch;
        short lastEpoch;
        if (expectedProducerEpoch == null) {
            epoch = bumped;
            lastEpoch = NO_PRODUCER_EPOCH;
        } else if (producerEpoch == NO_PRODUCER_EPOCH || expectedProducerEpoch == producerEpoch) {
            epoch = bumped;
            lastEpoch = producerEpoch;
        } else if (expectedProducerEpoch == lastProducerEpoch) {
            // A retry of a bump whose answer was lost: the same epoch again.
            epoch = producerEpoch;
            lastEpoch = lastProducerEpoch;
        } else {
            throw new ProducerFencedException("There is a newer producer with the same transactionalId which fences "
                    + "the current one: transactionalId=" + transactionalId + " expectedEpoch=" + expectedProducerEpoch
                    + " producerEpoch=" + producerEpoch);
        }
        return to(transactionalId, TransactionState.EMPTY, producerId, nextProducerId, epoch, lastEpoch, newTimeoutMs,
                Set.of(), -1L, nowMs, clientTransactionVersion);
    }

    /**
     * InitProducerId when the epochs are exhausted: a new producer id at epoch 0 (Kafka's
     * {@code prepareProducerIdRotation}).
     *
     * @param recordLastEpoch true when the client named its epoch, so that a retry is recognised
     */
    TransactionMetadata rotateProducerId(String transactionalId, long newProducerId, int newTimeoutMs, long nowMs,
                                         boolean recordLastEpoch) {
        if (state == TransactionState.ONGOING || state.isPrepare()) {
            throw new IllegalStateException("Cannot rotate the producer id while a transaction is pending: "
                    + "transactionalId=" + transactionalId + " state=" + state.stateName());
        }
        return to(transactionalId, TransactionState.EMPTY, newProducerId, nextProducerId, (short) 0,
                recordLastEpoch ? producerEpoch : NO_PRODUCER_EPOCH, newTimeoutMs, Set.of(), -1L, nowMs,
                clientTransactionVersion);
    }

    /** AddPartitionsToTxn / AddOffsetsToTxn: Ongoing with these partitions too (Kafka's {@code prepareAddPartitions}). */
    TransactionMetadata addPartitions(String transactionalId, Set<TopicPartition> added, long nowMs,
                                      short clientVersion) {
        long start = state.isIdle() ? nowMs : startTimestampMs;
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.addAll(added);
        return to(transactionalId, TransactionState.ONGOING, producerId, nextProducerId, producerEpoch,
                lastProducerEpoch, transactionTimeoutMs, all, start, nowMs, clientVersion);
    }

    /**
     * The first step of fencing with transactions v0/v1: the epoch bumped once (never to
     * {@code Short.MAX_VALUE} + 1) and the previous epoch forgotten, in the transient
     * PrepareEpochFence state from which {@link #prepareEnd} moves to PrepareAbort.
     */
    TransactionMetadata fenceEpoch(String transactionalId) {
        if (producerEpoch == Short.MAX_VALUE) {
            throw new IllegalStateException("Cannot fence a producer at epoch Short.MAX_VALUE: transactionalId="
                    + transactionalId + " producerId=" + producerId);
        }
        return to(transactionalId, TransactionState.PREPARE_EPOCH_FENCE, producerId, nextProducerId,
                (short) (producerEpoch + 1), NO_PRODUCER_EPOCH, transactionTimeoutMs, partitions, startTimestampMs,
                lastUpdateTimestampMs, clientTransactionVersion);
    }

    /**
     * EndTxn's decision (Kafka's {@code prepareAbortOrCommit}): PrepareCommit or PrepareAbort. With
     * transactions v2 the epoch is bumped here, once per transaction, and the previous one kept.
     *
     * @param nextProducerId   the producer id to move to on completion (v2, epochs exhausted), else -1
     * @param noPartitionAdded a v2 abort without a transaction: the start time becomes now
     */
    TransactionMetadata prepareEnd(String transactionalId, TransactionState next, short clientVersion,
                                   long nextProducerId, long nowMs, boolean noPartitionAdded) {
        if (!next.isPrepare()) {
            throw new IllegalArgumentException("Not a prepare state: " + next);
        }
        boolean bump = TransactionVersions.supportsEpochBump(clientVersion);
        short epoch = bump ? (short) (producerEpoch + 1) : producerEpoch;
        short lastEpoch = bump ? producerEpoch : lastProducerEpoch;
        return to(transactionalId, next, producerId, nextProducerId, epoch, lastEpoch, transactionTimeoutMs, partitions,
                noPartitionAdded ? nowMs : startTimestampMs, nowMs, clientVersion);
    }

    /**
     * Every marker is written (Kafka's {@code prepareComplete}): CompleteCommit or CompleteAbort, no
     * partitions, and with v2 and a next producer id, that id at epoch 0.
     */
    TransactionMetadata complete(String transactionalId, long nowMs) {
        if (!state.isPrepare()) {
            throw new IllegalTransactionTransitionException(transactionalId, state,
                    TransactionState.COMPLETE_COMMIT);
        }
        TransactionState next = state == TransactionState.PREPARE_COMMIT ? TransactionState.COMPLETE_COMMIT
                : TransactionState.COMPLETE_ABORT;
        boolean rotate = TransactionVersions.supportsEpochBump(clientTransactionVersion)
                && nextProducerId != NO_PRODUCER_ID;
        return to(transactionalId, next, rotate ? nextProducerId : producerId, NO_PRODUCER_ID,
                rotate ? 0 : producerEpoch, lastProducerEpoch, transactionTimeoutMs, Set.of(), startTimestampMs, nowMs,
                clientTransactionVersion);
    }

    /** Expiry of an idle id: only checks the transition; the record written is a tombstone. */
    void checkExpirable(String transactionalId) {
        state.checkTransitionTo(TransactionState.DEAD, transactionalId);
    }

    /**
     * The value after a transition, checked as Kafka's {@code prepareTransitionTo} does: a legal
     * state change, a producer id and (but for Dead) an epoch that are not negative.
     */
    private TransactionMetadata to(String transactionalId, TransactionState next, long newProducerId,
                                   long newNextProducerId, short newEpoch, short newLastEpoch, int newTimeoutMs,
                                   Set<TopicPartition> newPartitions, long newStartMs, long newLastUpdateMs,
                                   short newClientVersion) {
        state.checkTransitionTo(next, transactionalId);
        if (newProducerId < 0) {
            throw new IllegalArgumentException("Illegal new producer id " + newProducerId + " for " + transactionalId);
        }
        if (next != TransactionState.DEAD && newEpoch < 0) {
            throw new IllegalArgumentException("Illegal new producer epoch " + newEpoch + " for " + transactionalId);
        }
        return new TransactionMetadata(newProducerId, producerId, newNextProducerId, newEpoch, newLastEpoch,
                nextProducerEpoch, newTimeoutMs, next, newPartitions, newLastUpdateMs, newStartMs, newClientVersion);
    }

    /**
     * This value as a shard loading the log reads it back after it was written at {@code valueVersion}:
     * {@code lastProducerEpoch} is never stored, and version 0 has no place for the previous and next
     * producer ids, the next epoch and the client's transaction version (their defaults come back), as
     * in Kafka. The partitions of an Empty value are not stored either (it has none).
     */
    public TransactionMetadata asStored(short valueVersion) {
        boolean flexible = valueVersion >= 1;
        return new TransactionMetadata(producerId, flexible ? previousProducerId : NO_PRODUCER_ID,
                flexible ? nextProducerId : NO_PRODUCER_ID, producerEpoch, NO_PRODUCER_EPOCH,
                flexible ? nextProducerEpoch : NO_PRODUCER_EPOCH, transactionTimeoutMs, state,
                state == TransactionState.EMPTY ? Set.of() : partitions, lastUpdateTimestampMs, startTimestampMs,
                flexible ? clientTransactionVersion : TransactionVersions.TV_0);
    }
}
