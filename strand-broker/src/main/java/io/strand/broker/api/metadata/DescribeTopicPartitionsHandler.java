package io.strand.broker.api.metadata;

import io.strand.broker.api.AuthorizedOperations;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;

/**
 * DescribeTopicPartitions (v0): topics by name (every topic when the list is empty), in name order,
 * each with its partitions' leader, leader epoch, replicas, ISR and offline replicas, paged.
 *
 * <p>Paging, as Kafka does it: a response holds at most {@code response_partition_limit} partitions
 * (at least 1, at most {@value #MAX_PARTITIONS_PER_RESPONSE}). The request's cursor names the topic
 * and partition to start at; topics sorting before the cursor's topic are skipped, and a named list
 * must contain the cursor's topic (else INVALID_REQUEST, as for a negative partition index). When
 * the limit cuts a topic, {@code next_cursor} is that topic and its first partition not returned;
 * when the limit is used up exactly at a topic's end and more topics follow, it is the next topic at
 * partition 0; otherwise null. A named topic that does not exist gets UNKNOWN_TOPIC_OR_PARTITION
 * (INVALID_TOPIC_EXCEPTION for an illegal name) and no partitions.
 *
 * <p>A replica is offline when its broker is not registered, is fenced, has no endpoint on the
 * request's listener, or holds it in a log directory that is offline (as Kafka's metadata cache
 * decides); a leader that is not registered or has no
 * endpoint there is reported as -1 (a fenced leader is still named, as Kafka names it, until the
 * controller moves the leadership). Strand has no eligible leader
 * replicas, so both ELR lists are empty. Answers at once on the event loop; stateless.
 */
public final class DescribeTopicPartitionsHandler implements ApiHandler<DescribeTopicPartitionsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    /** Kafka's {@code max.request.partition.size.limit} default. */
    static final int MAX_PARTITIONS_PER_RESPONSE = 2000;

    private final Supplier<MetadataImage> image;

    public DescribeTopicPartitionsHandler(Supplier<MetadataImage> image) {
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeTopicPartitionsResponseData> handle(RequestContext context,
                                                                         DescribeTopicPartitionsRequest request) {
        DescribeTopicPartitionsRequestData data = request.data();
        MetadataImage current = image.get();
        Cursor cursor = data.cursor();
        String cursorTopic = cursor == null ? "" : cursor.topicName();
        boolean allTopics = data.topics().isEmpty();
        TreeSet<String> names = new TreeSet<>();
        if (allTopics) {
            current.topics().all().forEach(topic -> names.add(topic.name()));
        } else {
            data.topics().forEach(topic -> names.add(topic.name()));
        }
        names.headSet(cursorTopic).clear();
        if (!allTopics && cursor != null && !names.contains(cursorTopic)) {
            throw new InvalidRequestException(
                    "DescribeTopicPartitionsRequest topic list should contain the cursor topic: " + cursorTopic);
        }
        if (cursor != null && cursor.partitionIndex() < 0) {
            throw new InvalidRequestException("DescribeTopicPartitionsRequest cursor partition must be valid: " + cursor);
        }
        int limit = Math.max(1, Math.min(MAX_PARTITIONS_PER_RESPONSE, data.responsePartitionLimit()));
        return CompletableFuture.completedFuture(page(current, context.listenerName(), names, cursor, limit, allTopics));
    }

    private static DescribeTopicPartitionsResponseData page(MetadataImage current, String listenerName,
                                                            TreeSet<String> names, Cursor cursor, int limit,
                                                            boolean allTopics) {
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        int remaining = limit;
        for (String name : names) {
            if (remaining == 0) {
                response.setNextCursor(new DescribeTopicPartitionsResponseData.Cursor().setTopicName(name)
                        .setPartitionIndex(0));
                break;
            }
            Optional<TopicImage> topic = current.topics().byName(name);
            if (topic.isEmpty()) {
                if (!allTopics) {
                    response.topics().add(missingTopic(name));
                }
                continue;
            }
            int first = cursor != null && cursor.topicName().equals(name) ? cursor.partitionIndex() : 0;
            int total = topic.get().numPartitions();
            int end = (int) Math.min(total, (long) first + remaining);
            DescribeTopicPartitionsResponseTopic result = describedTopic(topic.get());
            for (int partitionId = first; partitionId < end; partitionId++) {
                Optional<PartitionRegistration> p = topic.get().partition(partitionId);
                if (p.isPresent()) {
                    result.partitions().add(partition(current, listenerName, partitionId, p.get()));
                }
            }
            response.topics().add(result);
            if (end < total) {
                response.setNextCursor(new DescribeTopicPartitionsResponseData.Cursor().setTopicName(name)
                        .setPartitionIndex(end));
                break;
            }
            remaining -= result.partitions().size();
        }
        return response;
    }

    private static DescribeTopicPartitionsResponseTopic describedTopic(TopicImage topic) {
        return new DescribeTopicPartitionsResponseTopic()
                .setErrorCode(Errors.NONE.code())
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(Topic.isInternal(topic.name()))
                .setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
    }

    private static DescribeTopicPartitionsResponseTopic missingTopic(String name) {
        Errors error;
        try {
            Topic.validate(name);
            error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
        } catch (InvalidTopicException e) {
            error = Errors.INVALID_TOPIC_EXCEPTION;
        }
        return new DescribeTopicPartitionsResponseTopic()
                .setErrorCode(error.code())
                .setName(name)
                .setTopicId(Uuid.ZERO_UUID)
                .setIsInternal(Topic.isInternal(name))
                .setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
    }

    private static DescribeTopicPartitionsResponsePartition partition(MetadataImage current, String listenerName,
                                                                      int partitionId, PartitionRegistration p) {
        return new DescribeTopicPartitionsResponsePartition()
                .setErrorCode(Errors.NONE.code())
                .setPartitionIndex(partitionId)
                .setLeaderId(isOnline(current, listenerName, p.leader()) ? p.leader() : PartitionRegistration.NO_LEADER)
                .setLeaderEpoch(p.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(p.replicas()))
                .setIsrNodes(new ArrayList<>(p.isr()))
                .setEligibleLeaderReplicas(new ArrayList<>())
                .setLastKnownElr(new ArrayList<>())
                .setOfflineReplicas(OfflineReplicas.of(current, listenerName, p));
    }

    private static boolean isOnline(MetadataImage current, String listenerName, int brokerId) {
        BrokerRegistration broker = current.brokers().get(brokerId);
        return broker != null && broker.endpoint(listenerName).isPresent();
    }

}
