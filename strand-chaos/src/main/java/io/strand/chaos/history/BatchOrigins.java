package io.strand.chaos.history;

/**
 * Which producer id and epoch wrote the batch holding an offset of a partition, as read from a replica's
 * segment files ({@link ReplicaAudit}); the {@link Checker} uses it to tell a duplicate the broker wrote
 * from one the client sent again under a new epoch.
 */
@FunctionalInterface
public interface BatchOrigins {

    /** Nothing known: every duplicate counts as {@link Anomaly.Kind#DUPLICATED}. */
    BatchOrigins NONE = (partition, offset) -> null;

    /** The producer id and epoch of a batch. */
    record Origin(long producerId, short producerEpoch) {
    }

    /** The origin of the batch holding {@code offset} of {@code partition}, or null if unknown. */
    Origin at(int partition, long offset);
}
