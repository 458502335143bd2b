package io.strand.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A topic came into existence with this name and id. Its partitions follow as
 * {@link PartitionRecord}s (its config overrides as {@link ConfigRecord}s in between).
 */
public record TopicRecord(String name, Uuid topicId) implements MetadataRecord {
    public TopicRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
    }
}
