package io.strand.broker.metrics;

/**
 * One topic's traffic counters, as {@link BrokerMetrics#topic} hands them out. Thread-safe and
 * allocation-free (see {@link BrokerMetrics}).
 */
public interface TopicMetrics {

    /** Records nothing. */
    TopicMetrics NONE = new TopicMetrics() {
        @Override
        public void onAppended(int records, long bytes) {
        }

        @Override
        public void onFetched(long bytes) {
        }
    };

    /** A produced batch of {@code records} records and {@code bytes} bytes was appended to the leader's log. */
    void onAppended(int records, long bytes);

    /** A consumer's fetch response carried {@code bytes} bytes of this topic's records (followers not counted). */
    void onFetched(long bytes);
}
