package io.strand.broker.api;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.InvalidRequestException;

/** Checks of request fields that kafka-clients parses without validating. */
public final class RequestChecks {

    private RequestChecks() {
    }

    /** @throws InvalidRequestException unless {@code isolationLevel} is read_uncommitted (0) or read_committed (1) */
    public static IsolationLevel isolationLevel(byte isolationLevel) {
        if (isolationLevel != IsolationLevel.READ_UNCOMMITTED.id() && isolationLevel != IsolationLevel.READ_COMMITTED.id()) {
            throw new InvalidRequestException("Unknown isolation level " + isolationLevel);
        }
        return IsolationLevel.forId(isolationLevel);
    }
}
