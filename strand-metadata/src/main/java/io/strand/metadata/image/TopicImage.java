package io.strand.metadata.image;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A topic in a {@link MetadataImage}: name, id and partitions by partition index (iterated in
 * index order). Immutable.
 */
public record TopicImage(String name, Uuid id, Map<Integer, PartitionRegistration> partitions) {

    public TopicImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(id, "id");
        partitions = Collections.unmodifiableMap(new TreeMap<>(partitions));
    }

    public int numPartitions() {
        return partitions.size();
    }

    public Optional<PartitionRegistration> partition(int partitionId) {
        return Optional.ofNullable(partitions.get(partitionId));
    }

    /** The replica count of partition 0 (all partitions of a topic start with the same), or 0. */
    public int replicationFactor() {
        PartitionRegistration first = partitions.get(0);
        return first == null ? 0 : first.replicas().size();
    }
}
