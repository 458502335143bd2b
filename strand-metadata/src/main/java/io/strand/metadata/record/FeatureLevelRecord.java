package io.strand.metadata.record;

import java.util.Objects;

/**
 * A feature finalized at a level for the whole cluster ({@code metadata.version},
 * {@code group.version}, {@code transaction.version} …), as Kafka's {@code FeatureLevelRecord}: the
 * first leader of a new quorum writes the bootstrap levels with the cluster id, and a later record of
 * the same feature replaces its level. Level 0 means the feature is not finalized (the image drops it).
 */
public record FeatureLevelRecord(String name, short featureLevel) implements MetadataRecord {
    public FeatureLevelRecord {
        Objects.requireNonNull(name, "name");
        if (featureLevel < 0) {
            throw new IllegalArgumentException("Negative feature level: name=" + name + " featureLevel="
                    + featureLevel);
        }
    }
}
