package io.strand.broker.quota;

import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.stats.TokenBucket;

/**
 * The token bucket of one {@code controller_mutation_rate} quota's tags (KIP-599), as Kafka keeps it:
 * kafka-clients' {@link TokenBucket}, holding at most bound × samples × window size tokens (the burst),
 * refilled at the bound per second, one token taken per partition created or deleted. It may go
 * negative: a mutation is accepted while the bucket is not below zero, however large.
 *
 * <p>Throttle time, Kafka's: with T tokens below zero and bound B, the time to refill to zero,
 * −T / B seconds (rounded to the nearest millisecond).
 *
 * <p>Thread-safe: every method holds this bucket's monitor.
 */
final class TokenBucketSensor {

    private final QuotaWindows windows;
    private final TokenBucket bucket = new TokenBucket();
    private MetricConfig config;
    private double bound;
    private long lastRecordMs;

    TokenBucketSensor(QuotaWindows windows, double bound) {
        this.windows = windows;
        this.bound = bound;
        this.config = windows.metricConfig(bound);
    }

    synchronized void setBound(double newBound) {
        if (newBound != bound) {
            bound = newBound;
            config = windows.metricConfig(newBound);
        }
    }

    /**
     * Strict: when the bucket is below zero, records nothing and returns the throttle time; else takes
     * {@code permits} tokens and returns 0.
     */
    synchronized long tryTake(double permits, long nowMs) {
        double tokens = bucket.measure(config, nowMs);
        if (tokens < 0) {
            return throttleTimeMs(tokens);
        }
        bucket.record(config, permits, nowMs);
        lastRecordMs = nowMs;
        return 0;
    }

    /** Permissive: takes {@code permits} tokens whatever is left; the throttle time if now below zero, else 0. */
    synchronized long take(double permits, long nowMs) {
        bucket.record(config, permits, nowMs);
        lastRecordMs = nowMs;
        double tokens = bucket.measure(config, nowMs);
        return tokens < 0 ? throttleTimeMs(tokens) : 0;
    }

    private long throttleTimeMs(double tokens) {
        return Math.round(-tokens / bound * 1000);
    }

    synchronized long lastRecordMs() {
        return lastRecordMs;
    }
}
