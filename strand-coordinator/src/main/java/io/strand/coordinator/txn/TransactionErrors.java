package io.strand.coordinator.txn;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The coordinator's errors as Kafka's broker hands them to clients.
 */
public final class TransactionErrors {

    private TransactionErrors() {
    }

    /**
     * PRODUCER_FENCED (KIP-588) becomes INVALID_PRODUCER_EPOCH for clients too old to know it:
     * InitProducerId before v4, AddPartitionsToTxn, AddOffsetsToTxn and EndTxn before v2.
     */
    public static Errors forClient(ApiKeys api, short version, Errors error) {
        if (error != Errors.PRODUCER_FENCED) {
            return error;
        }
        int firstVersionWithFenced = switch (api) {
            case INIT_PRODUCER_ID -> 4;
            case ADD_PARTITIONS_TO_TXN, ADD_OFFSETS_TO_TXN, END_TXN -> 2;
            default -> 0;
        };
        return version < firstVersionWithFenced ? Errors.INVALID_PRODUCER_EPOCH : error;
    }

    /**
     * The error a failed operation answers: a failed append of {@code __transaction_state} as a
     * coordinator error (as Kafka's {@code TransactionStateManager} maps it), anything else as itself
     * (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS from the runtime) or UNKNOWN_SERVER_ERROR.
     */
    static Errors forFailure(Throwable failure) {
        Errors error = Errors.forException(failure);
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                    Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE -> Errors.UNKNOWN_SERVER_ERROR;
            case NONE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> error;
        };
    }
}
