package io.strand.broker.metrics;

/**
 * Counts the ISR changes of the partitions this broker leads, as Kafka's {@code IsrShrinksPerSec} and
 * {@code IsrExpandsPerSec} do: one per new ISR in use, whether this leader proposed it and the
 * controller accepted it (an AlterPartition answer, or the metadata carrying it if that comes first),
 * or the controller made it on its own in the same leader epoch (a fenced follower removed). A change
 * proposed and refused is not counted. Thread-safe, non-blocking and allocation-free: called on
 * whichever thread the answer completes, or the metadata publisher's.
 */
public interface IsrChangeMetrics {

    /** Counts nothing. */
    IsrChangeMetrics NONE = new IsrChangeMetrics() {
        @Override
        public void onShrink() {
        }

        @Override
        public void onExpand() {
        }
    };

    /** A partition led here now has a smaller ISR. */
    void onShrink();

    /** A partition led here now has a larger ISR (a follower caught up and joined). */
    void onExpand();
}
