package io.strand.broker.metrics;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The broker's instrumentation points on its request and data paths, so that broker code records
 * what happens without knowing how it is exposed (the node's HTTP side implements this with
 * Prometheus counters and histograms; {@link #NONE} records nothing).
 *
 * <p>Contract for implementations: thread-safe (called from every network event loop and request
 * pool thread at once), never blocking, and allocation-free for data points already seen: the
 * per-API data points are looked up by {@link ApiKeys} index, a topic's once when the topic is first
 * seen ({@link #topic}); an error's may be created on its first occurrence. Gauges of state (log end
 * offsets, sizes, connections, under-replicated partitions, consumer lag) are not pushed through here: the exposing side reads them from the
 * broker when it is scraped.
 */
public interface BrokerMetrics {

    /** Records nothing. */
    BrokerMetrics NONE = new BrokerMetrics() {
        @Override
        public void onRequestCompleted(ApiKeys api, long latencyNs) {
        }

        @Override
        public void onRequestError(ApiKeys api, Errors error) {
        }

        @Override
        public TopicMetrics topic(String topic) {
            return TopicMetrics.NONE;
        }

        @Override
        public IsrChangeMetrics isrChanges() {
            return IsrChangeMetrics.NONE;
        }
    };

    /**
     * A request's response was handed to its connection (or, without a response, an acks=0 produce's
     * handler finished); {@code latencyNs} from the frame's arrival until then.
     */
    void onRequestCompleted(ApiKeys api, long latencyNs);

    /**
     * A request, or one partition of it, was answered with {@code error} (never {@link Errors#NONE}):
     * a handler failure, or a Produce or Fetch partition's error code.
     */
    void onRequestError(ApiKeys api, Errors error);

    /** The data points of {@code topic}; the same object for the same name, cheap to look up again. */
    TopicMetrics topic(String topic);

    /** Where the partitions this broker leads count the ISR changes the controller accepted. */
    IsrChangeMetrics isrChanges();
}
