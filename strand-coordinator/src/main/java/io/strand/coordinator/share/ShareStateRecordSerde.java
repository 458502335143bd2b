package io.strand.coordinator.share;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * The bytes of {@code __share_group_state} records, Kafka's exactly (checked against the generated
 * classes of Kafka's share coordinator in tests).
 *
 * <p>Key (non-flexible, version 0 of {@code ShareSnapshotKey}/{@code ShareUpdateKey}):
 * <pre>
 *   int16  record type       0 ShareSnapshot, 1 ShareUpdate
 *   int16  group id length, then its UTF-8 bytes
 *   16     topic id          most then least significant 64 bits
 *   int32  partition
 * </pre>
 * Value (version 0, flexible: compact arrays, tagged fields): an int16 version 0, then for a snapshot
 * {@code snapshot_epoch int32, state_epoch int32, leader_epoch int32, start_offset int64,
 * create_timestamp int64, write_timestamp int64, state_batches}, for an update
 * {@code snapshot_epoch int32, leader_epoch int32, start_offset int64, state_batches}; {@code state_batches}
 * is a compact array (unsigned varint length + 1) of {@code first_offset int64, last_offset int64,
 * delivery_state int8, delivery_count int16, tagged fields}; the value ends with its tagged fields, where
 * tag 0 is {@code delivery_complete_count} (int32, written only when not -1). A tombstone is a
 * {@code ShareSnapshot} key with a null value.
 *
 * <p>Stateless; thread-safe.
 */
public final class ShareStateRecordSerde {

    static final short SNAPSHOT_TYPE = 0;
    static final short UPDATE_TYPE = 1;
    static final short VALUE_VERSION = 0;
    private static final int DELIVERY_COMPLETE_COUNT_TAG = 0;
    private static final int BATCH_BYTES = 8 + 8 + 1 + 2 + 1;

    private ShareStateRecordSerde() {
    }

    /** A record that cannot be read: no key, an unknown type or version, or truncated. */
    public static final class FormatException extends RuntimeException {
        FormatException(String message) {
            super(message);
        }
    }

    public static byte[] serializeKey(ShareStateRecord record) {
        short type = record instanceof ShareStateRecord.Update ? UPDATE_TYPE : SNAPSHOT_TYPE;
        ShareStateKey key = record.key();
        byte[] group = key.groupId().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(2 + 2 + group.length + 16 + 4);
        buffer.putShort(type).putShort((short) group.length).put(group);
        buffer.putLong(key.topicId().getMostSignificantBits()).putLong(key.topicId().getLeastSignificantBits());
        buffer.putInt(key.partition());
        return buffer.array();
    }

    /** The value's bytes; null for a tombstone. */
    public static byte[] serializeValue(ShareStateRecord record) {
        if (record instanceof ShareStateRecord.Snapshot s) {
            ShareState state = s.state();
            ByteBuffer buffer = ByteBuffer.allocate(2 + 4 + 4 + 4 + 8 + 8 + 8 + batchesSize(state.stateBatches())
                    + taggedSize(state.deliveryCompleteCount()));
            buffer.putShort(VALUE_VERSION).putInt(state.snapshotEpoch()).putInt(state.stateEpoch())
                    .putInt(state.leaderEpoch()).putLong(state.startOffset()).putLong(state.createTimestamp())
                    .putLong(state.writeTimestamp());
            writeBatches(buffer, state.stateBatches());
            writeTagged(buffer, state.deliveryCompleteCount());
            return buffer.array();
        }
        if (record instanceof ShareStateRecord.Update u) {
            ByteBuffer buffer = ByteBuffer.allocate(2 + 4 + 4 + 8 + batchesSize(u.stateBatches())
                    + taggedSize(u.deliveryCompleteCount()));
            buffer.putShort(VALUE_VERSION).putInt(u.snapshotEpoch()).putInt(u.leaderEpoch()).putLong(u.startOffset());
            writeBatches(buffer, u.stateBatches());
            writeTagged(buffer, u.deliveryCompleteCount());
            return buffer.array();
        }
        return null; // a tombstone
    }

    /**
     * Reads a record; a null {@code value} is a tombstone of the key.
     *
     * @throws FormatException if the bytes are not a record of a known type and version
     */
    public static ShareStateRecord deserialize(ByteBuffer key, ByteBuffer value) {
        try {
            ByteBuffer k = key.duplicate();
            short type = k.getShort();
            if (type != SNAPSHOT_TYPE && type != UPDATE_TYPE) {
                throw new FormatException("unknown record type=" + type);
            }
            short groupLength = k.getShort();
            if (groupLength < 0) {
                throw new FormatException("null group id");
            }
            byte[] group = new byte[groupLength];
            k.get(group);
            Uuid topicId = new Uuid(k.getLong(), k.getLong());
            ShareStateKey stateKey = new ShareStateKey(new String(group, StandardCharsets.UTF_8), topicId, k.getInt());
            if (value == null) {
                return new ShareStateRecord.Tombstone(stateKey);
            }
            ByteBuffer v = value.duplicate();
            short version = v.getShort();
            if (version != VALUE_VERSION) {
                throw new FormatException("unknown value version=" + version + " of record type=" + type);
            }
            if (type == SNAPSHOT_TYPE) {
                int snapshotEpoch = v.getInt();
                int stateEpoch = v.getInt();
                int leaderEpoch = v.getInt();
                long startOffset = v.getLong();
                long createTimestamp = v.getLong();
                long writeTimestamp = v.getLong();
                List<StateBatch> batches = readBatches(v);
                int completeCount = readTagged(v);
                return new ShareStateRecord.Snapshot(stateKey, new ShareState(snapshotEpoch, stateEpoch, leaderEpoch,
                        startOffset, completeCount, createTimestamp, writeTimestamp, batches, 0));
            }
            int snapshotEpoch = v.getInt();
            int leaderEpoch = v.getInt();
            long startOffset = v.getLong();
            List<StateBatch> batches = readBatches(v);
            int completeCount = readTagged(v);
            return new ShareStateRecord.Update(stateKey, snapshotEpoch, leaderEpoch, startOffset, completeCount, batches);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new FormatException("truncated or malformed record: " + e);
        }
    }

    private static int batchesSize(List<StateBatch> batches) {
        return ByteUtils.sizeOfUnsignedVarint(batches.size() + 1) + batches.size() * BATCH_BYTES;
    }

    private static void writeBatches(ByteBuffer buffer, List<StateBatch> batches) {
        ByteUtils.writeUnsignedVarint(batches.size() + 1, buffer);
        for (StateBatch b : batches) {
            buffer.putLong(b.firstOffset()).putLong(b.lastOffset()).put(b.deliveryState()).putShort(b.deliveryCount());
            ByteUtils.writeUnsignedVarint(0, buffer); // no tagged fields
        }
    }

    private static List<StateBatch> readBatches(ByteBuffer v) {
        int count = ByteUtils.readUnsignedVarint(v) - 1;
        if (count < 0 || count > v.remaining() / BATCH_BYTES) {
            throw new FormatException("bad state batch count=" + count);
        }
        List<StateBatch> batches = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StateBatch batch = new StateBatch(v.getLong(), v.getLong(), v.get(), v.getShort());
            skipTagged(v);
            batches.add(batch);
        }
        return batches;
    }

    private static int taggedSize(int deliveryCompleteCount) {
        return deliveryCompleteCount == -1 ? 1 : 1 + 1 + 1 + 4;
    }

    private static void writeTagged(ByteBuffer buffer, int deliveryCompleteCount) {
        if (deliveryCompleteCount == -1) {
            ByteUtils.writeUnsignedVarint(0, buffer);
            return;
        }
        ByteUtils.writeUnsignedVarint(1, buffer);
        ByteUtils.writeUnsignedVarint(DELIVERY_COMPLETE_COUNT_TAG, buffer);
        ByteUtils.writeUnsignedVarint(4, buffer);
        buffer.putInt(deliveryCompleteCount);
    }

    /** The value's tagged fields: delivery_complete_count, or -1 without it; unknown tags are skipped. */
    private static int readTagged(ByteBuffer v) {
        int completeCount = -1;
        int fields = ByteUtils.readUnsignedVarint(v);
        for (int i = 0; i < fields; i++) {
            int tag = ByteUtils.readUnsignedVarint(v);
            int size = ByteUtils.readUnsignedVarint(v);
            if (tag == DELIVERY_COMPLETE_COUNT_TAG && size == 4) {
                completeCount = v.getInt();
            } else {
                v.position(v.position() + size);
            }
        }
        return completeCount;
    }

    private static void skipTagged(ByteBuffer v) {
        int fields = ByteUtils.readUnsignedVarint(v);
        for (int i = 0; i < fields; i++) {
            ByteUtils.readUnsignedVarint(v);
            int size = ByteUtils.readUnsignedVarint(v);
            v.position(v.position() + size);
        }
    }
}
