package io.strand.metadata.image;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/** The topics of a {@link MetadataImage}, by name and by id. Immutable; read without locks. */
public final class TopicsImage {

    public static final TopicsImage EMPTY = new TopicsImage(Map.of());

    private final Map<Uuid, TopicImage> byId;
    private final Map<String, TopicImage> byName;

    /** {@code byId} must not be used by the caller afterwards. */
    TopicsImage(Map<Uuid, TopicImage> byId) {
        Map<String, TopicImage> names = new HashMap<>(Math.max(16, byId.size() * 2));
        for (TopicImage topic : byId.values()) {
            TopicImage previous = names.put(topic.name(), topic);
            if (previous != null) {
                throw new IllegalStateException("Two topics with one name: name=" + topic.name()
                        + " topicId=" + topic.id() + " otherTopicId=" + previous.id());
            }
        }
        this.byId = Collections.unmodifiableMap(byId);
        this.byName = Collections.unmodifiableMap(names);
    }

    public Optional<TopicImage> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<TopicImage> byId(Uuid topicId) {
        return Optional.ofNullable(byId.get(topicId));
    }

    public Collection<TopicImage> all() {
        return byId.values();
    }

    public int size() {
        return byId.size();
    }

    Map<Uuid, TopicImage> asMap() {
        return byId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicsImage other && byId.equals(other.byId);
    }

    @Override
    public int hashCode() {
        return byId.hashCode();
    }

    @Override
    public String toString() {
        return "TopicsImage" + byName.values();
    }
}
