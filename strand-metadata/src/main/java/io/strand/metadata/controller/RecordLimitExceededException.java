package io.strand.metadata.controller;

/**
 * An operation would write more than {@link QuorumController#MAX_RECORDS_PER_USER_OP} records.
 * Thrown while computing, before anything sized by the client's counts is allocated; the controller
 * answers the whole request with POLICY_VIOLATION, as Kafka's controller does when its bounded
 * record list overflows.
 */
final class RecordLimitExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RecordLimitExceededException(String message) {
        super(message);
    }

    /**
     * @param written records the operation has computed so far
     * @param more    records the next step would add
     * @throws RecordLimitExceededException if together they pass the limit
     */
    static void check(String operation, long written, long more) {
        if (written + more > QuorumController.MAX_RECORDS_PER_USER_OP) {
            throw new RecordLimitExceededException(operation + " would write " + (written + more)
                    + " records; the limit is " + QuorumController.MAX_RECORDS_PER_USER_OP);
        }
    }
}
