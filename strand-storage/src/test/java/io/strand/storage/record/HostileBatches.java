package io.strand.storage.record;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * Batches whose records lie while the batch is otherwise perfect: the records are written by
 * kafka-clients' builder, their uncompressed bytes patched, compressed again with the batch's codec,
 * and the batch's length and CRC recomputed, as an attacker (or a broken client) would send them.
 */
final class HostileBatches {

    static final int LENGTH_OFFSET = 8;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int RECORDS_OFFSET = 61;

    private HostileBatches() {
    }

    /** Three keyed records with one header each, values "a", "b", "c". */
    static SimpleRecord[] threeRecords(long timestampMs) {
        SimpleRecord[] records = new SimpleRecord[3];
        String[] values = {"a", "b", "c"};
        for (int i = 0; i < records.length; i++) {
            Header[] headers = {new RecordHeader("hk", "hv".getBytes(StandardCharsets.UTF_8))};
            records[i] = new SimpleRecord(timestampMs, ("k-" + values[i]).getBytes(StandardCharsets.UTF_8),
                    values[i].getBytes(StandardCharsets.UTF_8), headers);
        }
        return records;
    }

    /** A v2 batch of {@code records} in {@code codec} whose uncompressed records section is {@code patch}ed. */
    static MemoryRecords build(CompressionType codec, UnaryOperator<byte[]> patch, SimpleRecord... records) {
        ByteBuffer plain = MemoryRecords.withRecords(Compression.NONE, records).buffer();
        byte[] header = new byte[RECORDS_OFFSET];
        plain.duplicate().get(header);
        byte[] section = new byte[plain.remaining() - RECORDS_OFFSET];
        plain.duplicate().position(RECORDS_OFFSET).get(section);
        return assemble(codec, header, patch.apply(section));
    }

    /** A batch with {@code header}'s fields (count, timestamps …) around {@code section}, compressed with {@code codec}. */
    static MemoryRecords assemble(CompressionType codec, byte[] header, byte[] section) {
        byte[] body = codec == CompressionType.NONE ? section : compress(codec, section);
        ByteBuffer out = ByteBuffer.allocate(RECORDS_OFFSET + body.length);
        out.put(header).put(body).flip();
        out.putInt(LENGTH_OFFSET, out.limit() - 12);
        short attributes = out.getShort(ATTRIBUTES_OFFSET);
        out.putShort(ATTRIBUTES_OFFSET, (short) ((attributes & ~0x07) | codec.id));
        fixCrc(out);
        return MemoryRecords.readableRecords(out);
    }

    static byte[] compress(CompressionType codec, byte[] bytes) {
        ByteBufferOutputStream sink = new ByteBufferOutputStream(1024);
        try (OutputStream out = Compression.of(codec).build().wrapForOutput(sink, RecordBatch.MAGIC_VALUE_V2)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer compressed = sink.buffer().flip();
        byte[] result = new byte[compressed.remaining()];
        compressed.get(result);
        return result;
    }

    /** Recomputes the CRC of the single batch in {@code buf}. */
    static void fixCrc(ByteBuffer buf) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(ATTRIBUTES_OFFSET));
        buf.putInt(DefaultRecordBatch.CRC_OFFSET, (int) crc.getValue());
    }

    /** Where the fields of one record sit in an uncompressed records section (offsets into it). */
    record Layout(int lengthAt, int bodyEnd, int offsetDeltaAt, int keyLengthAt, int valueLengthAt,
                  int headerCountAt, int headerKeyLengthAt, int headerValueLengthAt) {

        /** The layout of record {@code index} (of a record with at least one header). */
        static Layout of(byte[] section, int index) {
            ByteBuffer b = ByteBuffer.wrap(section);
            for (int i = 0; i < index; i++) {
                int length = ByteUtils.readVarint(b);
                b.position(b.position() + length);
            }
            int lengthAt = b.position();
            int length = ByteUtils.readVarint(b);
            int bodyEnd = b.position() + length;
            b.get(); // attributes
            ByteUtils.readVarlong(b);
            int offsetDeltaAt = b.position();
            ByteUtils.readVarint(b);
            int keyLengthAt = b.position();
            skipSized(b);
            int valueLengthAt = b.position();
            skipSized(b);
            int headerCountAt = b.position();
            ByteUtils.readVarint(b);
            int headerKeyLengthAt = b.position();
            skipSized(b);
            int headerValueLengthAt = b.position();
            return new Layout(lengthAt, bodyEnd, offsetDeltaAt, keyLengthAt, valueLengthAt, headerCountAt,
                    headerKeyLengthAt, headerValueLengthAt);
        }

        private static void skipSized(ByteBuffer b) {
            int n = ByteUtils.readVarint(b);
            b.position(b.position() + Math.max(n, 0));
        }
    }

    /** Reads the one-byte varint at {@code at}. */
    static int varintAt(byte[] section, int at) {
        return ByteUtils.readVarint(ByteBuffer.wrap(section).position(at));
    }

    /** Overwrites the one-byte varint at {@code at} with {@code value}, which must fit one byte too. */
    static byte[] setVarint(byte[] section, int at, int value) {
        int zigZag = (value << 1) ^ (value >> 31);
        if ((section[at] & 0x80) != 0 || (zigZag & ~0x7f) != 0) {
            throw new IllegalArgumentException("Not a one-byte varint at=" + at + " value=" + value);
        }
        byte[] copy = section.clone();
        copy[at] = (byte) zigZag;
        return copy;
    }

    /**
     * Replaces {@code replaced} bytes at {@code at} of record {@code index} by {@code bytes}, and grows the
     * record's (one-byte) length to match, so the records after it still start where their length says.
     */
    static byte[] splice(byte[] section, int index, int at, int replaced, byte... bytes) {
        Layout layout = Layout.of(section, index);
        byte[] out = replace(section, at, replaced, bytes);
        return setVarint(out, layout.lengthAt(), varintAt(section, layout.lengthAt()) + bytes.length - replaced);
    }

    /** Replaces {@code replaced} bytes at {@code at} by {@code bytes}, changing nothing else. */
    static byte[] replace(byte[] section, int at, int replaced, byte... bytes) {
        byte[] out = new byte[section.length + bytes.length - replaced];
        System.arraycopy(section, 0, out, 0, at);
        System.arraycopy(bytes, 0, out, at, bytes.length);
        System.arraycopy(section, at + replaced, out, at + bytes.length, section.length - at - replaced);
        return out;
    }

    static byte[] append(byte[] section, byte... bytes) {
        byte[] out = Arrays.copyOf(section, section.length + bytes.length);
        System.arraycopy(bytes, 0, out, section.length, bytes.length);
        return out;
    }
}
