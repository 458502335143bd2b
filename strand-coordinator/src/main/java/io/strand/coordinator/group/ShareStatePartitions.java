package io.strand.coordinator.group;

import java.util.Map;
import java.util.SortedSet;
import org.apache.kafka.common.protocol.Errors;

/**
 * A share group's answer to an offsets administration step (KIP-932): an error with its message, or
 * NONE and the group's state partitions by topic name (see
 * {@link io.strand.coordinator.group.share.ShareGroup}).
 */
public record ShareStatePartitions(Errors error, String message, Map<String, SortedSet<Integer>> partitions) {

    public ShareStatePartitions {
        partitions = Map.copyOf(partitions);
    }

    static ShareStatePartitions of(Map<String, SortedSet<Integer>> partitions) {
        return new ShareStatePartitions(Errors.NONE, null, partitions);
    }

    /** An error, its message Kafka's default for the error unless {@code message} is given. */
    public static ShareStatePartitions error(Errors error, String message) {
        return new ShareStatePartitions(error, message == null ? error.message() : message, Map.of());
    }
}
