package io.strand.server.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A consumed record as the API shows it (Strand extension, the same in the records endpoint and the
 * live tail): {@code {"partition_id","offset","timestamp":ms,"timestamp_type","key":Bytes,
 * "value":Bytes,"headers":[{"name","value":Bytes}]}} where Bytes is null for null, else
 * {@code {"size","text"?,"base64"}}, {@code text} only when the bytes are valid UTF-8. Stateless.
 */
final class RecordJson {

    private RecordJson() {
    }

    static ObjectNode record(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode node = Json.object().put("partition_id", record.partition()).put("offset", record.offset())
                .put("timestamp", record.timestamp()).put("timestamp_type", record.timestampType().name());
        node.set("key", bytes(record.key()));
        node.set("value", bytes(record.value()));
        ArrayNode headers = node.putArray("headers");
        for (Header header : record.headers()) {
            headers.addObject().put("name", header.key()).set("value", bytes(header.value()));
        }
        return node;
    }

    /** The Bytes object of {@code bytes}. */
    static JsonNode bytes(byte[] bytes) {
        if (bytes == null) {
            return Json.object().nullNode();
        }
        ObjectNode node = Json.object().put("size", bytes.length);
        try {
            node.put("text", StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            // not text: base64 only
        }
        node.put("base64", Base64.getEncoder().encodeToString(bytes));
        return node;
    }

    /** The record's size as the reads bound it: key, value and headers. */
    static long size(ConsumerRecord<byte[], byte[]> record) {
        long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        for (Header header : record.headers()) {
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }
}
