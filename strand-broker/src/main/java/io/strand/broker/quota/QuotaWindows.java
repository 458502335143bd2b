package io.strand.broker.quota;

import io.strand.common.config.BrokerConfig;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Quota;

/**
 * How client rates are measured, as Kafka measures them: over {@code samples} windows of
 * {@code windowSizeSeconds} each ({@code quota.window.num}, default 11, and
 * {@code quota.window.size.seconds}, default 1), the oldest dropped as a new one starts.
 */
public record QuotaWindows(int samples, int windowSizeSeconds) {

    public static final QuotaWindows DEFAULT = new QuotaWindows(11, 1);

    public QuotaWindows {
        if (samples < 1 || windowSizeSeconds < 1) {
            throw new IllegalArgumentException("Bad quota windows: samples=" + samples + " windowSizeSeconds="
                    + windowSizeSeconds);
        }
    }

    public static QuotaWindows from(BrokerConfig config) {
        return new QuotaWindows(config.getInt(BrokerConfig.QUOTA_WINDOW_NUM),
                config.getInt(BrokerConfig.QUOTA_WINDOW_SIZE_SECONDS));
    }

    /** The rate's configuration with {@code bound} as its upper bound. */
    MetricConfig metricConfig(double bound) {
        return new MetricConfig().samples(samples).timeWindow(windowSizeSeconds, TimeUnit.SECONDS)
                .quota(Quota.upperBound(bound));
    }

    /**
     * The most a client may record at once without being throttled for sure, Kafka's
     * {@code getMaxValueInQuotaWindow}: the bound over all windows but the current one.
     */
    double maxValueInWindow(double bound) {
        return bound * (samples - 1) * windowSizeSeconds;
    }
}
