package io.strand.coordinator.group;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One record of {@code __consumer_offsets}: a key naming what it is about and a value, or no value
 * (a tombstone: the offset or group is gone). Encoded by {@link CoordinatorRecordSerde}. Immutable.
 */
public record CoordinatorRecord(Key key, Value value) {

    public CoordinatorRecord {
        Objects.requireNonNull(key, "key");
        if (value != null && (key instanceof OffsetKey) != (value instanceof OffsetValue)) {
            throw new IllegalArgumentException("Value " + value.getClass().getSimpleName()
                    + " does not go with key " + key.getClass().getSimpleName());
        }
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** What a record is about; the key of compaction. */
    public sealed interface Key permits OffsetKey, GroupKey {
        String groupId();
    }

    /** A record's payload. */
    public sealed interface Value permits OffsetValue, GroupValue {
    }

    /** The committed offset of one partition for one group. */
    public record OffsetKey(String groupId, String topic, int partition) implements Key {
    }

    /** The classic group's metadata as of its last completed generation. */
    public record GroupKey(String groupId) implements Key {
    }

    /**
     * @param leaderEpoch       the leader epoch of the committed record, -1 if unknown
     * @param expireTimestampMs an explicit expiry from an old client's retention time, -1 if none
     */
    public record OffsetValue(long committedOffset, int leaderEpoch, String metadata, long commitTimestampMs,
                              long expireTimestampMs) implements Value {
        public OffsetValue {
            Objects.requireNonNull(metadata, "metadata");
        }
    }

    /**
     * @param protocolType     "consumer", "connect", … (empty for a group that only commits offsets)
     * @param protocolName     the selected protocol, null when the group is empty
     * @param leaderId         the leader's member id, null when the group is empty
     * @param stateTimestampMs when the group reached this state (starts offset retention when empty)
     */
    public record GroupValue(String protocolType, int generationId, String protocolName, String leaderId,
                             long stateTimestampMs, List<MemberValue> members) implements Value {
        public GroupValue {
            Objects.requireNonNull(protocolType, "protocolType");
            members = List.copyOf(members);
        }
    }

    /**
     * A member as of its group's last completed generation.
     *
     * @param subscription the member's metadata for the selected protocol (opaque)
     * @param assignment   what the leader assigned it (opaque)
     */
    public record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                              int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
        public MemberValue {
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(subscription, "subscription");
            Objects.requireNonNull(assignment, "assignment");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MemberValue m && memberId.equals(m.memberId)
                    && Objects.equals(groupInstanceId, m.groupInstanceId) && clientId.equals(m.clientId)
                    && clientHost.equals(m.clientHost) && rebalanceTimeoutMs == m.rebalanceTimeoutMs
                    && sessionTimeoutMs == m.sessionTimeoutMs && Arrays.equals(subscription, m.subscription)
                    && Arrays.equals(assignment, m.assignment);
        }

        @Override
        public int hashCode() {
            return Objects.hash(memberId, groupInstanceId, Arrays.hashCode(subscription), Arrays.hashCode(assignment));
        }

        @Override
        public String toString() {
            return "MemberValue[memberId=" + memberId + ", groupInstanceId=" + groupInstanceId + ", clientId=" + clientId
                    + ", subscriptionBytes=" + subscription.length + ", assignmentBytes=" + assignment.length + "]";
        }
    }
}
