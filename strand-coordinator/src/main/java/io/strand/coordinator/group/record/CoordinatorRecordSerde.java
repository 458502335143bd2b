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
 * Offset commit and group metadata values are Kafka's, as its group coordinator writes them, so
 * tools that read {@code __consumer_offsets} (Kafka's {@code OffsetsMessageFormatter} and
 * {@code GroupMetadataMessageFormatter}, lag monitors) read them too. Offset commit value (absent:
 * tombstone), version 3, or version 1 when the commit carries an expiry (which has no leader epoch:
 * it reads back as -1, as from Kafka's):
 * <pre>
 * | field             | type   | versions |
 * |-------------------|--------|----------|
 * | version           | int16  | 1, 3     |
 * | committedOffset   | int64  | 1, 3     |
 * | leaderEpoch       | int32  | 3        |
 * | metadata          | string | 1, 3     |
 * | commitTimestampMs | int64  | 1, 3     |
 * | expireTimestampMs | int64  | 1        |
 * </pre>
 * Group metadata value, version 3:
 * <pre>
 * | field             | type   |
 * |-------------------|--------|
 * | version           | int16  | (3)
 * | protocolType      | string |
 * | generationId      | int32  |
 * | protocolName      | string (nullable) |
 * | leaderId          | string (nullable) |
 * | stateTimestampMs  | int64  |
 * | memberCount       | int32  |
 * | members           | memberCount × member |
 * </pre>
 * Member: memberId string, groupInstanceId nullable string, clientId string, clientHost string,
 * rebalanceTimeoutMs int32, sessionTimeoutMs int32, subscription bytes, assignment bytes.
 *
 * <p>Consumer-protocol groups (KIP-848, key types 3 and 5 to 8; keys: groupId, and memberId for 5, 7
 * and 8) are Kafka's records too, values laid out in {@link ConsumerRecordsSerde}: their topics go by
 * id, so writing and reading them takes the cluster's {@link TopicIds}.
 *
 * <p>Version 0 of offset commits and group metadata, and of consumer group values that are not
 * Kafka's, is the layout this broker wrote before ({@link LegacyRecordsSerde}), still read. Kafka has
 * not written version 0 of offset commits and group metadata since its 0.10 releases, and only this
 * broker writes the logs it reads; a consumer group value of version 0 is read as Kafka's first, and as
 * the earlier layout when its bytes are not Kafka's. A record is written again in the current layout
 * the next time its group commits or changes.
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
    /** The value version of every record but offset commits and group metadata. */
    static final short VALUE_VERSION = 0;
    /** Kafka's offset commit value version for a commit without an expiry. */
    static final short OFFSET_VALUE_VERSION = 3;
    /** Kafka's offset commit value version for a commit with an expiry (no leader epoch). */
    static final short OFFSET_VALUE_WITH_EXPIRY_VERSION = 1;
    /** Kafka's group metadata value version. */
    static final short GROUP_VALUE_VERSION = 3;
    /** This broker's earlier layout of offset commit and group metadata values. */
    static final short LEGACY_VALUE_VERSION = 0;
    static final int KEY_TYPE_FIELD_OFFSET = 0;
    /** An offset commit's expiry when it has none. */
    static final long NO_EXPIRY = -1L;
    static final int NO_LEADER_EPOCH = -1;

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

    /** The value's bytes, null for a tombstone; a consumer group's topics become ids through {@code topicIds}. */
    public static byte[] serializeValue(CoordinatorRecord.Value value, TopicIds topicIds) {
        if (value == null) {
            return null;
        }
        Writer w = new Writer();
        if (value instanceof OffsetValue v) {
            if (v.expireTimestampMs() == NO_EXPIRY) {
                w.int16(OFFSET_VALUE_VERSION).int64(v.committedOffset()).int32(v.leaderEpoch()).string(v.metadata())
                        .int64(v.commitTimestampMs());
            } else {
                w.int16(OFFSET_VALUE_WITH_EXPIRY_VERSION).int64(v.committedOffset()).string(v.metadata())
                        .int64(v.commitTimestampMs()).int64(v.expireTimestampMs());
            }
        } else if (value instanceof GroupValue v) {
            w.int16(GROUP_VALUE_VERSION).string(v.protocolType()).int32(v.generationId()).string(v.protocolName())
                    .string(v.leaderId()).int64(v.stateTimestampMs()).int32(v.members().size());
            for (MemberValue m : v.members()) {
                w.string(m.memberId()).string(m.groupInstanceId()).string(nonNull(m.clientId()))
                        .string(nonNull(m.clientHost())).int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs())
                        .bytes(m.subscription()).bytes(m.assignment());
            }
        } else if (value instanceof ShareGroupRecords.ShareValue) {
            ShareRecordsSerde.writeValue(w.int16(VALUE_VERSION), value);
        } else {
            ConsumerRecordsSerde.writeValue(w.int16(VALUE_VERSION), value, topicIds);
        }
        return w.toArray();
    }

    /** Kafka's non-nullable strings: a missing client id or host is written empty. */
    private static String nonNull(String value) {
        return value == null ? "" : value;
    }

    /**
     * Decodes a record read back from the log; {@code value} null is a tombstone. A consumer group's
     * topic ids become names through {@code topicIds}.
     */
    public static CoordinatorRecord deserialize(ByteBuffer key, ByteBuffer value, TopicIds topicIds) {
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
            if (keyType == OFFSET_KEY_TYPE) {
                return new CoordinatorRecord(parsedKey, switch (version) {
                    case OFFSET_VALUE_VERSION -> offsetValueV3(v);
                    case OFFSET_VALUE_WITH_EXPIRY_VERSION -> offsetValueV1(v);
                    case LEGACY_VALUE_VERSION -> LegacyRecordsSerde.offsetValue(v);
                    default -> throw unknownVersion(keyType, version);
                });
            }
            if (keyType == GROUP_KEY_TYPE) {
                return new CoordinatorRecord(parsedKey, switch (version) {
                    case GROUP_VALUE_VERSION -> groupValueV3(v);
                    case LEGACY_VALUE_VERSION -> LegacyRecordsSerde.groupValue(v);
                    default -> throw unknownVersion(keyType, version);
                });
            }
            if (version != VALUE_VERSION) {
                throw unknownVersion(keyType, version);
            }
            if (ShareRecordsSerde.isShareKeyType(keyType)) {
                return new CoordinatorRecord(parsedKey, ShareRecordsSerde.readValue(keyType, v));
            }
            return new CoordinatorRecord(parsedKey, consumerValue(keyType, v, topicIds));
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException
                 | NullPointerException e) {
            throw new CoordinatorRecordFormatException("Truncated or malformed coordinator record: keyBytes="
                    + key.remaining() + " valueBytes=" + (value == null ? -1 : value.remaining()) + " cause=" + e);
        }
    }

    /**
     * A consumer group value after its version: Kafka's when its bytes are Kafka's, to the last byte,
     * else the layout this broker wrote before.
     */
    private static CoordinatorRecord.Value consumerValue(short keyType, ByteBuffer v, TopicIds topicIds) {
        ByteBuffer kafkas = v.duplicate();
        try {
            CoordinatorRecord.Value value = ConsumerRecordsSerde.readValue(keyType, kafkas, topicIds);
            if (!kafkas.hasRemaining()) {
                return value;
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            // not Kafka's layout: the earlier one, below
        }
        CoordinatorRecord.Value legacy = LegacyRecordsSerde.consumerValue(keyType, v);
        if (v.hasRemaining()) {
            throw new IllegalArgumentException(v.remaining() + " bytes past the value");
        }
        return legacy;
    }

    private static CoordinatorRecordFormatException unknownVersion(short keyType, short version) {
        return new CoordinatorRecordFormatException("Unknown record value version: keyType=" + keyType
                + " version=" + version);
    }

    private static OffsetValue offsetValueV3(ByteBuffer v) {
        long offset = v.getLong();
        int epoch = v.getInt();
        String metadata = requiredString(v);
        return new OffsetValue(offset, epoch, metadata, v.getLong(), NO_EXPIRY);
    }

    private static OffsetValue offsetValueV1(ByteBuffer v) {
        long offset = v.getLong();
        String metadata = requiredString(v);
        long commitMs = v.getLong();
        return new OffsetValue(offset, NO_LEADER_EPOCH, metadata, commitMs, v.getLong());
    }

    private static GroupValue groupValueV3(ByteBuffer v) {
        String protocolType = requiredString(v);
        int generation = v.getInt();
        String protocolName = string(v);
        String leader = string(v);
        long stateMs = v.getLong();
        return new GroupValue(protocolType, generation, protocolName, leader, stateMs, members(v));
    }

    /** A group metadata value's member count and members, as both its layouts have them. */
    static List<MemberValue> members(ByteBuffer v) {
        int count = v.getInt();
        List<MemberValue> members = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            members.add(new MemberValue(requiredString(v), string(v), string(v), string(v), v.getInt(), v.getInt(),
                    bytes(v), bytes(v)));
        }
        return members;
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
