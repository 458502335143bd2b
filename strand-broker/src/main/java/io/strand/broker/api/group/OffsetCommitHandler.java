package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.metadata.image.MetadataImage;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.OffsetCommitRequestData;
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
 * topics by id; an unknown id gets UNKNOWN_TOPIC_ID. v2–4's retention time sets an explicit expiry.
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
        short version = context.apiVersion();
        OffsetCommitRequestData data = request.data();
        Set<Uuid> unknownIds = new HashSet<>();
        if (version >= TopicIds.FIRST_TOPIC_ID_VERSION) {
            MetadataImage current = image.get();
            for (OffsetCommitRequestTopic topic : data.topics()) {
                String name = TopicIds.nameOf(current, topic.topicId());
                if (name == null) {
                    unknownIds.add(topic.topicId());
                    topic.setName("");
                } else {
                    topic.setName(name);
                }
            }
        }
        return coordinator.commitOffsets(data).thenApply(response -> {
            if (version >= TopicIds.FIRST_TOPIC_ID_VERSION) {
                for (OffsetCommitResponseTopic topic : response.topics()) {
                    if (unknownIds.contains(topic.topicId())) {
                        for (OffsetCommitResponsePartition p : topic.partitions()) {
                            p.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
                        }
                    }
                    topic.setName("");
                }
            }
            return response;
        });
    }
}
