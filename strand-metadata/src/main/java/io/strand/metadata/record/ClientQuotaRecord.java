package io.strand.metadata.record;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Sets or removes one client quota of one entity, as Kafka's {@code ClientQuotaRecord}: the entity
 * names a user, a client id, both, or an ip, each by name or, with a null name, the default for that
 * entity type ({@code user → null} is "every user without a quota of its own").
 *
 * @param entity entity type ({@code user}, {@code client-id}, {@code ip}) → name, null for the
 *               default; not empty; copied into type order
 * @param key    the quota ({@code producer_byte_rate}, {@code consumer_byte_rate}, …)
 * @param value  the quota's value; ignored (written as 0) when {@code remove}
 * @param remove true to remove the quota {@code key} of the entity
 */
public record ClientQuotaRecord(Map<String, String> entity, String key, double value, boolean remove)
        implements MetadataRecord {
    public ClientQuotaRecord {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(key, "key");
        if (entity.isEmpty()) {
            throw new IllegalArgumentException("Empty client quota entity: key=" + key);
        }
        entity.keySet().forEach(type -> Objects.requireNonNull(type, "entity type"));
        entity = Collections.unmodifiableMap(new TreeMap<>(entity));
        if (remove) {
            value = 0.0;
        }
    }

    /** Sets {@code key} of {@code entity} to {@code value}. */
    public static ClientQuotaRecord set(Map<String, String> entity, String key, double value) {
        return new ClientQuotaRecord(entity, key, value, false);
    }

    /** Removes {@code key} of {@code entity}. */
    public static ClientQuotaRecord removal(Map<String, String> entity, String key) {
        return new ClientQuotaRecord(entity, key, 0.0, true);
    }
}
