package io.strand.storage.record;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * The topic settings a produced batch is checked against by {@link BatchValidator}, each named for its
 * Kafka topic property. The log's validated topic config implements it; this package does not depend
 * on the log. Implementations are immutable.
 */
public interface BatchRules {

    /** {@code max.message.bytes}: the largest batch accepted, as stored (after any re-compression). */
    int maxMessageBytes();

    /** {@code message.timestamp.type}: {@code CreateTime} timestamps are range-checked. */
    TimestampType timestampType();

    /** {@code message.timestamp.before.max.ms}: how far a CreateTime timestamp may lie in the past. */
    long messageTimestampBeforeMaxMs();

    /** {@code message.timestamp.after.max.ms}: how far a CreateTime timestamp may lie in the future. */
    long messageTimestampAfterMaxMs();

    /** {@code cleanup.policy} contains {@code compact}: every record needs a key. */
    boolean compactPolicy();

    /** {@code compression.type}: the codec batches are stored in, or {@code null} to keep each batch's own. */
    CompressionType targetCompressionOrNull();
}
