package io.strand.broker.network;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;

/** The handlers this node serves, one per API key. Built once at start-up, then read-only. */
public final class ApiRegistry {

    private final Map<ApiKeys, ApiHandler<?>> handlers = new EnumMap<>(ApiKeys.class);
    private volatile RequestTimeQuota requestTimeQuota = RequestTimeQuota.NONE;

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

    public ApiHandler<?> handler(ApiKeys key) {
        return handlers.get(key);
    }

    public Collection<ApiHandler<?>> handlers() {
        return handlers.values();
    }
}
