package io.strand.storage.log;

import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Time;

/**
 * What a {@link PartitionLog} takes from its {@link io.strand.storage.LogManager}: the clock, the
 * background scheduler, the random source for segment roll jitter, the producer-id expiry, and a
 * callback run (outside the log's lock) when DeleteRecords moved the log start offset or a truncation
 * moved the log's offsets back, so they are checkpointed at once; and where an I/O error in the log's
 * files is reported ({@code storageFailures}), which takes the whole log directory offline. Public for
 * the log manager, which builds one for all its logs.
 */
public record LogEnvironment(Time time, Scheduler scheduler, Random random, long producerIdExpirationMs,
        Consumer<PartitionLog> onOffsetsChanged, StorageFailureListener storageFailures) {

    /** A roll jitter for a new segment: uniform in [0, min(segment.jitter.ms, segment.ms)). */
    long rollJitterMs(LogConfig config) {
        long bound = Math.min(config.segmentJitterMs(), config.segmentMs());
        return bound <= 0 ? 0L : (long) (random.nextDouble() * bound);
    }
}
