package io.strand.chaos.history;

/**
 * One anomaly the {@link Checker} found: its kind, the partition, how many records it covers and
 * what exactly was seen.
 */
public record Anomaly(Kind kind, int partition, long records, String detail) {

    /** The anomalies checked; see {@link Checker} for each definition. */
    public enum Kind {
        LOST, DUPLICATED, RESENT, OUT_OF_ORDER, INCONSISTENT, UNEXPECTED, SKIPPED, REPEATED,
        /** A read_committed reader saw a record of an aborted transaction ({@link TransactionChecker}). */
        ABORTED_READ,
        /** A reader saw some but not all records of a transaction ({@link TransactionChecker}). */
        PARTIAL_TRANSACTION;

        /**
         * Whether the kind fails a run. Only {@link #RESENT} does not: a record the client sent again under
         * a newer epoch of its producer id is a new record to any broker (idempotence covers retries within
         * one epoch), Kafka's included; it is reported, and the client's epoch bumps with it.
         */
        public boolean fails() {
            return this != RESENT;
        }

        /** The name in a verdict line and in JSON: {@code lost}, {@code dup}, {@code order}, … */
        public String shortName() {
            return switch (this) {
                case LOST -> "lost";
                case DUPLICATED -> "dup";
                case RESENT -> "resent";
                case OUT_OF_ORDER -> "order";
                case INCONSISTENT -> "inconsistent";
                case UNEXPECTED -> "unexpected";
                case SKIPPED -> "skip";
                case REPEATED -> "repeat";
                case ABORTED_READ -> "aborted";
                case PARTIAL_TRANSACTION -> "partial";
            };
        }
    }

    @Override
    public String toString() {
        return kind + " p" + partition + " x" + records + ": " + detail;
    }
}
