package io.strand.broker.network;

/**
 * Thrown or completed exceptionally by a handler when the only correct answer is to close the
 * connection: for example an error on an {@code acks=0} produce, which has no response to carry it.
 */
public final class CloseConnectionException extends RuntimeException {

    public CloseConnectionException(String message) {
        super(message, null, false, false);
    }
}
