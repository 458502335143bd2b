package io.strand.coordinator.group.record;

import static io.strand.coordinator.group.record.CoordinatorRecordSerde.members;
import static io.strand.coordinator.group.record.CoordinatorRecordSerde.requiredString;
import static io.strand.coordinator.group.record.CoordinatorRecordSerde.string;

import io.strand.coordinator.group.record.CoordinatorRecord.GroupValue;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import java.nio.ByteBuffer;

/**
 * Reads offset commit and group metadata values in the layout this broker wrote before it wrote
 * Kafka's (value version 0), so that a log written then still loads. Nothing writes this layout.
 * Strings and bytes as in {@link CoordinatorRecordSerde}; after the int16 version:
 * <pre>
 * offset commit:  committedOffset int64, leaderEpoch int32, commitTimestampMs int64,
 *                 expireTimestampMs int64, metadata string
 * group metadata: generationId int32, stateTimestampMs int64, protocolType string,
 *                 protocolName string (nullable), leaderId string (nullable), memberCount int32,
 *                 memberCount × member (as in Kafka's version 3)
 * </pre>
 */
final class LegacyRecordsSerde {

    private LegacyRecordsSerde() {
    }

    /** The offset commit value after its version. */
    static OffsetValue offsetValue(ByteBuffer v) {
        long offset = v.getLong();
        int epoch = v.getInt();
        long commitMs = v.getLong();
        long expireMs = v.getLong();
        return new OffsetValue(offset, epoch, requiredString(v), commitMs, expireMs);
    }

    /** The group metadata value after its version. */
    static GroupValue groupValue(ByteBuffer v) {
        int generation = v.getInt();
        long stateMs = v.getLong();
        String protocolType = requiredString(v);
        String protocolName = string(v);
        String leader = string(v);
        return new GroupValue(protocolType, generation, protocolName, leader, stateMs, members(v));
    }
}
