package io.strand.coordinator.share;

/**
 * The persisted delivery state of offsets {@code firstOffset..lastOffset} of a share-partition, as
 * Kafka's share coordinator keeps it ({@code StateBatch} of its records and of the share-state APIs).
 *
 * @param deliveryState {@link #AVAILABLE}, {@link #ACKNOWLEDGED} or {@link #ARCHIVED} (Kafka's codes;
 *                      1, acquired, is never written by a leader and reads as available)
 * @param deliveryCount how often the records were delivered
 */
public record StateBatch(long firstOffset, long lastOffset, byte deliveryState, short deliveryCount) {

    public static final byte AVAILABLE = 0;
    public static final byte ACQUIRED = 1;
    public static final byte ACKNOWLEDGED = 2;
    public static final byte ARCHIVED = 4;

    public StateBatch {
        if (lastOffset < firstOffset) {
            throw new IllegalArgumentException("lastOffset=" + lastOffset + " before firstOffset=" + firstOffset);
        }
    }

    StateBatch withFirstOffset(long offset) {
        return new StateBatch(offset, lastOffset, deliveryState, deliveryCount);
    }

    StateBatch withLastOffset(long offset) {
        return new StateBatch(firstOffset, offset, deliveryState, deliveryCount);
    }

    boolean sameStateAs(StateBatch other) {
        return deliveryState == other.deliveryState && deliveryCount == other.deliveryCount;
    }
}
