package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

/**
 * OffsetDelete (v0): removes committed offsets of a group; GROUP_SUBSCRIBED_TO_TOPIC for topics an
 * active consumer group subscribes to, NON_EMPTY_GROUP for an active group of another protocol type.
 * As Kafka's broker does before the coordinator sees the request: a topic the cluster does not know
 * gets UNKNOWN_TOPIC_OR_PARTITION for each of its partitions (and its entry even without partitions),
 * as does each partition a known topic does not have; an error of the group's replaces all of that
 * (the answer is the error alone). With something refused, one entry per topic name; with nothing
 * refused, the coordinator's answer as it is (Kafka's response builder).
 */
final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final GroupCoordinator coordinator;
    private final Supplier<MetadataImage> image;

    OffsetDeleteHandler(GroupCoordinator coordinator, Supplier<MetadataImage> image) {
        this.coordinator = coordinator;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<OffsetDeleteResponseData> handle(RequestContext context, OffsetDeleteRequest request) {
        MetadataImage current = image.get();
        OffsetDeleteResponseData answered = new OffsetDeleteResponseData();
        OffsetDeleteRequestTopicCollection known = new OffsetDeleteRequestTopicCollection();
        for (OffsetDeleteRequestTopic topic : request.data().topics()) {
            Optional<TopicImage> found = current.topics().byName(topic.name());
            if (found.isEmpty()) {
                OffsetDeleteResponseTopic entry = entry(answered, topic.name());
                topic.partitions().forEach(p -> add(entry, p.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION));
                continue;
            }
            OffsetDeleteRequestTopic existing = new OffsetDeleteRequestTopic().setName(topic.name());
            for (OffsetDeleteRequestPartition p : topic.partitions()) {
                if (found.get().partition(p.partitionIndex()).isPresent()) {
                    existing.partitions().add(new OffsetDeleteRequestPartition().setPartitionIndex(p.partitionIndex()));
                } else {
                    add(entry(answered, topic.name()), p.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                }
            }
            if (!existing.partitions().isEmpty()) {
                known.add(existing);
            }
        }
        OffsetDeleteRequestData forCoordinator = new OffsetDeleteRequestData().setGroupId(request.data().groupId())
                .setTopics(known);
        return coordinator.deleteOffsets(forCoordinator).thenApply(response -> {
            if (response.errorCode() != Errors.NONE.code() || answered.topics().isEmpty()) {
                return response; // Kafka's builder: the coordinator's answer as it is
            }
            for (OffsetDeleteResponseTopic topic : response.topics()) {
                OffsetDeleteResponseTopic entry = entry(answered, topic.name());
                topic.partitions().forEach(p -> add(entry, p.partitionIndex(), Errors.forCode(p.errorCode())));
            }
            return answered;
        });
    }

    /** The one entry of {@code topic} in {@code response}, added if it has none yet. */
    private static OffsetDeleteResponseTopic entry(OffsetDeleteResponseData response, String topic) {
        OffsetDeleteResponseTopic entry = response.topics().find(topic);
        if (entry == null) {
            entry = new OffsetDeleteResponseTopic().setName(topic);
            response.topics().add(entry);
        }
        return entry;
    }

    private static void add(OffsetDeleteResponseTopic topic, int partition, Errors error) {
        topic.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(partition)
                .setErrorCode(error.code()));
    }
}
