package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Base64;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Kafka messages as JSON trees and back, through the converters kafka-clients generates beside each
 * message class ({@code ProduceRequestData} has {@code ProduceRequestDataJsonConverter}): field names
 * in camelCase as the message schemas name them, every field the version has, binary fields (records
 * included) as base64. The converters write a response's records as no bytes at all (they serve request
 * logs), so {@link #toJson} puts the records of Fetch and ShareFetch answers in itself.
 *
 * <p>Stateless and thread-safe.
 */
final class MessageJson {

    private MessageJson() {
    }

    /** The request of {@code key} v{@code version} that {@code json} describes. */
    static ApiMessage request(ApiKeys key, short version, JsonNode json) {
        Class<?> type = ApiMessageType.fromApiKey(key.id).newRequest().getClass();
        return (ApiMessage) invoke(converter(type), "read", new Class<?>[] {JsonNode.class, short.class}, json,
                version);
    }

    /** {@code message} as JSON at {@code version}, records written out in full. */
    static JsonNode toJson(ApiMessage message, short version) {
        JsonNode json = (JsonNode) invoke(converter(message.getClass()), "write",
                new Class<?>[] {message.getClass(), short.class, boolean.class}, message, version, true);
        if (message instanceof FetchResponseData fetch) {
            int t = 0;
            for (FetchResponseData.FetchableTopicResponse topic : fetch.responses()) {
                int p = 0;
                for (FetchResponseData.PartitionData partition : topic.partitions()) {
                    putRecords(json.path("responses").path(t).path("partitions").path(p++), partition.records());
                }
                t++;
            }
        } else if (message instanceof ShareFetchResponseData shareFetch) {
            int t = 0;
            for (ShareFetchResponseData.ShareFetchableTopicResponse topic : shareFetch.responses()) {
                int p = 0;
                for (ShareFetchResponseData.PartitionData partition : topic.partitions()) {
                    putRecords(json.path("responses").path(t).path("partitions").path(p++), partition.records());
                }
                t++;
            }
        }
        return json;
    }

    /** Sets {@code partition}'s {@code records} to the base64 of {@code records} (none: left as written). */
    private static void putRecords(JsonNode partition, BaseRecords records) {
        if (partition instanceof ObjectNode object && object.has("records") && records instanceof MemoryRecords memory) {
            ByteBuffer buffer = memory.buffer().duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            object.put("records", Base64.getEncoder().encodeToString(bytes));
        }
    }

    private static Class<?> converter(Class<?> messageType) {
        try {
            return Class.forName(messageType.getName() + "JsonConverter", true, messageType.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no JSON converter beside " + messageType.getName(), e);
        }
    }

    private static Object invoke(Class<?> converter, String name, Class<?>[] parameterTypes, Object... args) {
        try {
            Method method = converter.getMethod(name, parameterTypes);
            return method.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(converter.getSimpleName() + "." + name + " failed", cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(converter.getSimpleName() + "." + name + " not found", e);
        }
    }
}
