package io.strand.coordinator.group.record;

/** A record of {@code __consumer_offsets} that this broker cannot decode (corrupt, or from a newer format). */
public final class CoordinatorRecordFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CoordinatorRecordFormatException(String message) {
        super(message);
    }
}
