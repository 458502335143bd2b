package io.strand.broker.api.group;

import org.apache.kafka.common.Uuid;

/**
 * The form of a share coordinator key in FindCoordinator: {@code groupId:topicId:partition}, the
 * group id being everything before the last two colons (it may hold colons itself, but not be blank),
 * the topic id a base64 {@link Uuid}, the partition an int. Kafka refuses any other key with
 * INVALID_REQUEST. Stateless.
 */
final class ShareKeys {

    private ShareKeys() {
    }

    /** Whether {@code key} is a share partition key as Kafka parses one. */
    static boolean isValid(String key) {
        if (key == null || key.isEmpty()) {
            return false;
        }
        // As String.split drops trailing empty parts, "g:id:" has two parts and is refused.
        String[] parts = key.split(":");
        if (parts.length < 3) {
            return false;
        }
        String groupId = String.join(":", java.util.Arrays.copyOfRange(parts, 0, parts.length - 2));
        if (groupId.trim().isEmpty()) {
            return false;
        }
        try {
            Uuid.fromString(parts[parts.length - 2]);
            Integer.parseInt(parts[parts.length - 1]);
            return true;
        } catch (IllegalArgumentException e) { // NumberFormatException is one
            return false;
        }
    }
}
