package io.strand.broker.metrics;

/**
 * Counts the ISR changes this broker made as a partition's leader: one per change the controller
 * accepted (an AlterPartition answered with the new ISR), as Kafka's {@code IsrShrinksPerSec} and
 * {@code IsrExpandsPerSec} count them. A change proposed and refused, or superseded by newer
 * metadata, is not counted. Thread-safe, non-blocking and allocation-free: called on whichever
 * thread the controller's answer completes.
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
