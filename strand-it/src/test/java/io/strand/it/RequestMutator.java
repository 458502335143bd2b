package io.strand.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.ByteUtils;
import org.apache.kafka.common.utils.Crc32C;

/**
 * Damages a {@link GoldenRequest} in one of several ways, all driven by the {@link Random} it is
 * given, so that a (seed, case) pair names one mutated frame for good:
 *
 * <ul>
 *   <li>{@link Kind#BIT_FLIPS} — one to four bits of the body flipped;</li>
 *   <li>{@link Kind#TRUNCATE} — cut at a field boundary (end of header, before or after a length
 *       prefix, inside a record batch) or at a random point;</li>
 *   <li>{@link Kind#EXTEND} — garbage, or the body again, appended;</li>
 *   <li>{@link Kind#LENGTH_FIELD} — a byte run that could be an int16, int32 or unsigned-varint
 *       length or count (its value fits in what follows) set to a huge, negative or off-by-one value;</li>
 *   <li>{@link Kind#HEADER} — another API key or version, a broken client id length;</li>
 *   <li>{@link Kind#RECORD_BATCH} — a field of a record batch header, or a varint inside one of its
 *       records (for compressed batches, inside the decompressed records, compressed again), with
 *       the batch length and CRC recomputed so that the broker's validator, not its CRC check,
 *       meets the lie (sometimes the CRC is left stale on purpose);</li>
 *   <li>{@link Kind#STRUCTURE} — parsed with kafka-clients' message class, one field changed (a
 *       count, id or name set to an edge value, an array emptied or its elements repeated) and
 *       serialized again.</li>
 * </ul>
 *
 * Stateless; a mutation that does not apply to a request (no batch to damage) falls back to bit flips.
 */
final class RequestMutator {

    /** The kinds of damage, in the order {@link #mutate} draws them. */
    enum Kind { BIT_FLIPS, TRUNCATE, EXTEND, LENGTH_FIELD, HEADER, RECORD_BATCH, STRUCTURE }

    /** A damaged frame and what was done to it, for the failure message. */
    record Mutation(Kind kind, String description, byte[] frame) {
        @Override
        public String toString() {
            return kind + ": " + description;
        }
    }

    private static final int BATCH_HEADER_BYTES = 61;
    private static final int CRC_OFFSET = 17;
    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int MAX_REPEATS = 2_000;
    private static final List<String> NAMES = List.of("", "__consumer_offsets", "__cluster_metadata",
            FuzzTopics.ADMIN, "no-such-topic", "bad/name", ".", "..", "x".repeat(249),
            "y".repeat(40_000), "\u0000\u00ff");

    private RequestMutator() {
    }

    static Mutation mutate(GoldenRequest request, Random random) {
        Kind[] kinds = Kind.values();
        Kind kind = request.apiKey() == ApiKeys.PRODUCE && random.nextInt(3) == 0
                ? Kind.RECORD_BATCH : kinds[random.nextInt(kinds.length)];
        Mutation mutation = switch (kind) {
            case BIT_FLIPS -> bitFlips(request, random);
            case TRUNCATE -> truncate(request, random);
            case EXTEND -> extend(request, random);
            case LENGTH_FIELD -> lengthField(request, random);
            case HEADER -> header(request, random);
            case RECORD_BATCH -> recordBatch(request, random);
            case STRUCTURE -> structure(request, random);
        };
        return mutation != null ? mutation : bitFlips(request, random);
    }

    private static Mutation bitFlips(GoldenRequest request, Random random) {
        byte[] frame = request.frame().clone();
        int bodyBytes = frame.length - request.headerEnd();
        if (bodyBytes == 0) {
            return new Mutation(Kind.BIT_FLIPS, "empty body: 8 random bytes appended", concat(frame, randomBytes(random, 8)));
        }
        StringBuilder what = new StringBuilder("flipped");
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
            int at = request.headerEnd() + random.nextInt(bodyBytes);
            int bit = random.nextInt(8);
            frame[at] ^= (byte) (1 << bit);
            what.append(" byte ").append(at).append(" bit ").append(bit);
        }
        return new Mutation(Kind.BIT_FLIPS, what.toString(), frame);
    }

    private static Mutation truncate(GoldenRequest request, Random random) {
        List<Integer> boundaries = new ArrayList<>();
        boundaries.add(request.headerEnd());
        for (LengthField field : lengthFields(request.frame(), request.headerEnd())) {
            boundaries.add(field.at());
            boundaries.add(field.at() + field.width());
            boundaries.add(field.at() + field.width() + 1);
        }
        for (int batch : batchStarts(request.frame())) {
            for (int offset : new int[]{0, 8, 12, CRC_OFFSET, ATTRIBUTES_OFFSET, 57, BATCH_HEADER_BYTES, BATCH_HEADER_BYTES + 1}) {
                boundaries.add(batch + offset);
            }
        }
        boundaries.add(request.frame().length - 1);
        boundaries.add(request.headerEnd() + random.nextInt(Math.max(1, request.frame().length - request.headerEnd())));
        int at = Math.min(request.frame().length - 1, boundaries.get(random.nextInt(boundaries.size())));
        return new Mutation(Kind.TRUNCATE, "cut at " + at + " of " + request.frame().length,
                Arrays.copyOf(request.frame(), Math.max(at, 0)));
    }

    private static Mutation extend(GoldenRequest request, Random random) {
        if (random.nextBoolean()) {
            return new Mutation(Kind.EXTEND, "body appended again", concat(request.frame(), request.body()));
        }
        int n = 1 + random.nextInt(64);
        return new Mutation(Kind.EXTEND, n + " random bytes appended", concat(request.frame(), randomBytes(random, n)));
    }

    /** A run of bytes whose value, read as a length or count, fits in what follows it. */
    private record LengthField(int at, int width, long value) { }

    private static List<LengthField> lengthFields(byte[] frame, int from) {
        List<LengthField> fields = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        for (int i = from; i < frame.length; i++) {
            int rest = frame.length - i;
            if (rest >= 4) {
                int v = buffer.getInt(i);
                if (v > 0 && v <= rest - 4) {
                    fields.add(new LengthField(i, 4, v));
                }
            }
            if (rest >= 2) {
                short v = buffer.getShort(i);
                if (v > 0 && v <= rest - 2) {
                    fields.add(new LengthField(i, 2, v));
                }
            }
            int v = frame[i] & 0xff;
            if (v > 1 && v < 0x80 && v - 1 <= rest - 1) {
                fields.add(new LengthField(i, 1, v));
            }
        }
        return fields;
    }

    private static Mutation lengthField(GoldenRequest request, Random random) {
        List<LengthField> fields = lengthFields(request.frame(), request.headerEnd());
        if (fields.isEmpty()) {
            return null;
        }
        LengthField field = fields.get(random.nextInt(fields.size()));
        byte[] frame = request.frame();
        byte[] replacement;
        long value;
        switch (field.width()) {
            case 4 -> {
                value = pick(random, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -2, 0x7fff_fff0, 1 << 28,
                        field.value() + 1, field.value() - 1, field.value() * 1000);
                replacement = ByteBuffer.allocate(4).putInt((int) value).array();
            }
            case 2 -> {
                value = pick(random, Short.MAX_VALUE, Short.MIN_VALUE, -1, -2, field.value() + 1, field.value() - 1);
                replacement = ByteBuffer.allocate(2).putShort((short) value).array();
            }
            default -> {
                // a compact (length + 1) varint; 0 means null, and the longest forms ask for ~2^31 bytes
                value = pick(random, 0, Integer.MAX_VALUE, 0xffff_ffffL, 1 << 24, field.value() + 1, field.value() - 1);
                ByteBuffer varint = ByteBuffer.allocate(5);
                ByteUtils.writeUnsignedVarint((int) value, varint);
                replacement = Arrays.copyOf(varint.array(), varint.position());
            }
        }
        byte[] mutated = splice(frame, field.at(), field.width(), replacement);
        return new Mutation(Kind.LENGTH_FIELD, "int" + field.width() * 8 + " at " + field.at() + " was "
                + field.value() + ", now " + value, mutated);
    }

    private static Mutation header(GoldenRequest request, Random random) {
        byte[] frame = request.frame().clone();
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        switch (random.nextInt(4)) {
            case 0 -> {
                ApiKeys[] keys = ApiKeys.values();
                short key = random.nextInt(8) == 0 ? (short) random.nextInt(Short.MAX_VALUE) : keys[random.nextInt(keys.length)].id;
                buffer.putShort(0, key);
                return new Mutation(Kind.HEADER, "api key " + request.apiKey().id + " -> " + key, frame);
            }
            case 1 -> {
                short version = (short) pick(random, request.version() + 1, request.version() - 1, 0, -1,
                        request.apiKey().latestVersion(), request.apiKey().latestVersion() + 1, Short.MAX_VALUE);
                buffer.putShort(2, version);
                return new Mutation(Kind.HEADER, "api version " + request.version() + " -> " + version, frame);
            }
            case 2 -> {
                short length = (short) pick(random, Short.MAX_VALUE, -2, -1, 0, buffer.getShort(8) + 1);
                buffer.putShort(8, length);
                return new Mutation(Kind.HEADER, "client id length " + length, frame);
            }
            default -> {
                // the header's tagged fields (v2 headers): claim many
                if (request.apiKey().requestHeaderVersion(request.version()) < 2) {
                    return null;
                }
                frame[request.headerEnd() - 1] = (byte) pick(random, 1, 0x7f, 0xff);
                return new Mutation(Kind.HEADER, "header tagged field count byte " + frame[request.headerEnd() - 1], frame);
            }
        }
    }

    // ---- record batches ----

    /** Where the record batches in {@code frame} start: magic 2 and a CRC-32C that matches. */
    static List<Integer> batchStarts(byte[] frame) {
        List<Integer> starts = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        for (int i = 0; i + BATCH_HEADER_BYTES <= frame.length; i++) {
            if (frame[i + 16] != RecordBatch.MAGIC_VALUE_V2) {
                continue;
            }
            int batchLength = buffer.getInt(i + 8);
            if (batchLength < BATCH_HEADER_BYTES - 12 || i + 12L + batchLength > frame.length) {
                continue;
            }
            long crc = Crc32C.compute(frame, i + ATTRIBUTES_OFFSET, 12 + batchLength - ATTRIBUTES_OFFSET);
            if ((int) crc == buffer.getInt(i + CRC_OFFSET)) {
                starts.add(i);
            }
        }
        return starts;
    }

    private static Mutation recordBatch(GoldenRequest request, Random random) {
        if (request.apiKey() != ApiKeys.PRODUCE) {
            return null;
        }
        ByteBuffer body = ByteBuffer.wrap(request.body());
        ProduceRequestData data = new ProduceRequestData(new ByteBufferAccessor(body), request.version());
        List<ProduceRequestData.PartitionProduceData> partitions = data.topicData().stream()
                .flatMap(t -> t.partitionData().stream())
                .filter(p -> p.records() != null && p.records().sizeInBytes() > 0).toList();
        if (partitions.isEmpty()) {
            return null;
        }
        ProduceRequestData.PartitionProduceData partition = partitions.get(random.nextInt(partitions.size()));
        MemoryRecords records = (MemoryRecords) partition.records();
        byte[] batches = new byte[records.sizeInBytes()];
        records.buffer().duplicate().get(batches);
        // the first batch (clients send one per partition)
        int batchLength = ByteBuffer.wrap(batches).getInt(8);
        byte[] batch = Arrays.copyOf(batches, 12 + batchLength);
        String what;
        byte[] damaged;
        if (random.nextInt(3) == 0) {
            damaged = batch.clone();
            what = batchHeaderField(damaged, random);
        } else {
            String[] description = new String[1];
            damaged = insideRecords(batch, random, description);
            if (damaged == null) {
                return null;
            }
            what = description[0];
        }
        boolean keepStaleCrc = random.nextInt(10) == 0;
        if (!keepStaleCrc) {
            ByteBuffer.wrap(damaged).putInt(CRC_OFFSET, (int) Crc32C.compute(damaged, ATTRIBUTES_OFFSET,
                    damaged.length - ATTRIBUTES_OFFSET));
        }
        byte[] rest = Arrays.copyOfRange(batches, batch.length, batches.length);
        partition.setRecords(MemoryRecords.readableRecords(ByteBuffer.wrap(concat(damaged, rest))));
        ByteBuffer serialized = MessageUtil.toByteBufferAccessor(data, request.version()).buffer();
        byte[] frame = concat(Arrays.copyOf(request.frame(), request.headerEnd()), toArray(serialized));
        return new Mutation(Kind.RECORD_BATCH, "partition " + partition.index() + ": " + what
                + (keepStaleCrc ? " (CRC left stale)" : " (CRC recomputed)"), frame);
    }

    /** Sets one field of the batch header to an edge value; returns what it did. */
    private static String batchHeaderField(byte[] batch, Random random) {
        ByteBuffer b = ByteBuffer.wrap(batch);
        switch (random.nextInt(10)) {
            case 0 -> {
                int v = (int) pick(random, Integer.MAX_VALUE, -1, 0, b.getInt(8) + 1, b.getInt(8) - 1, 48);
                b.putInt(8, v);
                return "batchLength=" + v;
            }
            case 1 -> {
                int v = (int) pick(random, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 1_000_000, b.getInt(57) + 1,
                        b.getInt(57) - 1);
                b.putInt(57, v);
                return "recordCount=" + v;
            }
            case 2 -> {
                int v = (int) pick(random, Integer.MAX_VALUE, -1, 0, b.getInt(23) + 1, 1 << 30);
                b.putInt(23, v);
                return "lastOffsetDelta=" + v;
            }
            case 3 -> {
                short v = (short) (b.getShort(ATTRIBUTES_OFFSET) & ~0x7 | random.nextInt(8));
                b.putShort(ATTRIBUTES_OFFSET, v);
                return "compression bits=" + (v & 0x7);
            }
            case 4 -> {
                short v = (short) (b.getShort(ATTRIBUTES_OFFSET) | pick(random, 0x10, 0x20, 0x8, 0xffc0));
                b.putShort(ATTRIBUTES_OFFSET, v);
                return "attributes=0x" + Integer.toHexString(v & 0xffff) + " (transactional/control/timestamp bits)";
            }
            case 5 -> {
                long v = pick(random, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0);
                b.putLong(27 + 8 * random.nextInt(2), v);
                return "a timestamp=" + v;
            }
            case 6 -> {
                long v = pick(random, -1, 0, Long.MAX_VALUE, 12345);
                b.putLong(43, v);
                return "producerId=" + v;
            }
            case 7 -> {
                int v = (int) pick(random, -1, Integer.MAX_VALUE, 5, 0);
                b.putInt(53, v);
                return "baseSequence=" + v;
            }
            case 8 -> {
                long v = pick(random, -1, Long.MAX_VALUE, 1000);
                b.putLong(0, v);
                return "baseOffset=" + v;
            }
            default -> {
                b.put(16, (byte) pick(random, 0, 1, 3, -1));
                return "magic=" + b.get(16);
            }
        }
    }

    /**
     * One varint inside a record changed (length, timestamp/offset delta, key or value length,
     * header count, header key or value length); the record's own length is kept true unless that
     * is the field changed, so the lie sits inside a well-framed record. Compressed records are
     * decompressed, damaged and compressed again with the batch's codec.
     */
    private static byte[] insideRecords(byte[] batch, Random random, String[] description) {
        CompressionType codec = CompressionType.forId(ByteBuffer.wrap(batch).getShort(ATTRIBUTES_OFFSET) & 0x7);
        byte[] records = Arrays.copyOfRange(batch, BATCH_HEADER_BYTES, batch.length);
        if (codec != CompressionType.NONE) {
            records = decompress(codec, records);
        }
        List<Varint> varints = recordVarints(records);
        if (varints.isEmpty()) {
            return null;
        }
        Varint target = varints.get(random.nextInt(varints.size()));
        long value = pick(random, -1, -2, Integer.MAX_VALUE, Integer.MIN_VALUE, target.value() + 1,
                target.value() - 1, target.value() + 1000, 0, 1 << 20);
        byte[] encoded = varint(value);
        byte[] damaged = splice(records, target.at(), target.width(), encoded);
        if (!target.field().equals("recordLength")) {
            // keep the record's length true to the bytes it now has
            int newLength = (int) target.recordLength() + encoded.length - target.width();
            damaged = splice(damaged, target.recordStart(), target.recordLengthWidth(), varint(newLength));
        }
        description[0] = codec.name + " record " + target.record() + " " + target.field() + " " + target.value()
                + " -> " + value;
        if (codec != CompressionType.NONE) {
            damaged = compress(codec, damaged);
        }
        byte[] result = concat(Arrays.copyOf(batch, BATCH_HEADER_BYTES), damaged);
        ByteBuffer.wrap(result).putInt(8, result.length - 12);
        return result;
    }

    private record Varint(int record, String field, int at, int width, long value, int recordStart,
                          int recordLengthWidth, long recordLength) { }

    /** The varints of each record in {@code records}, as long as the records parse. */
    private static List<Varint> recordVarints(byte[] records) {
        List<Varint> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(records);
        int index = 0;
        try {
            while (b.hasRemaining()) {
                int start = b.position();
                int length = ByteUtils.readVarint(b);
                int lengthWidth = b.position() - start;
                int end = b.position() + length;
                if (length < 0 || end > records.length) {
                    return out;
                }
                out.add(new Varint(index, "recordLength", start, lengthWidth, length, start, lengthWidth, length));
                b.get(); // attributes
                addVarlong(out, b, index, "timestampDelta", start, lengthWidth, length);
                addVarint(out, b, index, "offsetDelta", start, lengthWidth, length);
                int keyLength = addVarint(out, b, index, "keyLength", start, lengthWidth, length);
                b.position(b.position() + Math.max(keyLength, 0));
                int valueLength = addVarint(out, b, index, "valueLength", start, lengthWidth, length);
                b.position(b.position() + Math.max(valueLength, 0));
                int headers = addVarint(out, b, index, "headerCount", start, lengthWidth, length);
                for (int h = 0; h < headers; h++) {
                    int keyBytes = addVarint(out, b, index, "headerKeyLength", start, lengthWidth, length);
                    b.position(b.position() + keyBytes);
                    int valueBytes = addVarint(out, b, index, "headerValueLength", start, lengthWidth, length);
                    b.position(b.position() + Math.max(valueBytes, 0));
                }
                b.position(end);
                index++;
            }
        } catch (RuntimeException e) {
            // records that do not parse: damage what was found
        }
        return out;
    }

    private static int addVarint(List<Varint> out, ByteBuffer b, int record, String field, int start, int lw, long len) {
        int at = b.position();
        int v = ByteUtils.readVarint(b);
        out.add(new Varint(record, field, at, b.position() - at, v, start, lw, len));
        return v;
    }

    private static void addVarlong(List<Varint> out, ByteBuffer b, int record, String field, int start, int lw, long len) {
        int at = b.position();
        long v = ByteUtils.readVarlong(b);
        out.add(new Varint(record, field, at, b.position() - at, v, start, lw, len));
    }

    private static byte[] varint(long value) {
        ByteBuffer buffer = ByteBuffer.allocate(10);
        ByteUtils.writeVarlong(value, buffer);
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static byte[] decompress(CompressionType codec, byte[] compressed) {
        try (InputStream in = Compression.of(codec).build().wrapForInput(ByteBuffer.wrap(compressed),
                RecordBatch.MAGIC_VALUE_V2, BufferSupplier.NO_CACHING)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] compress(CompressionType codec, byte[] plain) {
        ByteBufferOutputStream buffer = new ByteBufferOutputStream(plain.length + 64);
        try (OutputStream out = Compression.of(codec).build().wrapForOutput(buffer, RecordBatch.MAGIC_VALUE_V2)) {
            out.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return toArray(buffer.buffer().flip());
    }

    // ---- structure-aware ----

    private static Mutation structure(GoldenRequest request, Random random) {
        ApiKeys key = request.apiKey();
        short version = request.version();
        try {
            ApiMessage message = ApiMessageType.fromApiKey(key.id).newRequest();
            message.read(new ByteBufferAccessor(ByteBuffer.wrap(request.body())), version);
            Class<?> converter = Class.forName(message.getClass().getName() + "JsonConverter");
            Method write = converter.getMethod("write", message.getClass(), short.class);
            Method read = converter.getMethod("read", JsonNode.class, short.class);
            JsonNode json = (JsonNode) write.invoke(null, message, version);
            List<Slot> slots = new ArrayList<>();
            collect(json, "", slots);
            for (int attempt = 0; attempt < 8 && !slots.isEmpty(); attempt++) {
                JsonNode copy = json.deepCopy();
                List<Slot> copySlots = new ArrayList<>();
                collect(copy, "", copySlots);
                Slot slot = copySlots.get(random.nextInt(copySlots.size()));
                String what = slot.mutate(random);
                try {
                    ApiMessage mutated = (ApiMessage) read.invoke(null, copy, version);
                    byte[] body = toArray(MessageUtil.toByteBufferAccessor(mutated, version).buffer());
                    return new Mutation(Kind.STRUCTURE, what,
                            concat(Arrays.copyOf(request.frame(), request.headerEnd()), body));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // a value the message class refuses to hold (out of its type's range): try another
                }
            }
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A place in a request's JSON form that a mutation can change. */
    private record Slot(JsonNode parent, String field, int index, String path) {

        JsonNode value() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void set(JsonNode v) {
            if (field != null) {
                ((ObjectNode) parent).set(field, v);
            } else {
                ((ArrayNode) parent).set(index, v);
            }
        }

        String mutate(Random random) {
            JsonNode v = value();
            JsonNode next;
            if (v.isArray()) {
                ArrayNode array = (ArrayNode) v;
                if (array.isEmpty() || random.nextInt(3) == 0) {
                    array.removeAll();
                    return path + " emptied";
                }
                int repeats = random.nextBoolean() ? 2 : 1 + random.nextInt(MAX_REPEATS);
                JsonNode element = array.get(random.nextInt(array.size()));
                for (int i = 1; i < repeats; i++) {
                    array.add(element.deepCopy());
                }
                return path + " element repeated " + repeats + " times";
            } else if (v.isBoolean()) {
                next = BooleanNode.valueOf(!v.asBoolean());
            } else if (v.isIntegralNumber()) {
                long n = v.asLong();
                next = LongNode.valueOf(pick(random, -1, 0, 1, n + 1, n - 1, Integer.MAX_VALUE, Integer.MIN_VALUE,
                        Short.MAX_VALUE, Short.MIN_VALUE, Byte.MAX_VALUE, 1_000_000, Long.MAX_VALUE, Long.MIN_VALUE));
                if (next.asLong() >= Integer.MIN_VALUE && next.asLong() <= Integer.MAX_VALUE) {
                    next = IntNode.valueOf(next.asInt());
                }
            } else if (v.isTextual()) {
                next = random.nextInt(4) == 0 ? NullNode.getInstance() : TextNode.valueOf(NAMES.get(random.nextInt(NAMES.size())));
                if (v.asText().length() == 22 && random.nextBoolean()) {
                    // a topic id: the zero id, or one nobody has
                    next = TextNode.valueOf(random.nextBoolean() ? "AAAAAAAAAAAAAAAAAAAAAA"
                            : org.apache.kafka.common.Uuid.randomUuid().toString());
                }
            } else if (v.isNull()) {
                next = TextNode.valueOf("");
            } else {
                next = JsonNodeFactory.instance.nullNode();
            }
            set(next);
            return path + " " + abbreviate(v) + " -> " + abbreviate(next);
        }

        private static String abbreviate(JsonNode node) {
            String s = node.toString();
            return s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s;
        }
    }

    private static void collect(JsonNode node, String path, List<Slot> slots) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isBinary() || field.getKey().equals("records")) {
                    continue; // record batches are damaged by RECORD_BATCH
                }
                String p = path + "." + field.getKey();
                slots.add(new Slot(node, field.getKey(), -1, p));
                collect(field.getValue(), p, slots);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String p = path + "[" + i + "]";
                slots.add(new Slot(node, null, i, p));
                collect(node.get(i), p, slots);
            }
        }
    }

    // ---- bytes ----

    private static long pick(Random random, long... values) {
        return values[random.nextInt(values.length)];
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }

    private static byte[] splice(byte[] in, int at, int removed, byte[] inserted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + inserted.length);
        out.write(in, 0, at);
        out.write(inserted, 0, inserted.length);
        out.write(in, at + removed, in.length - at - removed);
        return out.toByteArray();
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
