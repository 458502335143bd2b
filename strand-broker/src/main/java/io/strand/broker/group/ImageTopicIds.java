package io.strand.broker.group;

import io.strand.coordinator.group.TopicIdLookup;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;

/**
 * Topic ids, names, partition counts and replicas' racks of one {@link MetadataImage}, for the
 * consumer-protocol group coordinator. Immutable, so thread-safe.
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

    @Override
    public List<List<String>> replicaRacks(String topic) {
        return replicaRacks(image, topic);
    }

    /** The ids, names and racks of whichever image {@code image} supplies at each call. */
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

            @Override
            public List<List<String>> replicaRacks(String topic) {
                return ImageTopicIds.replicaRacks(image.get(), topic);
            }
        };
    }

    /** Kafka's racks of a partition: those of the registered brokers of its replicas that have one. */
    private static List<List<String>> replicaRacks(MetadataImage image, String topic) {
        Map<Integer, BrokerRegistration> brokers = image.brokers();
        if (brokers.values().stream().allMatch(broker -> broker.rack() == null)) {
            return List.of();
        }
        Optional<TopicImage> found = image.topics().byName(topic);
        if (found.isEmpty()) {
            return List.of();
        }
        List<List<String>> racks = new ArrayList<>(found.get().numPartitions());
        for (int p = 0; p < found.get().numPartitions(); p++) {
            List<String> ofPartition = new ArrayList<>();
            found.get().partition(p).ifPresent(partition -> partition.replicas().forEach(replica -> {
                BrokerRegistration broker = brokers.get(replica);
                if (broker != null && broker.rack() != null) {
                    ofPartition.add(broker.rack());
                }
            }));
            racks.add(ofPartition);
        }
        return racks;
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
