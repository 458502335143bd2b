package io.strand.coordinator.share;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * One share-partition's state key: a share group and one partition of a topic, named by topic id. Its
 * {@link #coordinatorKey()} ({@code groupId:topicId:partition}, the topic id in Kafka's base64 form) is
 * what FindCoordinator with key type SHARE takes and what places the state in a
 * {@code __share_group_state} partition.
 */
public record ShareStateKey(String groupId, Uuid topicId, int partition) {

    public ShareStateKey {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(topicId, "topicId");
    }

    /** {@code groupId:topicId:partition}, as Kafka's share coordinator keys its state. */
    public String coordinatorKey() {
        return groupId + ":" + topicId + ":" + partition;
    }

    /**
     * Parses a coordinator key; empty if it is not {@code groupId:topicId:partition} with a group id that is
     * not blank, a valid topic id and a non-negative partition (the group id may itself hold colons: the last
     * two fields are split off). FindCoordinator refuses any other SHARE key with INVALID_REQUEST, as Kafka.
     */
    public static java.util.Optional<ShareStateKey> parse(String coordinatorKey) {
        if (coordinatorKey == null) {
            return java.util.Optional.empty();
        }
        int last = coordinatorKey.lastIndexOf(':');
        int middle = last <= 0 ? -1 : coordinatorKey.lastIndexOf(':', last - 1);
        if (middle <= 0) {
            return java.util.Optional.empty();
        }
        try {
            int partition = Integer.parseInt(coordinatorKey.substring(last + 1));
            Uuid topicId = Uuid.fromString(coordinatorKey.substring(middle + 1, last));
            String groupId = coordinatorKey.substring(0, middle);
            if (partition < 0 || groupId.isBlank()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new ShareStateKey(groupId, topicId, partition));
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }
}
