package io.strand.broker.api.group;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/**
 * OffsetFetch (v1–10): one group (v1–7, answered in the top-level fields) or many (v8+, each
 * possibly on another shard); null topics ask for everything the group committed (v2+). v10 names
 * topics by id. With {@code require_stable} (v7+) a partition that an open transaction commits answers
 * UNSTABLE_OFFSET_COMMIT (the client retries); without it the committed offset is answered.
 */
final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 10;

    private static final short FIRST_BATCH_VERSION = 8;
    private static final short FIRST_TOP_LEVEL_ERROR_VERSION = 2;

    private final GroupCoordinator coordinator;
    private final Supplier<MetadataImage> image;

    OffsetFetchHandler(GroupCoordinator coordinator, Supplier<MetadataImage> image) {
        this.coordinator = coordinator;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<OffsetFetchResponseData> handle(RequestContext context, OffsetFetchRequest request) {
        short version = context.apiVersion();
        boolean topicIds = version >= TopicIds.FIRST_TOPIC_ID_VERSION;
        MetadataImage current = image.get();
        boolean requireStable = request.data().requireStable();
        List<CompletableFuture<OffsetFetchResponseGroup>> futures = new ArrayList<>();
        for (OffsetFetchRequestGroup group : request.groups()) {
            Set<Uuid> unknownIds = new HashSet<>();
            if (topicIds && group.topics() != null) {
                for (OffsetFetchRequestTopics topic : group.topics()) {
                    String name = TopicIds.nameOf(current, topic.topicId());
                    if (name == null) {
                        unknownIds.add(topic.topicId());
                    }
                    topic.setName(name);
                }
            }
            futures.add(coordinator.fetchOffsets(group, requireStable)
                    .thenApply(g -> forVersion(g, topicIds, group.topics() == null, unknownIds, current)));
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            if (version >= FIRST_BATCH_VERSION) {
                futures.forEach(f -> response.groups().add(f.join()));
                return response;
            }
            OffsetFetchResponseGroup group = futures.get(0).join();
            Errors error = Errors.forCode(group.errorCode());
            if (version >= FIRST_TOP_LEVEL_ERROR_VERSION) {
                response.setErrorCode(error.code());
            } else if (error != Errors.NONE && group.topics().isEmpty()) {
                // v1 has no group-level error: every requested partition carries it.
                OffsetFetchRequestGroup requested = request.groups().get(0);
                for (OffsetFetchRequestTopics topic : requested.topics()) {
                    OffsetFetchResponseTopics out = new OffsetFetchResponseTopics().setName(topic.name());
                    for (int partition : topic.partitionIndexes()) {
                        out.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(partition)
                                .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata(""));
                    }
                    group.topics().add(out);
                }
            }
            for (OffsetFetchResponseTopics topic : group.topics()) {
                OffsetFetchResponseTopic out = new OffsetFetchResponseTopic().setName(topic.name());
                for (OffsetFetchResponsePartitions p : topic.partitions()) {
                    out.partitions().add(new OffsetFetchResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setCommittedOffset(p.committedOffset()).setCommittedLeaderEpoch(p.committedLeaderEpoch())
                            .setMetadata(p.metadata())
                            .setErrorCode(error != Errors.NONE && version < FIRST_TOP_LEVEL_ERROR_VERSION
                                    ? error.code() : p.errorCode()));
                }
                response.topics().add(out);
            }
            return response;
        });
    }

    /**
     * @param all whether the group's every offset was asked for (no topics named): then offsets of topics
     *            deleted since, which have no id, are left out; a topic the request names by an id the
     *            cluster does not have (the zero id too) is answered UNKNOWN_TOPIC_ID, as Kafka does
     */
    private static OffsetFetchResponseGroup forVersion(OffsetFetchResponseGroup group, boolean topicIds, boolean all,
                                                       Set<Uuid> unknownIds, MetadataImage current) {
        if (!topicIds) {
            return group;
        }
        for (OffsetFetchResponseTopics topic : group.topics()) {
            if (topic.topicId() == null || Uuid.ZERO_UUID.equals(topic.topicId())) {
                // Listed from storage by name (fetch of all offsets): name it by id.
                current.topics().byName(topic.name()).ifPresent(t -> topic.setTopicId(t.id()));
            }
            if (unknownIds.contains(topic.topicId())) {
                topic.partitions().forEach(p -> p.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
            }
            topic.setName("");
        }
        if (all && group.topics().stream().anyMatch(t -> Uuid.ZERO_UUID.equals(t.topicId()))) {
            // Offsets of topics deleted since: they have no id to be reported under.
            group.topics().removeIf(t -> Uuid.ZERO_UUID.equals(t.topicId()));
        }
        return group;
    }
}
