package io.strand.fidelity;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.types.BoundField;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.TaggedFields;
import org.apache.kafka.common.protocol.types.Type;

/**
 * Requests built from the message schemas themselves, field by field, with values drawn from a seeded
 * random source and biased to the edges where brokers tend to differ: the topics, groups and
 * transactional ids the run sets up next to unknown, empty and overlong names; zero, one, minus one,
 * minus two and the extremes of each integer type; empty, single and two-element arrays and null where
 * the schema allows it; record fields as a valid batch, empty, garbage or null.
 *
 * <p>Contract: {@link #next} returns the body bytes of a request of the given API and version exactly
 * as its schema lays them out (so every generated request parses; what it asks may be nonsense). Fields
 * whose names say they are waits (timeouts, max wait) get at most 100 ms, so that no request holds a
 * broker for long. The same seed gives the same sequence. Not thread-safe.
 */
final class RequestGenerator {

    /** A topic with three partitions and records, set up before a generated run (see {@code GeneratedRun}). */
    static final String TOPIC = "fid-gen";
    static final String GROUP = "fid-gen-group";
    static final String TRANSACTIONAL_ID = "fid-gen-tx";
    private static final Uuid SOME_UUID = new Uuid(0x5EED5EEDL, 0x5EED5EEDL);

    private final Random random;
    private final String validBatch;

    RequestGenerator(long seed) {
        this.random = new Random(seed);
        try {
            this.validBatch = RecordsJson.encode(new ObjectMapper().readTree(
                    "{\"records\": [{\"key\": \"gk\", \"value\": \"gv\"}, {\"key\": null, \"value\": \"gv2\"}]}"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A generated request body of {@code api} at {@code version}. */
    ByteBuffer next(ApiKeys api, short version) {
        Schema schema = ApiMessageType.fromApiKey(api.id).requestSchemas()[version];
        Struct struct = struct(schema);
        ByteBuffer buffer = ByteBuffer.allocate(schema.sizeOf(struct));
        schema.write(buffer, struct);
        buffer.flip();
        return buffer;
    }

    private Struct struct(Schema schema) {
        Struct struct = new Struct(schema);
        for (BoundField field : schema.fields()) {
            struct.set(field, value(field.def.name, field.def.type));
        }
        return struct;
    }

    private Object value(String name, Type type) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (type instanceof TaggedFields) {
            return new TreeMap<Integer, Object>();
        }
        if (type instanceof Schema schema) {
            return struct(schema);
        }
        if (type.isArray()) {
            if (type.isNullable() && chance(10)) {
                return null;
            }
            Type element = type.arrayElementType().orElseThrow();
            int size = pick(new int[] {1, 1, 1, 2, 0});
            Object[] out = new Object[size];
            for (int i = 0; i < size; i++) {
                out[i] = value(name, element);
            }
            return out;
        }
        if (type.isNullable() && !(type == Type.NULLABLE_RECORDS || type == Type.COMPACT_NULLABLE_RECORDS)
                && type != Type.BOOLEAN && chance(8) && !isStringOrBytes(type)) {
            return null; // a nullable struct
        }
        if (type == Type.BOOLEAN) {
            return random.nextBoolean();
        }
        if (type == Type.INT8) {
            return (byte) pick(new int[] {0, 1, -1, 2, 3});
        }
        if (type == Type.INT16) {
            return lower.equals("acks") ? (short) pick(new int[] {-1, 1, 2, -2}) :
                    (short) pick(new int[] {0, 1, -1, 2, 3, Short.MAX_VALUE, Short.MIN_VALUE});
        }
        if (type == Type.UINT16) {
            return pick(new int[] {0, 1, 2, 65535});
        }
        if (type == Type.INT32) {
            if (isWait(lower)) {
                return pick(new int[] {0, 10, 100});
            }
            if (lower.contains("partition") || lower.contains("index") || lower.contains("epoch")
                    || lower.contains("generation") || lower.endsWith("id")) {
                return pick(new int[] {0, 1, 2, -1, 99, Integer.MAX_VALUE});
            }
            if (lower.equals("count")) {
                // CreatePartitions' new partition count. Not a million: Kafka 4.3.1's controller fails such a
                // request part-way (UNKNOWN_SERVER_ERROR from a bounded record list) and then describes the topic
                // with partitions it never committed, so every later answer about it compares a broken state.
                return pick(new int[] {0, 1, -1, 2, 3, 4, Integer.MAX_VALUE, Integer.MIN_VALUE});
            }
            return pick(new int[] {0, 1, -1, 2, 100, 1_048_576, Integer.MAX_VALUE, Integer.MIN_VALUE});
        }
        if (type == Type.UNSIGNED_INT32) {
            return (long) pick(new int[] {0, 1, 100});
        }
        if (type == Type.INT64) {
            if (isWait(lower)) {
                return (long) pick(new int[] {0, 10, 100});
            }
            long[] values = {0, 1, -1, -2, -3, 2, 5, 1_700_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE};
            return values[random.nextInt(values.length)];
        }
        if (type == Type.FLOAT64) {
            return random.nextBoolean() ? 0.0 : 1.5;
        }
        if (type == Type.UUID) {
            return random.nextBoolean() ? Uuid.ZERO_UUID : SOME_UUID;
        }
        if (type == Type.STRING || type == Type.COMPACT_STRING || type == Type.NULLABLE_STRING
                || type == Type.COMPACT_NULLABLE_STRING) {
            if (type.isNullable() && chance(10)) {
                return null;
            }
            return string(lower);
        }
        if (type == Type.BYTES || type == Type.COMPACT_BYTES || type == Type.NULLABLE_BYTES
                || type == Type.COMPACT_NULLABLE_BYTES) {
            if (type.isNullable() && chance(10)) {
                return null;
            }
            return ByteBuffer.wrap(random.nextBoolean() ? new byte[0] : new byte[] {0, 1, 2, 3});
        }
        if (type == Type.RECORDS || type == Type.COMPACT_RECORDS || type == Type.NULLABLE_RECORDS
                || type == Type.COMPACT_NULLABLE_RECORDS) {
            int choice = random.nextInt(10);
            if (choice == 0 && type.isNullable()) {
                return null;
            }
            if (choice == 1) {
                return org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(ByteBuffer.allocate(0));
            }
            if (choice == 2) {
                byte[] garbage = new byte[61];
                random.nextBytes(garbage);
                return org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(ByteBuffer.wrap(garbage));
            }
            return org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(
                    ByteBuffer.wrap(Base64.getDecoder().decode(validBatch)));
        }
        if (type == Type.VARINT) {
            return 0;
        }
        if (type == Type.VARLONG) {
            return 0L;
        }
        throw new IllegalArgumentException("no generator for field " + name + " of type " + type);
    }

    private String string(String name) {
        if (name.contains("topic") || name.equals("name") || name.contains("resourcename")) {
            return pick(List.of(TOPIC, TOPIC, "fid-gen-missing", "", "__consumer_offsets", "bad/name",
                    "t".repeat(250)));
        }
        if (name.contains("group") && !name.contains("instance")) {
            return pick(List.of(GROUP, GROUP, "fid-gen-missing-group", ""));
        }
        if (name.contains("transactionalid")) {
            return pick(List.of(TRANSACTIONAL_ID, "fid-gen-missing-tx", ""));
        }
        if (name.contains("memberid")) {
            return pick(List.of("", "unknown-member"));
        }
        if (name.contains("instance")) {
            return pick(List.of("fid-gen-instance", ""));
        }
        if (name.contains("key") || name.contains("config")) {
            return pick(List.of("retention.ms", "cleanup.policy", "no.such.config", ""));
        }
        if (name.contains("value")) {
            return pick(List.of("1000", "compact", "-5", "x"));
        }
        if (name.contains("principal")) {
            return pick(List.of("User:alice", "User:*", "bad", ""));
        }
        if (name.contains("host")) {
            return pick(List.of("*", "127.0.0.1", ""));
        }
        return pick(List.of("fid", "", "x".repeat(40)));
    }

    private static boolean isWait(String name) {
        return name.contains("timeout") || name.contains("wait") || name.endsWith("ms") && name.contains("time");
    }

    private static boolean isStringOrBytes(Type type) {
        return type == Type.NULLABLE_STRING || type == Type.COMPACT_NULLABLE_STRING || type == Type.NULLABLE_BYTES
                || type == Type.COMPACT_NULLABLE_BYTES;
    }

    private boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    private int pick(int[] values) {
        return values[random.nextInt(values.length)];
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
