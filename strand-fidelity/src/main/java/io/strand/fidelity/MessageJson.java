package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Kafka messages as JSON trees and back, through the converters kafka-clients generates beside each
 * message class ({@code ProduceRequestData} has {@code ProduceRequestDataJsonConverter}): field names
 * in camelCase as the message schemas name them, every field the version has, binary fields (records
 * included) as base64.
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
        return (JsonNode) invoke(converter(message.getClass()), "write",
                new Class<?>[] {message.getClass(), short.class, boolean.class}, message, version, true);
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
