package io.strand.metadata.image;

import io.strand.metadata.record.FeatureLevelRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The features finalized for the cluster, by name, as the {@link FeatureLevelRecord}s of the metadata
 * log left them: only levels above 0 (a feature at level 0 is not finalized). Immutable.
 */
public final class FeaturesImage {

    public static final FeaturesImage EMPTY = new FeaturesImage(Map.of());

    private final Map<String, Short> finalizedLevels;

    /** {@code finalizedLevels} must hold no level below 1; it is copied. */
    FeaturesImage(Map<String, Short> finalizedLevels) {
        this.finalizedLevels = MetadataImage.frozen(new TreeMap<>(finalizedLevels));
    }

    /** Finalized features and their levels, in name order. */
    public Map<String, Short> finalizedLevels() {
        return finalizedLevels;
    }

    /** The finalized level of {@code name}, 0 when it is not finalized. */
    public short level(String name) {
        return finalizedLevels.getOrDefault(name, (short) 0);
    }

    /** The records that rebuild this image: one per finalized feature, in name order. */
    List<FeatureLevelRecord> toRecords() {
        List<FeatureLevelRecord> records = new ArrayList<>();
        finalizedLevels.forEach((name, level) -> records.add(new FeatureLevelRecord(name, level)));
        return records;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeaturesImage other && finalizedLevels.equals(other.finalizedLevels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(finalizedLevels);
    }

    @Override
    public String toString() {
        return "FeaturesImage" + finalizedLevels;
    }
}
