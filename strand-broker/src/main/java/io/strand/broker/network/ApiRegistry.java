package io.strand.broker.network;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.protocol.ApiKeys;

/** The handlers this node serves, one per API key. Built once at start-up, then read-only. */
public final class ApiRegistry {

    private final Map<ApiKeys, ApiHandler<?>> handlers = new EnumMap<>(ApiKeys.class);

    public ApiRegistry register(ApiHandler<?> handler) {
        if (handlers.putIfAbsent(handler.apiKey(), handler) != null) {
            throw new IllegalStateException("Two handlers for apiKey=" + handler.apiKey());
        }
        return this;
    }

    public ApiHandler<?> handler(ApiKeys key) {
        return handlers.get(key);
    }

    public Collection<ApiHandler<?>> handlers() {
        return handlers.values();
    }
}
