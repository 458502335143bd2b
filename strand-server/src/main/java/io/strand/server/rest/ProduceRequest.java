package io.strand.server.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * One record of a REST Proxy v3 produce request, read and checked:
 * {@code {"partition_id":int?, "headers":[{"name","value":base64?}], "key":{"type","data"}?,
 * "value":{"type","data"}?, "timestamp":ISO-8601 text or epoch ms?}}.
 *
 * <p>Data types: {@code JSON} (the default) is any JSON value, written as its compact JSON text;
 * {@code STRING} a JSON string, written as UTF-8; {@code BINARY} a base64 string, written decoded.
 * Absent or null {@code data} (or an absent key/value) is a null key/value. Anything else is a 400
 * ({@link Json#badRequest}) naming the field. Immutable.
 *
 * @param partition the partition asked for, or empty for the producer's partitioner
 * @param key       the key's bytes, or null
 * @param keyType   the key's type name, or null when there is no key
 * @param value     the value's bytes, or null
 * @param valueType the value's type name, or null
 * @param headers   the headers, in order
 * @param timestamp the record's timestamp in ms, or null for now
 */
record ProduceRequest(Optional<Integer> partition, byte[] key, String keyType, byte[] value, String valueType,
                      List<Header> headers, Long timestamp) {

    /** Reads request number {@code index} (0-based, for messages) of a body. */
    static ProduceRequest parse(JsonNode node, int index) {
        String where = index == 0 ? "" : " (record " + index + ")";
        if (!node.isObject()) {
            throw Json.badRequest("a produce request must be a JSON object, not " + node.getNodeType() + where);
        }
        Optional<Integer> partition = Json.optInt(node, "partition_id", 0, Integer.MAX_VALUE);
        List<Header> headers = new ArrayList<>();
        for (JsonNode header : Json.optArray(node, "headers")) {
            if (!header.isObject()) {
                throw Json.badRequest("each of 'headers' must be an object {\"name\",\"value\"}" + where);
            }
            String name = Json.text(header, "name");
            byte[] value = Json.optText(header, "value").map(text -> base64("headers[].value", text)).orElse(null);
            headers.add(new RecordHeader(name, value));
        }
        Long timestamp = Json.field(node, "timestamp").map(ProduceRequest::timestamp).orElse(null);
        Optional<JsonNode> key = Json.field(node, "key");
        Optional<JsonNode> value = Json.field(node, "value");
        return new ProduceRequest(partition, key.map(k -> data("key", k)).orElse(null), key.map(k -> type("key", k)).orElse(null),
                value.map(v -> data("value", v)).orElse(null), value.map(v -> type("value", v)).orElse(null),
                List.copyOf(headers), timestamp);
    }

    ProducerRecord<byte[], byte[]> toRecord(String topic) {
        return new ProducerRecord<>(topic, partition.orElse(null), timestamp, key, value, headers);
    }

    private static Long timestamp(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 0) {
            return node.asLong();
        }
        if (node.isTextual()) {
            try {
                return Instant.parse(node.asText()).toEpochMilli();
            } catch (DateTimeParseException | ArithmeticException e) {
                // answered below
            }
        }
        throw Json.badRequest("'timestamp' must be an ISO-8601 instant or non-negative epoch ms, not " + node);
    }

    private static String type(String field, JsonNode node) {
        if (!node.isObject()) {
            throw Json.badRequest("'" + field + "' must be an object {\"type\",\"data\"}, not " + node.getNodeType());
        }
        String type = Json.optText(node, "type").orElse("JSON").toUpperCase(Locale.ROOT);
        if (!type.equals("JSON") && !type.equals("STRING") && !type.equals("BINARY")) {
            throw Json.badRequest("'" + field + ".type' must be JSON, STRING or BINARY, not " + type);
        }
        return type;
    }

    private static byte[] data(String field, JsonNode node) {
        String type = type(field, node);
        Optional<JsonNode> data = Json.field(node, "data");
        if (data.isEmpty()) {
            return null;
        }
        JsonNode d = data.get();
        return switch (type) {
            case "STRING" -> {
                if (!d.isTextual()) {
                    throw Json.badRequest("'" + field + ".data' of type STRING must be a string, not " + d.getNodeType());
                }
                yield d.asText().getBytes(StandardCharsets.UTF_8);
            }
            case "BINARY" -> {
                if (!d.isTextual()) {
                    throw Json.badRequest("'" + field + ".data' of type BINARY must be a base64 string, not " + d.getNodeType());
                }
                yield base64(field + ".data", d.asText());
            }
            default -> {
                try {
                    yield Json.MAPPER.writeValueAsBytes(d);
                } catch (JsonProcessingException e) {
                    throw Json.badRequest("'" + field + ".data' cannot be written as JSON: " + e.getOriginalMessage());
                }
            }
        };
    }

    private static byte[] base64(String field, String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw Json.badRequest("'" + field + "' must be base64: " + e.getMessage());
        }
    }
}
