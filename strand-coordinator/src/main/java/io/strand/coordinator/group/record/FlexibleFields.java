package io.strand.coordinator.group.record;

import io.strand.coordinator.group.record.CoordinatorRecordSerde.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * The field encodings of Kafka's flexible message versions, as the share and consumer group records of
 * {@code __consumer_offsets} use them: compact strings and arrays (an unsigned varint of the length + 1,
 * 0 for null), uuids as two int64, and a tagged-field section (an unsigned varint count, then each
 * field's tag, size and bytes) after every struct. Readers throw {@link IllegalArgumentException} or
 * {@link java.nio.BufferUnderflowException} on bytes that do not fit, which the serde turns into a
 * {@link CoordinatorRecordFormatException}. Stateless.
 */
final class FlexibleFields {

    /** Guards allocations against a corrupt count. */
    private static final int MAX_COUNT = 1 << 20;

    private FlexibleFields() {
    }

    static void writeCompactString(Writer w, String value) {
        if (value == null) {
            w.uvarint(0);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("String of " + bytes.length + " bytes is too long for a record");
        }
        w.uvarint(bytes.length + 1).raw(bytes);
    }

    static String compactString(ByteBuffer v) {
        int length = ByteUtils.readUnsignedVarint(v) - 1;
        if (length < 0) {
            return null;
        }
        if (length > v.remaining()) {
            throw new IllegalArgumentException("string length " + length);
        }
        byte[] bytes = new byte[length];
        v.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String requiredCompactString(ByteBuffer v) {
        String value = compactString(v);
        if (value == null) {
            throw new IllegalArgumentException("null where a string is required");
        }
        return value;
    }

    static Uuid uuid(ByteBuffer v) {
        return new Uuid(v.getLong(), v.getLong());
    }

    /** A compact array's element count; null arrays (0) are not valid in these records. */
    static int count(ByteBuffer v) {
        int count = ByteUtils.readUnsignedVarint(v) - 1;
        if (count < 0 || count > MAX_COUNT || count > v.remaining()) {
            throw new IllegalArgumentException("count " + count);
        }
        return count;
    }

    /** A compact array of int32, in the collection's order. */
    static void writeInts(Writer w, Collection<Integer> values) {
        w.uvarint(values.size() + 1);
        values.forEach(w::int32);
    }

    /** The bytes {@link #writeInts} writes for {@code count} values. */
    static int intsSize(int count) {
        return ByteUtils.sizeOfUnsignedVarint(count + 1) + count * Integer.BYTES;
    }

    static SortedSet<Integer> readIntSet(ByteBuffer v) {
        int count = count(v);
        SortedSet<Integer> out = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            out.add(v.getInt());
        }
        return out;
    }

    static void skipTaggedFields(ByteBuffer v) {
        int fields = ByteUtils.readUnsignedVarint(v);
        for (int i = 0; i < fields; i++) {
            ByteUtils.readUnsignedVarint(v);
            skip(v, ByteUtils.readUnsignedVarint(v));
        }
    }

    static void skip(ByteBuffer v, int bytes) {
        if (bytes < 0 || bytes > v.remaining()) {
            throw new IllegalArgumentException("tagged field size " + bytes);
        }
        v.position(v.position() + bytes);
    }

    /** An epoch, then the tagged fields with tag 0 an int64 time, written when not 0 (target assignment metadata). */
    static void writeEpochAndTime(Writer w, int epoch, long timeMs) {
        w.int32(epoch);
        if (timeMs == 0) {
            w.uvarint(0);
        } else {
            w.uvarint(1).uvarint(0).uvarint(Long.BYTES).int64(timeMs);
        }
    }

    /** The tagged fields after {@link #writeEpochAndTime}'s epoch: tag 0's time, 0 when absent. */
    static long readTimeTag(ByteBuffer v) {
        long timeMs = 0;
        int fields = ByteUtils.readUnsignedVarint(v);
        for (int i = 0; i < fields; i++) {
            int tag = ByteUtils.readUnsignedVarint(v);
            int size = ByteUtils.readUnsignedVarint(v);
            if (tag == 0 && size == Long.BYTES) {
                timeMs = v.getLong();
            } else {
                skip(v, size);
            }
        }
        return timeMs;
    }
}
