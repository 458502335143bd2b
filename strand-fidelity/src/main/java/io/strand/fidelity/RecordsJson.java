package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Record batches as a scenario writes them and as answers are compared.
 *
 * <p>In a request, a {@code records} field may be an object in place of base64 bytes; {@link #encode}
 * builds the batch it describes (one batch, magic 2, CreateTime):
 * <pre>{@code
 * {"compression": "gzip", "producerId": 7, "producerEpoch": 0, "baseSequence": 0, "transactional": false,
 *  "records": [{"key": "k", "value": "v", "timestamp": 1700000000000, "headers": {"h": "x"}}]}
 * }</pre>
 * Keys, values and header values are UTF-8 text, or null; producer fields default to none (-1), the
 * timestamp to 1700000000000 plus the record's index, so both brokers get the same bytes.
 *
 * <p>In an answer, {@link #decode} replaces base64 record bytes with what a client reads from them:
 * per batch its offsets, producer (its id masked, as in the rest of an answer), sequence, transactional
 * and control flags, timestamp type and, per record, offset, timestamp, key, value and headers; a control
 * record (a transaction marker) as its type and coordinator epoch, its timestamp masked (the writing
 * broker's clock when it wrote the marker). CRCs, sizes and compression are left out: a broker may
 * recompress.
 *
 * <p>Stateless and thread-safe.
 */
final class RecordsJson {

    static final long BASE_TIMESTAMP = 1_700_000_000_000L;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RecordsJson() {
    }

    /** The base64 bytes of the batch {@code spec} describes. */
    static String encode(JsonNode spec) {
        Compression compression = Compression.of(CompressionType.forName(spec.path("compression").asText("none")))
                .build();
        long producerId = spec.path("producerId").asLong(RecordBatch.NO_PRODUCER_ID);
        short producerEpoch = (short) spec.path("producerEpoch").asInt(RecordBatch.NO_PRODUCER_EPOCH);
        int baseSequence = spec.path("baseSequence").asInt(RecordBatch.NO_SEQUENCE);
        boolean transactional = spec.path("transactional").asBoolean(false);
        List<SimpleRecord> records = new ArrayList<>();
        int index = 0;
        for (JsonNode record : spec.path("records")) {
            List<Header> headers = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> fields = record.path("headers").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> header = fields.next();
                headers.add(new RecordHeader(header.getKey(), bytes(header.getValue())));
            }
            records.add(new SimpleRecord(record.path("timestamp").asLong(BASE_TIMESTAMP + index),
                    bytes(record.get("key")), bytes(record.get("value")), headers.toArray(Header[]::new)));
            index++;
        }
        MemoryRecords built = MemoryRecords.withRecords(RecordBatch.CURRENT_MAGIC_VALUE, 0L, compression,
                TimestampType.CREATE_TIME, producerId, producerEpoch, baseSequence,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, transactional, records.toArray(SimpleRecord[]::new));
        ByteBuffer buffer = built.buffer();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return Base64.getEncoder().encodeToString(out);
    }

    /** What the base64 record bytes {@code base64} hold, batch by batch. */
    static JsonNode decode(String base64) {
        ArrayNode batches = NODES.arrayNode();
        MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(Base64.getDecoder().decode(base64)));
        for (RecordBatch batch : records.batches()) {
            ObjectNode b = batches.addObject();
            b.put("baseOffset", batch.baseOffset());
            b.put("lastOffset", batch.lastOffset());
            if (batch.hasProducerId()) {
                b.put("producerId", Normalizer.MASK); // drawn by each broker, as everywhere in an answer
            } else {
                b.put("producerId", batch.producerId());
            }
            b.put("producerEpoch", batch.producerEpoch());
            b.put("baseSequence", batch.baseSequence());
            b.put("transactional", batch.isTransactional());
            b.put("control", batch.isControlBatch());
            b.put("timestampType", batch.timestampType().toString());
            ArrayNode list = b.putArray("records");
            for (Record record : batch) {
                ObjectNode r = list.addObject();
                r.put("offset", record.offset());
                if (batch.isControlBatch()) {
                    control(record, r);
                    continue;
                }
                if (batch.timestampType() == TimestampType.CREATE_TIME) {
                    r.put("timestamp", record.timestamp());
                }
                r.put("key", text(record.key()));
                r.put("value", text(record.value()));
                ObjectNode headers = r.putObject("headers");
                for (Header header : record.headers()) {
                    headers.put(header.key(), header.value() == null ? null
                            : new String(header.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return batches;
    }

    /**
     * A control record as what it says: its type and, for a transaction marker, the coordinator epoch. Its
     * timestamp is masked: it is the writing broker's clock when the marker was written.
     */
    private static void control(Record record, ObjectNode r) {
        r.put("timestamp", Normalizer.MASK);
        ControlRecordType type = record.hasKey() ? ControlRecordType.parse(record.key()) : ControlRecordType.UNKNOWN;
        r.put("controlType", type.name());
        if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
            r.put("coordinatorEpoch", EndTransactionMarker.deserialize(record).coordinatorEpoch());
        }
    }

    private static byte[] bytes(JsonNode text) {
        return text == null || text.isNull() ? null : text.asText().getBytes(StandardCharsets.UTF_8);
    }

    private static String text(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return new String(copy, StandardCharsets.UTF_8);
    }
}
