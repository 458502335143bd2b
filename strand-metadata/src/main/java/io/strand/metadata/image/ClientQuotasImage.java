package io.strand.metadata.image;

import io.strand.metadata.record.ClientQuotaRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The client quotas of the cluster, as the {@link ClientQuotaRecord}s of the metadata log left them:
 * per entity (entity type → name, null for the default of that type, in type order), its quotas by
 * key. An entity whose last quota was removed is gone. Immutable.
 */
public final class ClientQuotasImage {

    public static final ClientQuotasImage EMPTY = new ClientQuotasImage(Map.of());

    private final Map<Map<String, String>, Map<String, Double>> quotas;

    /** {@code quotas} must hold no empty quota map; it is copied. */
    ClientQuotasImage(Map<Map<String, String>, Map<String, Double>> quotas) {
        Map<Map<String, String>, Map<String, Double>> copy = new HashMap<>();
        quotas.forEach((entity, values) -> copy.put(Collections.unmodifiableMap(new TreeMap<>(entity)),
                MetadataImage.frozen(new TreeMap<>(values))));
        this.quotas = MetadataImage.frozen(copy);
    }

    /** Every entity with at least one quota, and its quotas by key. */
    public Map<Map<String, String>, Map<String, Double>> entities() {
        return quotas;
    }

    /** The quotas of {@code entity} by key; empty when it has none. */
    public Map<String, Double> quotas(Map<String, String> entity) {
        return quotas.getOrDefault(entity, Map.of());
    }

    public boolean isEmpty() {
        return quotas.isEmpty();
    }

    /** The records that rebuild this image: one per quota, entities and keys in a fixed order. */
    List<ClientQuotaRecord> toRecords() {
        List<Map<String, String>> entities = new ArrayList<>(quotas.keySet());
        entities.sort(Comparator.comparing(Object::toString));
        List<ClientQuotaRecord> records = new ArrayList<>();
        for (Map<String, String> entity : entities) {
            quotas.get(entity).forEach((key, value) -> records.add(ClientQuotaRecord.set(entity, key, value)));
        }
        return records;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientQuotasImage other && quotas.equals(other.quotas);
    }

    @Override
    public int hashCode() {
        return Objects.hash(quotas);
    }

    @Override
    public String toString() {
        return "ClientQuotasImage" + quotas;
    }
}
