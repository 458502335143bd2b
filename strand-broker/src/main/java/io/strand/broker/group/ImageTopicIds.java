package io.strand.broker.group;

import io.strand.coordinator.group.TopicIdLookup;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;

/**
 * Topic ids, names and partition counts of one {@link MetadataImage}, for the consumer-protocol
 * group coordinator. Immutable, so thread-safe.
 */
public final class ImageTopicIds implements TopicIdLookup {

    private final MetadataImage image;

    public ImageTopicIds(MetadataImage image) {
        this.image = image;
    }

    @Override
    public String nameOf(Uuid topicId) {
        return nameOf(image, topicId);
    }

    @Override
    public Uuid idOf(String topicName) {
        return idOf(image, topicName);
    }

    /** The ids and names of whichever image {@code image} supplies at each call. */
    public static TopicIdLookup following(Supplier<MetadataImage> image) {
        return new TopicIdLookup() {
            @Override
            public String nameOf(Uuid topicId) {
                return ImageTopicIds.nameOf(image.get(), topicId);
            }

            @Override
            public Uuid idOf(String topicName) {
                return ImageTopicIds.idOf(image.get(), topicName);
            }
        };
    }

    private static String nameOf(MetadataImage image, Uuid topicId) {
        return image.topics().byId(topicId).map(TopicImage::name).orElse(null);
    }

    private static Uuid idOf(MetadataImage image, String topicName) {
        return image.topics().byName(topicName).map(TopicImage::id).orElse(Uuid.ZERO_UUID);
    }

    /** Every topic of {@code image} and its number of partitions. */
    static Map<String, Integer> partitionCounts(MetadataImage image) {
        Map<String, Integer> counts = new HashMap<>();
        for (TopicImage topic : image.topics().all()) {
            counts.put(topic.name(), topic.numPartitions());
        }
        return counts;
    }
}
