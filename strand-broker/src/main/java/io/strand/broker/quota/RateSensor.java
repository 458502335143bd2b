package io.strand.broker.quota;

import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.stats.Rate;

/**
 * The measured rate of one quota's tags against its bound, as a Kafka quota sensor measures it:
 * kafka-clients' {@link Rate} over the {@link QuotaWindows}. Recording checks the bound after adding
 * the value, as Kafka's sensor does, so the request that crosses the bound is let through and the
 * client is throttled after it.
 *
 * <p>Throttle time, Kafka's: with observed rate O over the rate's window W and bound T, the delay X
 * that brings O down to T if nothing more is recorded solves O·W / (W + X) = T, so X = (O − T) / T · W
 * (rounded to the nearest millisecond).
 *
 * <p>Thread-safe: every method holds this sensor's monitor.
 */
final class RateSensor {

    private final QuotaWindows windows;
    private final Rate rate = new Rate();
    private MetricConfig config;
    private double bound;
    private long lastRecordMs;

    RateSensor(QuotaWindows windows, double bound) {
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

    synchronized double bound() {
        return bound;
    }

    /** Adds {@code value} at {@code nowMs}; the throttle time in ms if the rate is now over the bound, else 0. */
    synchronized long recordAndGetThrottleTimeMs(double value, long nowMs) {
        rate.record(config, value, nowMs);
        lastRecordMs = nowMs;
        double observed = rate.measure(config, nowMs);
        if (observed <= bound) {
            return 0;
        }
        return Math.round((observed - bound) / bound * rate.windowSize(config, nowMs));
    }

    /** Takes back a value recorded at about {@code nowMs} (a throttled fetch returns nothing). */
    synchronized void unrecord(double value, long nowMs) {
        rate.record(config, -value, nowMs);
    }

    /** The rate now, per second. */
    synchronized double measure(long nowMs) {
        return rate.measure(config, nowMs);
    }

    synchronized long lastRecordMs() {
        return lastRecordMs;
    }
}
