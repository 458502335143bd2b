package io.strand.chaos.history;

import java.util.List;

/**
 * One transaction of a transactional producer and what became of it, with wall-clock times (epoch ms).
 *
 * <p>Transaction {@code number} of {@code producer} writes {@code count} records; record {@code index}
 * carries the value {@code <producer>:<number>:<index>/<count>} ({@link #valueOf}), unique in a
 * campaign, which names its transaction and how many records the transaction has, so that any reader can
 * tell a partial transaction from a whole one without the producer's log.
 *
 * @param partitions the partition of each record, by index: the transaction has {@code partitions.size()} records
 * @param endedAtMs when the outcome was known, -1 for {@link Outcome#UNKNOWN} of a producer stopped mid-way
 * @param error     what the client threw, if anything (an aborted transaction the workload meant to abort has none)
 */
public record Transaction(String producer, long number, List<Integer> partitions, Outcome outcome,
                          long startedAtMs, long endedAtMs, String error) {

    /** What the producer knows of a transaction. */
    public enum Outcome {
        /** commitTransaction returned: every record must be visible to read_committed readers, exactly once. */
        COMMITTED,
        /**
         * Never committed: abortTransaction returned, or the producer failed or was fenced before it called
         * commitTransaction (the coordinator can only abort it). No record may be visible to read_committed readers.
         */
        ABORTED,
        /** commitTransaction was called and did not return: all records visible or none. */
        UNKNOWN
    }

    public Transaction {
        if (producer.contains(":") || producer.contains("/")) {
            throw new IllegalArgumentException("producer=" + producer + " must not contain ':' or '/'");
        }
        partitions = List.copyOf(partitions);
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("transaction " + producer + ":" + number + " has no records");
        }
    }

    /** How many records the transaction writes. */
    public int count() {
        return partitions.size();
    }

    /** The key naming this transaction in a campaign: {@code <producer>:<number>}. */
    public String key() {
        return producer + ":" + number;
    }

    /** The value record {@code index} of transaction {@code number} of {@code producer} carries. */
    public static String valueOf(String producer, long number, int index, int count) {
        return producer + ":" + number + ":" + index + "/" + count;
    }

    /** A transactional record's value taken apart; {@link #parse} answers null for any other value. */
    public record RecordId(String producer, long number, int index, int count) {

        /** The key of the record's transaction, as {@link Transaction#key()}. */
        public String transaction() {
            return producer + ":" + number;
        }

        public static RecordId parse(String value) {
            if (value == null) {
                return null;
            }
            String[] parts = value.split("[:/]");
            if (parts.length != 4) {
                return null;
            }
            try {
                RecordId id = new RecordId(parts[0], Long.parseLong(parts[1]), Integer.parseInt(parts[2]),
                        Integer.parseInt(parts[3]));
                return id.index >= 0 && id.index < id.count ? id : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
