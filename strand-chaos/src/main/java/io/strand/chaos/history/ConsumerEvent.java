package io.strand.chaos.history;

/**
 * One thing a consumer did, in the order its thread did it, with the wall-clock time (epoch ms).
 *
 * <table>
 *   <caption>Kinds and their fields</caption>
 *   <tr><th>kind</th><th>offset</th><th>value</th></tr>
 *   <tr><td>ASSIGNED</td><td>the position the consumer starts the partition at; the time is from before the position was fetched</td><td>null</td></tr>
 *   <tr><td>READ</td><td>the record's offset</td><td>the record's value</td></tr>
 *   <tr><td>COMMITTED</td><td>the offset committed (the next one to read), answered as done</td><td>null</td></tr>
 *   <tr><td>COMMIT_UNKNOWN</td><td>an offset whose commit failed or timed out: it may have been stored</td><td>null</td></tr>
 *   <tr><td>REVOKED</td><td>the position when the partition was revoked or lost</td><td>null</td></tr>
 * </table>
 *
 * <p>{@code group} is null for a consumer that reads alone (assign, from offset 0).
 */
public record ConsumerEvent(String consumer, String group, Kind kind, int partition, long offset, String value,
                            long atMs) {

    public enum Kind { ASSIGNED, READ, COMMITTED, COMMIT_UNKNOWN, REVOKED }

    public static ConsumerEvent assigned(String consumer, String group, int partition, long position, long atMs) {
        return new ConsumerEvent(consumer, group, Kind.ASSIGNED, partition, position, null, atMs);
    }

    public static ConsumerEvent read(String consumer, String group, int partition, long offset, String value,
                                     long atMs) {
        return new ConsumerEvent(consumer, group, Kind.READ, partition, offset, value, atMs);
    }

    public static ConsumerEvent committed(String consumer, String group, int partition, long offset, long atMs) {
        return new ConsumerEvent(consumer, group, Kind.COMMITTED, partition, offset, null, atMs);
    }

    public static ConsumerEvent commitUnknown(String consumer, String group, int partition, long offset, long atMs) {
        return new ConsumerEvent(consumer, group, Kind.COMMIT_UNKNOWN, partition, offset, null, atMs);
    }

    public static ConsumerEvent revoked(String consumer, String group, int partition, long position, long atMs) {
        return new ConsumerEvent(consumer, group, Kind.REVOKED, partition, position, null, atMs);
    }

    /** The reader group this event counts toward: the consumer group, or the lone consumer itself. */
    String readerGroup() {
        return group == null ? consumer : group;
    }
}
