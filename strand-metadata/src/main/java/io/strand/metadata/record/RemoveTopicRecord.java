package io.strand.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/** The topic with this id is deleted, with its partitions and its config overrides. */
public record RemoveTopicRecord(Uuid topicId) implements MetadataRecord {
    public RemoveTopicRecord {
        Objects.requireNonNull(topicId, "topicId");
    }
}
