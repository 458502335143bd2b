package io.strand.coordinator.group;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;

/**
 * Topic ids for shards driven without a metadata image: every name has one, derived from the name (the
 * same in every run), and an id names the topic it was derived for once asked. So consumer group
 * records, which name topics by id, load back as they were written. Thread-safe.
 */
final class DerivedTopicIds implements TopicIdLookup {

    static final DerivedTopicIds INSTANCE = new DerivedTopicIds();

    private final Map<Uuid, String> names = new ConcurrentHashMap<>();

    @Override
    public String nameOf(Uuid topicId) {
        return names.get(topicId);
    }

    @Override
    public Uuid idOf(String topicName) {
        UUID derived = UUID.nameUUIDFromBytes(topicName.getBytes(StandardCharsets.UTF_8));
        Uuid id = new Uuid(derived.getMostSignificantBits(), derived.getLeastSignificantBits());
        names.putIfAbsent(id, topicName);
        return id;
    }
}
