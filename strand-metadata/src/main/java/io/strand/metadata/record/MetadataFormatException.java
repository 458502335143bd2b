package io.strand.metadata.record;

/**
 * Bytes that should hold metadata records (a log entry, a snapshot file) do not parse: an
 * unknown record type or version, a length that runs past the end, a bad checksum. The message
 * carries {@code key=value} context (type, version, position, file).
 */
public final class MetadataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MetadataFormatException(String message) {
        super(message);
    }

    public MetadataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
