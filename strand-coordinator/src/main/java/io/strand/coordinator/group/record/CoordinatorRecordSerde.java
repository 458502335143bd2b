package io.strand.coordinator.group.record;

import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.GroupValue;
import io.strand.coordinator.group.record.CoordinatorRecord.MemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte layout of {@link CoordinatorRecord}s in {@code __consumer_offsets}. Big-endian. A string
 * is an int16 length then UTF-8 bytes, length -1 for null; bytes are an int32 length then the bytes.
 *
 * <p>Key (the first field says which kind; Kafka's numbering, so a record's kind is recognisable):
 * <pre>
 * | offset | field        | type   | note                                   |
 * |--------|--------------|--------|----------------------------------------|
 * | 0      | keyType      | int16  | 1 = offset commit, 2 = group metadata  |
 * | 2      | groupId      | string |                                        |
 * |        | topic        | string | offset commit only                     |
 * |        | partition    | int32  | offset commit only                     |
 * </pre>
 * Offset commit value (absent: tombstone):
 * <pre>
 * | offset | field             | type   |
 * |--------|-------------------|--------|
 * | 0      | version           | int16  | (0)
 * | 2      | committedOffset   | int64  |
 * | 10     | leaderEpoch       | int32  |
 * | 14     | commitTimestampMs | int64  |
 * | 22     | expireTimestampMs | int64  |
 * | 30     | metadata          | string |
 * </pre>
 * Group metadata value:
 * <pre>
 * | offset | field             | type   |
 * |--------|-------------------|--------|
 * | 0      | version           | int16  | (0)
 * | 2      | generationId      | int32  |
 * | 6      | stateTimestampMs  | int64  |
 * | 14     | protocolType      | string |
 * |        | protocolName      | string (nullable) |
 * |        | leaderId          | string (nullable) |
 * |        | memberCount       | int32  |
 * |        | members           | memberCount × member |
 * </pre>
 * Member: memberId string, groupInstanceId nullable string, clientId string, clientHost string,
 * rebalanceTimeoutMs int32, sessionTimeoutMs int32, subscription bytes, assignment bytes.
 *
 * <p>Consumer-protocol groups (KIP-848), each value starting with its int16 version (0):
 * <pre>
 * | keyType | key fields          | value fields (after version)                                        |
 * |---------|---------------------|---------------------------------------------------------------------|
 * | 3       | groupId             | groupEpoch int32, topicCount int32, topicCount × (topic string,      |
 * |         |                     |   partitionCount int32)                                              |
 * | 5       | groupId, memberId   | instanceId, rackId (nullable strings), clientId, clientHost string,   |
 * |         |                     |   names: count int32 + strings, regex, serverAssignor (nullable),     |
 * |         |                     |   rebalanceTimeoutMs int32                                           |
 * | 6       | groupId             | assignmentEpoch int32, assignmentTimestampMs int64 (absent: 0)       |
 * | 7       | groupId, memberId   | partitions: assignment                                               |
 * | 8       | groupId, memberId   | memberEpoch int32, previousMemberEpoch int32, state int8,            |
 * |         |                     |   assigned: assignment, pendingRevocation: assignment, then (absent:  |
 * |         |                     |   none) assignment epochs: topicCount int32, per topic: topic string, |
 * |         |                     |   count int32, count × (partition int32, epoch int32)                 |
 * </pre>
 * An assignment is topicCount int32, then per topic: topic string, count int32, count × int32.
 *
 * <p>Share groups (KIP-932, key types 10–15, {@link ShareGroupRecords}) are Kafka's records byte for byte:
 * keys as above (groupId, and memberId for 10, 13 and 14), values laid out in {@link ShareRecordsSerde}.
 *
 * <p>An unknown key type or value version, a truncated record, or a null where a key field, member
 * id or topic name belongs is a {@link CoordinatorRecordFormatException}: a newer broker or a
 * corrupt write produced it, and guessing would corrupt state. Loading a shard skips such a
 * record with a warning.
 */
public final class CoordinatorRecordSerde {

    public static final short OFFSET_KEY_TYPE = 1;
    public static final short GROUP_KEY_TYPE = 2;
    public static final short CONSUMER_GROUP_METADATA_KEY_TYPE = 3;
    public static final short CONSUMER_MEMBER_METADATA_KEY_TYPE = 5;
    public static final short TARGET_ASSIGNMENT_METADATA_KEY_TYPE = 6;
    public static final short TARGET_ASSIGNMENT_MEMBER_KEY_TYPE = 7;
    public static final short CONSUMER_MEMBER_ASSIGNMENT_KEY_TYPE = 8;
    public static final short SHARE_GROUP_MEMBER_METADATA_KEY_TYPE = 10;
    public static final short SHARE_GROUP_METADATA_KEY_TYPE = 11;
    public static final short SHARE_GROUP_TARGET_ASSIGNMENT_METADATA_KEY_TYPE = 12;
    public static final short SHARE_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY_TYPE = 13;
    public static final short SHARE_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY_TYPE = 14;
    public static final short SHARE_GROUP_STATE_PARTITION_METADATA_KEY_TYPE = 15;
    static final short VALUE_VERSION = 0;
    static final int KEY_TYPE_FIELD_OFFSET = 0;
    static final int OFFSET_VALUE_COMMITTED_OFFSET_OFFSET = 2;
    static final int OFFSET_VALUE_LEADER_EPOCH_OFFSET = 10;
    static final int OFFSET_VALUE_COMMIT_TIMESTAMP_OFFSET = 14;
    static final int OFFSET_VALUE_EXPIRE_TIMESTAMP_OFFSET = 22;
    static final int OFFSET_VALUE_METADATA_OFFSET = 30;
    static final int GROUP_VALUE_GENERATION_OFFSET = 2;
    static final int GROUP_VALUE_STATE_TIMESTAMP_OFFSET = 6;
    static final int GROUP_VALUE_PROTOCOL_TYPE_OFFSET = 14;

    private CoordinatorRecordSerde() {
    }

    public static byte[] serializeKey(CoordinatorRecord.Key key) {
        Writer w = new Writer();
        if (key instanceof OffsetKey k) {
            w.int16(OFFSET_KEY_TYPE).string(k.groupId()).string(k.topic()).int32(k.partition());
        } else if (key instanceof GroupKey k) {
            w.int16(GROUP_KEY_TYPE).string(k.groupId());
        } else if (key instanceof ConsumerGroupMetadataKey k) {
            w.int16(CONSUMER_GROUP_METADATA_KEY_TYPE).string(k.groupId());
        } else if (key instanceof ConsumerMemberMetadataKey k) {
            w.int16(CONSUMER_MEMBER_METADATA_KEY_TYPE).string(k.groupId()).string(k.memberId());
        } else if (key instanceof TargetAssignmentMetadataKey k) {
            w.int16(TARGET_ASSIGNMENT_METADATA_KEY_TYPE).string(k.groupId());
        } else if (key instanceof TargetAssignmentMemberKey k) {
            w.int16(TARGET_ASSIGNMENT_MEMBER_KEY_TYPE).string(k.groupId()).string(k.memberId());
        } else if (key instanceof ConsumerMemberAssignmentKey k) {
            w.int16(CONSUMER_MEMBER_ASSIGNMENT_KEY_TYPE).string(k.groupId()).string(k.memberId());
        } else if (key instanceof ShareGroupRecords.MemberMetadataKey k) {
            w.int16(SHARE_GROUP_MEMBER_METADATA_KEY_TYPE).string(k.groupId()).string(k.memberId());
        } else if (key instanceof ShareGroupRecords.GroupMetadataKey k) {
            w.int16(SHARE_GROUP_METADATA_KEY_TYPE).string(k.groupId());
        } else if (key instanceof ShareGroupRecords.TargetAssignmentMetadataKey k) {
            w.int16(SHARE_GROUP_TARGET_ASSIGNMENT_METADATA_KEY_TYPE).string(k.groupId());
        } else if (key instanceof ShareGroupRecords.TargetAssignmentMemberKey k) {
            w.int16(SHARE_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY_TYPE).string(k.groupId()).string(k.memberId());
        } else if (key instanceof ShareGroupRecords.MemberAssignmentKey k) {
            w.int16(SHARE_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY_TYPE).string(k.groupId()).string(k.memberId());
        } else if (key instanceof ShareGroupRecords.StatePartitionMetadataKey k) {
            w.int16(SHARE_GROUP_STATE_PARTITION_METADATA_KEY_TYPE).string(k.groupId());
        }
        return w.toArray();
    }

    /** The value's bytes, null for a tombstone. */
    public static byte[] serializeValue(CoordinatorRecord.Value value) {
        if (value == null) {
            return null;
        }
        Writer w = new Writer().int16(VALUE_VERSION);
        if (value instanceof OffsetValue v) {
            w.int64(v.committedOffset()).int32(v.leaderEpoch()).int64(v.commitTimestampMs())
                    .int64(v.expireTimestampMs()).string(v.metadata());
        } else if (value instanceof GroupValue v) {
            w.int32(v.generationId()).int64(v.stateTimestampMs()).string(v.protocolType())
                    .string(v.protocolName()).string(v.leaderId()).int32(v.members().size());
            for (MemberValue m : v.members()) {
                w.string(m.memberId()).string(m.groupInstanceId()).string(m.clientId()).string(m.clientHost())
                        .int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs())
                        .bytes(m.subscription()).bytes(m.assignment());
            }
        } else if (value instanceof ShareGroupRecords.ShareValue) {
            ShareRecordsSerde.writeValue(w, value);
        } else {
            ConsumerRecordsSerde.writeValue(w, value);
        }
        return w.toArray();
    }

    /** Decodes a record read back from the log; {@code value} null is a tombstone. */
    public static CoordinatorRecord deserialize(ByteBuffer key, ByteBuffer value) {
        try {
            ByteBuffer k = key.duplicate();
            if (k.remaining() < 2) {
                throw new CoordinatorRecordFormatException("Key too short for its type: keyBytes=" + k.remaining());
            }
            short keyType = k.getShort();
            CoordinatorRecord.Key parsedKey = switch (keyType) {
                case OFFSET_KEY_TYPE -> new OffsetKey(requiredString(k), requiredString(k), k.getInt());
                case GROUP_KEY_TYPE -> new GroupKey(requiredString(k));
                case CONSUMER_GROUP_METADATA_KEY_TYPE -> new ConsumerGroupMetadataKey(requiredString(k));
                case CONSUMER_MEMBER_METADATA_KEY_TYPE ->
                        new ConsumerMemberMetadataKey(requiredString(k), requiredString(k));
                case TARGET_ASSIGNMENT_METADATA_KEY_TYPE -> new TargetAssignmentMetadataKey(requiredString(k));
                case TARGET_ASSIGNMENT_MEMBER_KEY_TYPE ->
                        new TargetAssignmentMemberKey(requiredString(k), requiredString(k));
                case CONSUMER_MEMBER_ASSIGNMENT_KEY_TYPE ->
                        new ConsumerMemberAssignmentKey(requiredString(k), requiredString(k));
                case SHARE_GROUP_MEMBER_METADATA_KEY_TYPE ->
                        new ShareGroupRecords.MemberMetadataKey(requiredString(k), requiredString(k));
                case SHARE_GROUP_METADATA_KEY_TYPE -> new ShareGroupRecords.GroupMetadataKey(requiredString(k));
                case SHARE_GROUP_TARGET_ASSIGNMENT_METADATA_KEY_TYPE ->
                        new ShareGroupRecords.TargetAssignmentMetadataKey(requiredString(k));
                case SHARE_GROUP_TARGET_ASSIGNMENT_MEMBER_KEY_TYPE ->
                        new ShareGroupRecords.TargetAssignmentMemberKey(requiredString(k), requiredString(k));
                case SHARE_GROUP_CURRENT_MEMBER_ASSIGNMENT_KEY_TYPE ->
                        new ShareGroupRecords.MemberAssignmentKey(requiredString(k), requiredString(k));
                case SHARE_GROUP_STATE_PARTITION_METADATA_KEY_TYPE ->
                        new ShareGroupRecords.StatePartitionMetadataKey(requiredString(k));
                default -> throw new CoordinatorRecordFormatException("Unknown record key type: keyType=" + keyType);
            };
            if (value == null) {
                return new CoordinatorRecord(parsedKey, null);
            }
            ByteBuffer v = value.duplicate();
            if (v.remaining() < 2) {
                throw new CoordinatorRecordFormatException("Value too short for its version: keyType=" + keyType
                        + " valueBytes=" + v.remaining());
            }
            short version = v.getShort();
            if (version != VALUE_VERSION) {
                throw new CoordinatorRecordFormatException("Unknown record value version: keyType=" + keyType
                        + " version=" + version);
            }
            if (keyType == OFFSET_KEY_TYPE) {
                long offset = v.getLong();
                int epoch = v.getInt();
                long commitMs = v.getLong();
                long expireMs = v.getLong();
                return new CoordinatorRecord(parsedKey, new OffsetValue(offset, epoch, string(v), commitMs, expireMs));
            }
            if (ShareRecordsSerde.isShareKeyType(keyType)) {
                return new CoordinatorRecord(parsedKey, ShareRecordsSerde.readValue(keyType, v));
            }
            if (keyType != GROUP_KEY_TYPE) {
                return new CoordinatorRecord(parsedKey, ConsumerRecordsSerde.readValue(keyType, v));
            }
            int generation = v.getInt();
            long stateMs = v.getLong();
            String protocolType = string(v);
            String protocolName = string(v);
            String leader = string(v);
            int count = v.getInt();
            List<MemberValue> members = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                members.add(new MemberValue(requiredString(v), string(v), string(v), string(v), v.getInt(), v.getInt(),
                        bytes(v), bytes(v)));
            }
            return new CoordinatorRecord(parsedKey,
                    new GroupValue(protocolType, generation, protocolName, leader, stateMs, members));
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException
                 | NullPointerException e) {
            throw new CoordinatorRecordFormatException("Truncated or malformed coordinator record: keyBytes="
                    + key.remaining() + " valueBytes=" + (value == null ? -1 : value.remaining()) + " cause=" + e);
        }
    }

    static String string(ByteBuffer buf) {
        short length = buf.getShort();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A string that may not be null: a key field, a member id, a topic name. */
    static String requiredString(ByteBuffer buf) {
        String value = string(buf);
        if (value == null) {
            throw new IllegalArgumentException("null where a string is required");
        }
        return value;
    }

    private static byte[] bytes(ByteBuffer buf) {
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
            throw new IllegalArgumentException("bytes length " + length);
        }
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return bytes;
    }

    /** A growable big-endian writer. */
    static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(64);

        private void ensure(int bytes) {
            if (buf.remaining() < bytes) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + bytes));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Writer int8(byte value) {
            ensure(1);
            buf.put(value);
            return this;
        }

        Writer int16(short value) {
            ensure(2);
            buf.putShort(value);
            return this;
        }

        Writer int32(int value) {
            ensure(4);
            buf.putInt(value);
            return this;
        }

        Writer int64(long value) {
            ensure(8);
            buf.putLong(value);
            return this;
        }

        Writer string(String value) {
            if (value == null) {
                return int16((short) -1);
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("String of " + bytes.length + " bytes is too long for a record");
            }
            int16((short) bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        /** An unsigned varint, as Kafka's flexible messages write lengths and counts. */
        Writer uvarint(int value) {
            ensure(5);
            org.apache.kafka.common.utils.ByteUtils.writeUnsignedVarint(value, buf);
            return this;
        }

        Writer uuid(org.apache.kafka.common.Uuid value) {
            return int64(value.getMostSignificantBits()).int64(value.getLeastSignificantBits());
        }

        /** The bytes as they are, without a length. */
        Writer raw(byte[] value) {
            ensure(value.length);
            buf.put(value);
            return this;
        }

        Writer bytes(byte[] value) {
            int32(value.length);
            ensure(value.length);
            buf.put(value);
            return this;
        }

        byte[] toArray() {
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }
}
