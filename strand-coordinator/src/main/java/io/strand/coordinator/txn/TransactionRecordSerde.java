package io.strand.coordinator.txn;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * The bytes of {@link TransactionRecord}s in {@code __transaction_state}, exactly as Kafka writes
 * them ({@code TransactionLogKey.json}, {@code TransactionLogValue.json}), so Kafka's tools and
 * brokers read ours and we read theirs. Big-endian. Stateless and thread-safe.
 *
 * <h2>Key</h2>
 * <pre>
 * | offset | field           | type                                   |
 * |--------|-----------------|----------------------------------------|
 * | 0      | recordType      | int16: 0 (the only key version)        |
 * | 2      | transactionalId | string: int16 length, then UTF-8 bytes |
 * </pre>
 *
 * <h2>Value (absent: a tombstone, the id is removed)</h2>
 * An int16 version, then {@code TransactionLogValue} at that version. Version 0 (written while the
 * cluster's {@code transaction.version} is 0):
 * <pre>
 * | offset | field                             | type                                        |
 * |--------|-----------------------------------|---------------------------------------------|
 * | 0      | version                           | int16 (0)                                   |
 * | 2      | ProducerId                        | int64                                       |
 * | 10     | ProducerEpoch                     | int16                                       |
 * | 12     | TransactionTimeoutMs              | int32                                       |
 * | 16     | TransactionStatus                 | int8 ({@link TransactionState#id()})        |
 * | 17     | TransactionPartitions             | int32 count (-1: null), count × topic entry |
 * |        | TransactionLastUpdateTimestampMs  | int64                                       |
 * |        | TransactionStartTimestampMs       | int64                                       |
 * </pre>
 * A v0 topic entry: Topic (int16 length + UTF-8), PartitionIds (int32 count, count × int32).
 *
 * <p>Version 1 (the first flexible version; written from {@code transaction.version} 1) has the
 * same fields at the same offsets up to the partitions, which become a compact array (unsigned
 * varint count + 1, 0 for null) of topic entries, each a compact string (unsigned varint length + 1),
 * a compact int32 array and an empty tagged-field section (varint 0); after the two timestamps
 * comes the value's tagged-field section: a varint count, then per field in tag order a varint tag,
 * a varint size and the value. A field is written only if it differs from its default:
 * <pre>
 * | tag | field                    | type  | default |
 * |-----|--------------------------|-------|---------|
 * | 0   | PreviousProducerId       | int64 | -1      |
 * | 1   | NextProducerId           | int64 | -1      |
 * | 2   | ClientTransactionVersion | int16 | 0       |
 * | 3   | NextProducerEpoch        | int16 | -1      |
 * </pre>
 * Version 0 has no place for the tagged fields: they are dropped (and read back as their
 * defaults). The partitions of an Empty transaction are written as null and ignored when read, as
 * Kafka does; topics are written sorted by name, partitions in ascending order.
 * {@link TransactionMetadata#lastProducerEpoch()} is not part of the format (read back as -1).
 *
 * <p>Reading refuses, with a {@link TransactionRecordFormatException} naming what it found, a key
 * type other than 0, a value version other than 0 or 1, an unknown state, a null transactional id
 * or topic, and truncated bytes. Unknown tagged fields are skipped.
 */
public final class TransactionRecordSerde {

    /** The key's record type: {@code TransactionLogKey}'s api key, the only key version. */
    public static final short KEY_TYPE = 0;
    public static final short HIGHEST_VALUE_VERSION = 1;
    static final int KEY_TRANSACTIONAL_ID_OFFSET = 2;
    static final int VALUE_PRODUCER_ID_OFFSET = 2;
    static final int VALUE_PRODUCER_EPOCH_OFFSET = 10;
    static final int VALUE_TIMEOUT_OFFSET = 12;
    static final int VALUE_STATUS_OFFSET = 16;
    static final int VALUE_PARTITIONS_OFFSET = 17;
    static final int TAG_PREVIOUS_PRODUCER_ID = 0;
    static final int TAG_NEXT_PRODUCER_ID = 1;
    static final int TAG_CLIENT_TRANSACTION_VERSION = 2;
    static final int TAG_NEXT_PRODUCER_EPOCH = 3;

    private TransactionRecordSerde() {
    }

    public static byte[] serializeKey(String transactionalId) {
        byte[] id = utf8(transactionalId);
        if (id.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException("Transactional id of " + id.length + " bytes is too long");
        }
        return ByteBuffer.allocate(4 + id.length).putShort(KEY_TYPE).putShort((short) id.length).put(id).array();
    }

    /**
     * The value's bytes at {@code version} (0 or 1, see {@link TransactionVersions#logValueVersion}),
     * or null for a tombstone.
     */
    public static byte[] serializeValue(TransactionMetadata value, short version) {
        if (value == null) {
            return null;
        }
        if (version != 0 && version != 1) {
            throw new IllegalArgumentException("Unsupported TransactionLogValue version " + version);
        }
        boolean flexible = version >= 1;
        Map<String, List<Integer>> topics = value.state() == TransactionState.EMPTY ? null : byTopic(value.partitions());
        ByteBuffer buf = ByteBuffer.allocate(valueSize(value, topics, flexible));
        buf.putShort(version).putLong(value.producerId()).putShort(value.producerEpoch())
                .putInt(value.transactionTimeoutMs()).put(value.state().id());
        if (flexible) {
            writeCompactPartitions(buf, topics);
        } else {
            writePartitions(buf, topics);
        }
        buf.putLong(value.lastUpdateTimestampMs()).putLong(value.startTimestampMs());
        if (flexible) {
            writeTaggedFields(buf, value);
        }
        if (buf.hasRemaining()) {
            throw new IllegalStateException("Value size miscalculated: remaining=" + buf.remaining());
        }
        return buf.array();
    }

    /** The transactional id of a key. */
    public static String deserializeKey(ByteBuffer key) {
        try {
            ByteBuffer k = key.duplicate();
            short type = k.getShort();
            if (type != KEY_TYPE) {
                throw new TransactionRecordFormatException("Unknown __transaction_state key type: keyType=" + type);
            }
            String id = string(k);
            if (id == null) {
                throw new TransactionRecordFormatException("Null transactional id in a __transaction_state key");
            }
            return id;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new TransactionRecordFormatException("Truncated __transaction_state key: keyBytes=" + key.remaining()
                    + " cause=" + e);
        }
    }

    /** Decodes a record read from the log; {@code value} null is a tombstone. */
    public static TransactionRecord deserialize(ByteBuffer key, ByteBuffer value) {
        String transactionalId = deserializeKey(key);
        if (value == null) {
            return TransactionRecord.tombstone(transactionalId);
        }
        try {
            return new TransactionRecord(transactionalId, readValue(value.duplicate()));
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new TransactionRecordFormatException("Truncated or malformed __transaction_state value: "
                    + "transactionalId=" + transactionalId + " valueBytes=" + value.remaining() + " cause=" + e);
        }
    }

    private static TransactionMetadata readValue(ByteBuffer v) {
        short version = v.getShort();
        if (version != 0 && version != 1) {
            throw new TransactionRecordFormatException("Unknown __transaction_state value version: version=" + version);
        }
        boolean flexible = version >= 1;
        long producerId = v.getLong();
        short producerEpoch = v.getShort();
        int timeoutMs = v.getInt();
        byte status = v.get();
        TransactionState state;
        try {
            state = TransactionState.fromId(status);
        } catch (IllegalArgumentException e) {
            throw new TransactionRecordFormatException("Unknown transaction state in __transaction_state: status="
                    + status);
        }
        Set<TopicPartition> partitions = flexible ? readCompactPartitions(v) : readPartitions(v);
        long lastUpdateMs = v.getLong();
        long startMs = v.getLong();
        long previousProducerId = TransactionMetadata.NO_PRODUCER_ID;
        long nextProducerId = TransactionMetadata.NO_PRODUCER_ID;
        short clientVersion = TransactionVersions.TV_0;
        short nextProducerEpoch = TransactionMetadata.NO_PRODUCER_EPOCH;
        if (flexible) {
            int fields = ByteUtils.readUnsignedVarint(v);
            for (int i = 0; i < fields; i++) {
                int tag = ByteUtils.readUnsignedVarint(v);
                int size = ByteUtils.readUnsignedVarint(v);
                switch (tag) {
                    case TAG_PREVIOUS_PRODUCER_ID -> previousProducerId = v.getLong();
                    case TAG_NEXT_PRODUCER_ID -> nextProducerId = v.getLong();
                    case TAG_CLIENT_TRANSACTION_VERSION -> clientVersion = v.getShort();
                    case TAG_NEXT_PRODUCER_EPOCH -> nextProducerEpoch = v.getShort();
                    default -> v.position(v.position() + size);
                }
            }
        }
        return new TransactionMetadata(producerId, previousProducerId, nextProducerId, producerEpoch,
                TransactionMetadata.NO_PRODUCER_EPOCH, nextProducerEpoch, timeoutMs, state,
                state == TransactionState.EMPTY || partitions == null ? Set.of() : partitions, lastUpdateMs, startMs,
                clientVersion);
    }

    private static Map<String, List<Integer>> byTopic(Set<TopicPartition> partitions) {
        Map<String, List<Integer>> topics = new TreeMap<>();
        partitions.stream().sorted(Comparator.comparing(TopicPartition::topic)
                        .thenComparingInt(TopicPartition::partition))
                .forEach(tp -> topics.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
        return topics;
    }

    private static int valueSize(TransactionMetadata value, Map<String, List<Integer>> topics, boolean flexible) {
        int size = 2 + 8 + 2 + 4 + 1 + 8 + 8;
        if (!flexible) {
            size += 4;
            if (topics != null) {
                for (Map.Entry<String, List<Integer>> topic : topics.entrySet()) {
                    size += 2 + utf8(topic.getKey()).length + 4 + 4 * topic.getValue().size();
                }
            }
            return size;
        }
        size += ByteUtils.sizeOfUnsignedVarint(topics == null ? 0 : topics.size() + 1);
        if (topics != null) {
            for (Map.Entry<String, List<Integer>> topic : topics.entrySet()) {
                int nameBytes = utf8(topic.getKey()).length;
                size += ByteUtils.sizeOfUnsignedVarint(nameBytes + 1) + nameBytes
                        + ByteUtils.sizeOfUnsignedVarint(topic.getValue().size() + 1) + 4 * topic.getValue().size()
                        + 1;
            }
        }
        List<int[]> tagged = taggedFields(value);
        size += ByteUtils.sizeOfUnsignedVarint(tagged.size());
        for (int[] field : tagged) {
            size += ByteUtils.sizeOfUnsignedVarint(field[0]) + ByteUtils.sizeOfUnsignedVarint(field[1]) + field[1];
        }
        return size;
    }

    /** The tagged fields to write, in tag order, as {tag, size}. */
    private static List<int[]> taggedFields(TransactionMetadata value) {
        List<int[]> fields = new ArrayList<>(4);
        if (value.previousProducerId() != TransactionMetadata.NO_PRODUCER_ID) {
            fields.add(new int[] {TAG_PREVIOUS_PRODUCER_ID, 8});
        }
        if (value.nextProducerId() != TransactionMetadata.NO_PRODUCER_ID) {
            fields.add(new int[] {TAG_NEXT_PRODUCER_ID, 8});
        }
        if (value.clientTransactionVersion() != TransactionVersions.TV_0) {
            fields.add(new int[] {TAG_CLIENT_TRANSACTION_VERSION, 2});
        }
        if (value.nextProducerEpoch() != TransactionMetadata.NO_PRODUCER_EPOCH) {
            fields.add(new int[] {TAG_NEXT_PRODUCER_EPOCH, 2});
        }
        return fields;
    }

    private static void writeTaggedFields(ByteBuffer buf, TransactionMetadata value) {
        List<int[]> fields = taggedFields(value);
        ByteUtils.writeUnsignedVarint(fields.size(), buf);
        for (int[] field : fields) {
            ByteUtils.writeUnsignedVarint(field[0], buf);
            ByteUtils.writeUnsignedVarint(field[1], buf);
            switch (field[0]) {
                case TAG_PREVIOUS_PRODUCER_ID -> buf.putLong(value.previousProducerId());
                case TAG_NEXT_PRODUCER_ID -> buf.putLong(value.nextProducerId());
                case TAG_CLIENT_TRANSACTION_VERSION -> buf.putShort(value.clientTransactionVersion());
                default -> buf.putShort(value.nextProducerEpoch());
            }
        }
    }

    private static void writePartitions(ByteBuffer buf, Map<String, List<Integer>> topics) {
        if (topics == null) {
            buf.putInt(-1);
            return;
        }
        buf.putInt(topics.size());
        for (Map.Entry<String, List<Integer>> topic : topics.entrySet()) {
            byte[] name = utf8(topic.getKey());
            buf.putShort((short) name.length).put(name).putInt(topic.getValue().size());
            topic.getValue().forEach(buf::putInt);
        }
    }

    private static void writeCompactPartitions(ByteBuffer buf, Map<String, List<Integer>> topics) {
        if (topics == null) {
            ByteUtils.writeUnsignedVarint(0, buf);
            return;
        }
        ByteUtils.writeUnsignedVarint(topics.size() + 1, buf);
        for (Map.Entry<String, List<Integer>> topic : topics.entrySet()) {
            byte[] name = utf8(topic.getKey());
            ByteUtils.writeUnsignedVarint(name.length + 1, buf);
            buf.put(name);
            ByteUtils.writeUnsignedVarint(topic.getValue().size() + 1, buf);
            topic.getValue().forEach(buf::putInt);
            ByteUtils.writeUnsignedVarint(0, buf);
        }
    }

    private static Set<TopicPartition> readPartitions(ByteBuffer v) {
        int count = v.getInt();
        if (count < 0) {
            return null;
        }
        Set<TopicPartition> partitions = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String topic = requiredString(v);
            int ids = v.getInt();
            checkCount(ids, v, 4);
            for (int j = 0; j < ids; j++) {
                partitions.add(new TopicPartition(topic, v.getInt()));
            }
        }
        return partitions;
    }

    private static Set<TopicPartition> readCompactPartitions(ByteBuffer v) {
        int count = ByteUtils.readUnsignedVarint(v) - 1;
        if (count < 0) {
            return null;
        }
        Set<TopicPartition> partitions = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int nameLength = ByteUtils.readUnsignedVarint(v) - 1;
            if (nameLength < 0) {
                throw new TransactionRecordFormatException("Null topic in __transaction_state partitions");
            }
            checkCount(nameLength, v, 1);
            byte[] name = new byte[nameLength];
            v.get(name);
            String topic = new String(name, StandardCharsets.UTF_8);
            int ids = ByteUtils.readUnsignedVarint(v) - 1;
            checkCount(ids, v, 4);
            for (int j = 0; j < ids; j++) {
                partitions.add(new TopicPartition(topic, v.getInt()));
            }
            int tagged = ByteUtils.readUnsignedVarint(v);
            for (int t = 0; t < tagged; t++) {
                ByteUtils.readUnsignedVarint(v);
                int size = ByteUtils.readUnsignedVarint(v);
                v.position(v.position() + size);
            }
        }
        return partitions;
    }

    private static void checkCount(int count, ByteBuffer v, int bytesEach) {
        if (count < 0 || (long) count * bytesEach > v.remaining()) {
            throw new IllegalArgumentException("count " + count + " exceeds the " + v.remaining() + " bytes left");
        }
    }

    private static String string(ByteBuffer buf) {
        short length = buf.getShort();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String requiredString(ByteBuffer buf) {
        String s = string(buf);
        if (s == null) {
            throw new TransactionRecordFormatException("Null topic in __transaction_state partitions");
        }
        return s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
