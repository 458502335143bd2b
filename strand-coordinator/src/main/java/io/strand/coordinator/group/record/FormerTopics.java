package io.strand.coordinator.group.record;

import org.apache.kafka.common.Uuid;

/**
 * Names for topics that are gone but still held: a consumer group member may hold partitions of a
 * topic that was deleted (and perhaps created again under its name) until it revokes them, as in
 * Kafka, whose groups name topics by id. The groups here name topics, so such a topic is named by a
 * key no topic can have (topic names are ASCII letters, digits, '.', '_' and '-'): a NUL character
 * followed by the topic's id. Its partitions are never in a target assignment, so the member revokes
 * them; records carry them by that id, as Kafka's do. Stateless.
 */
public final class FormerTopics {

    private static final char MARK = '\0';

    private FormerTopics() {
    }

    /** The name of the topic that had {@code id}, once it no longer exists under its name. */
    public static String name(Uuid id) {
        return MARK + id.toString();
    }

    /** True for a name made by {@link #name}. */
    public static boolean isFormer(String topic) {
        return !topic.isEmpty() && topic.charAt(0) == MARK;
    }

    /** The id of a name made by {@link #name}. */
    public static Uuid idOf(String formerTopic) {
        if (!isFormer(formerTopic)) {
            throw new IllegalArgumentException("Not a former topic: " + formerTopic);
        }
        return Uuid.fromString(formerTopic.substring(1));
    }
}
