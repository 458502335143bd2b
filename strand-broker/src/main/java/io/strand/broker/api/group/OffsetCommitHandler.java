package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;

/**
 * OffsetCommit (v2–10): stores each partition's offset, leader epoch and metadata for the group;
 * the response comes after the records are committed to {@code __consumer_offsets}. v10 names
 * topics by id. As in Kafka, the broker answers what the cluster does not have without the
 * coordinator: an unknown topic name gets UNKNOWN_TOPIC_OR_PARTITION for each of its partitions (an
 * unknown id UNKNOWN_TOPIC_ID), as does each partition the topic does not have; nothing of those is
 * stored, and a request left with none is answered without the coordinator (so without its group
 * checks). v2–4's retention time sets an explicit expiry.
 */
final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {

    static final short MIN_VERSION = 2;
    static final short MAX_VERSION = 10;

    private final GroupCoordinator coordinator;
    private final Supplier<MetadataImage> image;

    OffsetCommitHandler(GroupCoordinator coordinator, Supplier<MetadataImage> image) {
        this.coordinator = coordinator;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<OffsetCommitResponseData> handle(RequestContext context, OffsetCommitRequest request) {
        boolean byId = context.apiVersion() >= TopicIds.FIRST_TOPIC_ID_VERSION;
        OffsetCommitRequestData data = request.data();
        MetadataImage current = image.get();
        List<OffsetCommitRequestTopic> known = new ArrayList<>();
        List<OffsetCommitResponseTopic> refused = new ArrayList<>();
        for (OffsetCommitRequestTopic topic : data.topics()) {
            Optional<TopicImage> found = byId ? current.topics().byId(topic.topicId())
                    : current.topics().byName(topic.name());
            if (found.isEmpty()) {
                merge(refused, failed(topic, topic.partitions(), byId ? Errors.UNKNOWN_TOPIC_ID
                        : Errors.UNKNOWN_TOPIC_OR_PARTITION), byId);
                continue;
            }
            topic.setName(found.get().name());
            List<OffsetCommitRequestPartition> existing = new ArrayList<>();
            List<OffsetCommitRequestPartition> missing = new ArrayList<>();
            for (OffsetCommitRequestPartition p : topic.partitions()) {
                (found.get().partition(p.partitionIndex()).isPresent() ? existing : missing).add(p);
            }
            if (!missing.isEmpty()) {
                merge(refused, failed(topic, missing, Errors.UNKNOWN_TOPIC_OR_PARTITION), byId);
            }
            if (!existing.isEmpty()) {
                known.add(topic.setPartitions(existing));
            }
        }
        if (known.isEmpty()) {
            return CompletableFuture.completedFuture(new OffsetCommitResponseData().setTopics(refused));
        }
        data.setTopics(known);
        return coordinator.commitOffsets(data, context.apiVersion()).thenApply(response -> {
            // As Kafka's response builder: with no refused topic the coordinator's answer as it is; else
            // its topics join the refused ones by name (a topic's refused partitions with its stored ones).
            if (!refused.isEmpty()) {
                response.topics().forEach(topic -> merge(refused, topic, byId));
                response.setTopics(refused);
            }
            if (byId) {
                response.topics().forEach(topic -> topic.setName(""));
            }
            return response;
        });
    }

    /** Adds {@code topic}'s answers to {@code answers}, under the entry of the same topic if there is one. */
    private static void merge(List<OffsetCommitResponseTopic> answers, OffsetCommitResponseTopic topic, boolean byId) {
        answers.stream()
                .filter(t -> byId ? t.topicId().equals(topic.topicId()) : t.name().equals(topic.name()))
                .findFirst()
                .ifPresentOrElse(t -> t.partitions().addAll(topic.partitions()), () -> answers.add(topic));
    }

    /** {@code partitions} of {@code topic}, each answered {@code error}, named as the request named them. */
    private static OffsetCommitResponseTopic failed(OffsetCommitRequestTopic topic,
                                                    List<OffsetCommitRequestPartition> partitions, Errors error) {
        OffsetCommitResponseTopic out = new OffsetCommitResponseTopic().setName(topic.name())
                .setTopicId(topic.topicId());
        for (OffsetCommitRequestPartition p : partitions) {
            out.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                    .setErrorCode(error.code()));
        }
        return out;
    }
}
