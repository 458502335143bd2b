package io.strand.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * Removes the ACL written with this id by an {@link AccessControlEntryRecord}, as Kafka's
 * {@code RemoveAccessControlEntryRecord}; replaying it for an unknown id fails the batch.
 */
public record RemoveAccessControlEntryRecord(Uuid id) implements MetadataRecord {
    public RemoveAccessControlEntryRecord {
        Objects.requireNonNull(id, "id");
    }
}
