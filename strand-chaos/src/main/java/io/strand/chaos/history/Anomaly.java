package io.strand.chaos.history;

/**
 * One anomaly the {@link Checker} found: its kind, the partition, how many records it covers and
 * what exactly was seen.
 */
public record Anomaly(Kind kind, int partition, long records, String detail) {

    /** The anomalies checked; see {@link Checker} for each definition. */
    public enum Kind {
        LOST, DUPLICATED, OUT_OF_ORDER, INCONSISTENT, UNEXPECTED, SKIPPED, REPEATED;

        /** The name in a verdict line and in JSON: {@code lost}, {@code dup}, {@code order}, … */
        public String shortName() {
            return switch (this) {
                case LOST -> "lost";
                case DUPLICATED -> "dup";
                case OUT_OF_ORDER -> "order";
                case INCONSISTENT -> "inconsistent";
                case UNEXPECTED -> "unexpected";
                case SKIPPED -> "skip";
                case REPEATED -> "repeat";
            };
        }
    }

    @Override
    public String toString() {
        return kind + " p" + partition + " x" + records + ": " + detail;
    }
}
