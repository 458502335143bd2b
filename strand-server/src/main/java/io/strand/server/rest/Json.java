package io.strand.server.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strand.server.http.HttpCall;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpReply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The REST API's JSON, with Jackson: building answers, and reading request bodies and parameters
 * with their types checked. Any input that is not what the contract says (malformed JSON, a string
 * where a number belongs, a number out of range) is an {@link HttpException} 400 naming Kafka's
 * INVALID_REQUEST and the field, thrown before anything is changed. Stateless, thread-safe.
 */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static HttpReply reply(int status, JsonNode body) {
        try {
            return new HttpReply(status, HttpReply.JSON, MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** 204, no body. */
    static HttpReply noContent() {
        return new HttpReply(204, HttpReply.JSON, new byte[0]);
    }

    static HttpException badRequest(String message) {
        return new HttpException(400, "INVALID_REQUEST: " + message);
    }

    /** The body as one JSON object. */
    static ObjectNode parseObject(byte[] body) {
        List<JsonNode> values = parseValues(body);
        if (values.size() != 1 || !values.get(0).isObject()) {
            throw badRequest("the body must be one JSON object");
        }
        return (ObjectNode) values.get(0);
    }

    /** The body as a sequence of JSON values, whitespace between them (REST Proxy's streaming form); at least one. */
    static List<JsonNode> parseValues(byte[] body) {
        List<JsonNode> values = new ArrayList<>();
        try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(body)) {
            while (it.hasNextValue()) {
                values.add(it.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            throw badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (values.isEmpty()) {
            throw badRequest("the body is empty, a JSON object was expected");
        }
        return values;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Field {@code name} of {@code node} when present and not null. */
    static Optional<JsonNode> field(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    static Optional<String> optText(JsonNode node, String name) {
        return field(node, name).map(value -> {
            if (!value.isTextual()) {
                throw badRequest("'" + name + "' must be a string, not " + value.getNodeType());
            }
            return value.asText();
        });
    }

    static String text(JsonNode node, String name) {
        return optText(node, name).orElseThrow(() -> badRequest("'" + name + "' is required"));
    }

    static Optional<Long> optLong(JsonNode node, String name, long min, long max) {
        return field(node, name).map(value -> {
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw badRequest("'" + name + "' must be an integer, not " + value);
            }
            return checkRange(name, value.asLong(), min, max);
        });
    }

    static Optional<Integer> optInt(JsonNode node, String name, int min, int max) {
        return optLong(node, name, min, max).map(Long::intValue);
    }

    static boolean optBoolean(JsonNode node, String name) {
        return field(node, name).map(value -> {
            if (!value.isBoolean()) {
                throw badRequest("'" + name + "' must be true or false, not " + value);
            }
            return value.asBoolean();
        }).orElse(false);
    }

    static ArrayNode optArray(JsonNode node, String name) {
        return field(node, name).map(value -> {
            if (!value.isArray()) {
                throw badRequest("'" + name + "' must be an array, not " + value.getNodeType());
            }
            return (ArrayNode) value;
        }).orElse(array());
    }

    /** Query parameter {@code name} as a long in [min, max], if given. */
    static Optional<Long> queryLong(HttpCall call, String name, long min, long max) {
        return call.queryParam(name).map(text -> {
            long value;
            try {
                value = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw badRequest("query parameter '" + name + "' must be an integer, not '" + text + "'");
            }
            return checkRange(name, value, min, max);
        });
    }

    /** Path parameter {@code name} as an int in [0, Integer.MAX_VALUE]. */
    static int pathInt(HttpCall call, String name) {
        String text = call.param(name);
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw badRequest("'" + name + "' must be an integer, not '" + text + "'");
        }
        return (int) checkRange(name, value, 0, Integer.MAX_VALUE);
    }

    private static long checkRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw badRequest("'" + name + "' must be in [" + min + ", " + max + "], not " + value);
        }
        return value;
    }
}
