package io.strand.metadata.controller;

import java.util.Objects;

/**
 * Whether and how the active controller probes silent brokers ({@link BrokerProbes}).
 *
 * @param prober              connects to brokers' endpoints; null when probing is off
 * @param listenerName        the listener whose registered endpoint is probed (the inter-broker one)
 * @param heartbeatIntervalMs {@code broker.heartbeat.interval.ms}: a broker silent for more than
 *                            1.5 times this (one heartbeat missed) is probed, again at most once per
 *                            interval while it stays silent
 */
public record BrokerProbeSettings(BrokerProber prober, String listenerName, long heartbeatIntervalMs) {

    /** No probes: only the session timeout fences a silent broker. */
    public static final BrokerProbeSettings DISABLED = new BrokerProbeSettings(null, null, 1);

    public BrokerProbeSettings {
        if (prober != null) {
            Objects.requireNonNull(listenerName, "listenerName");
        }
        if (heartbeatIntervalMs <= 0) {
            throw new IllegalArgumentException("Invalid broker.heartbeat.interval.ms: " + heartbeatIntervalMs);
        }
    }

    public boolean enabled() {
        return prober != null;
    }

    /** How long a broker must be silent before it is probed: one heartbeat missed. */
    long probeAfterMs() {
        return heartbeatIntervalMs + heartbeatIntervalMs / 2;
    }
}
