package io.strand.broker.network;

import io.strand.broker.metrics.BrokerMetrics;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;

/** The handlers this node serves, one per API key. Built once at start-up, then read-only. */
public final class ApiRegistry {

    private final Map<ApiKeys, ApiHandler<?>> handlers = new EnumMap<>(ApiKeys.class);
    private volatile RequestTimeQuota requestTimeQuota = RequestTimeQuota.NONE;
    private volatile BrokerMetrics metrics = BrokerMetrics.NONE;

    public ApiRegistry register(ApiHandler<?> handler) {
        if (handlers.putIfAbsent(handler.apiKey(), handler) != null) {
            throw new IllegalStateException("Two handlers for apiKey=" + handler.apiKey());
        }
        return this;
    }

    /** Sets where request times are accounted (client request quotas); {@link RequestTimeQuota#NONE} by default. */
    public ApiRegistry requestTimeQuota(RequestTimeQuota quota) {
        this.requestTimeQuota = quota;
        return this;
    }

    public RequestTimeQuota requestTimeQuota() {
        return requestTimeQuota;
    }

    /** Sets where request counts, latencies and errors are recorded; {@link BrokerMetrics#NONE} by default. */
    public ApiRegistry metrics(BrokerMetrics metrics) {
        this.metrics = metrics;
        return this;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    public ApiHandler<?> handler(ApiKeys key) {
        return handlers.get(key);
    }

    public Collection<ApiHandler<?>> handlers() {
        return handlers.values();
    }
}
