package io.strand.common.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Broker properties that {@link BrokerConfig} defines (Kafka's name, type, default and validation)
 * but that no part of this version acts on yet. Setting one stops start-up with a message naming
 * the property and what it waits for, since a setting accepted and silently ignored misleads the
 * operator. Left unset, its default is what the typed accessor returns.
 *
 * <p>A property leaves this table in the change that makes it take effect. Stateless.
 */
final class PendingProperties {

    /** Property name → what it waits for, as the refusal message says it. */
    static final Map<String, String> REFUSED;

    static {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put(BrokerConfig.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE,
                "a leader imbalance threshold (preferred leaders are elected wherever they are not leading)");
        REFUSED = Collections.unmodifiableMap(refused);
    }

    private PendingProperties() {
    }

    /**
     * @throws ConfigException naming the first property of {@code props} that {@code refused} holds
     */
    static void check(Map<String, String> props, Map<String, String> refused) {
        for (Map.Entry<String, String> e : props.entrySet()) {
            String waitsFor = refused.get(e.getKey());
            if (waitsFor != null) {
                throw new ConfigException(e.getKey(), e.getValue(), "this version does not support "
                        + e.getKey() + " yet; it takes effect with " + waitsFor + ". Remove it to run");
            }
        }
    }
}
