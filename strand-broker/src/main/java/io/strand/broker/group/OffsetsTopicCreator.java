package io.strand.broker.group;

import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicCollection;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfigCollection;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates {@code __consumer_offsets} through the controller, as Kafka does: compacted,
 * {@code offsets.topic.num.partitions} partitions, exactly {@code offsets.topic.replication.factor}
 * replicas. Until that many brokers are available (registered and, where the image knows it, not
 * fenced) the topic is not created and the caller answers COORDINATOR_NOT_AVAILABLE; clients retry
 * FindCoordinator until the cluster has grown. At most one request is in flight.
 *
 * <p>Thread-safe.
 */
final class OffsetsTopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopicCreator.class);
    private static final int CREATE_TIMEOUT_MS = 30_000;

    private final GroupCoordinatorConfig config;
    private final AtomicBoolean creating = new AtomicBoolean();
    private volatile Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics;

    OffsetsTopicCreator(GroupCoordinatorConfig config) {
        this.config = config;
    }

    /** Creation may start from now on, through {@code createTopics} (the controller). */
    void enable(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics) {
        this.createTopics = createTopics;
    }

    /** Whether {@code broker} may be given partitions: registered and not fenced, as the controller places. */
    static boolean isAvailable(BrokerRegistration broker) {
        return !broker.fenced();
    }

    static long availableBrokers(MetadataImage image) {
        return image.brokers().values().stream().filter(OffsetsTopicCreator::isAvailable).count();
    }

    /**
     * Asks the controller for the topic unless it exists, a request is in flight, creation is not
     * enabled yet or too few brokers are available.
     *
     * @return why the topic is not there to serve groups (for COORDINATOR_NOT_AVAILABLE's message), or
     *         empty if it exists in {@code image}
     */
    Optional<String> maybeCreate(MetadataImage image) {
        if (image.topics().byName(Topic.GROUP_METADATA_TOPIC_NAME).isPresent()) {
            return Optional.empty();
        }
        short replicationFactor = config.offsetsTopicReplicationFactor();
        long available = availableBrokers(image);
        if (available < replicationFactor) {
            return Optional.of("Number of available brokers (" + available + ") is below the replication factor "
                    + replicationFactor + " of " + Topic.GROUP_METADATA_TOPIC_NAME + " ("
                    + GroupCoordinatorConfig.OFFSETS_TOPIC_REPLICATION_FACTOR + "); it is created once enough "
                    + "brokers have registered");
        }
        Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create = createTopics;
        if (create != null && creating.compareAndSet(false, true)) {
            send(create, replicationFactor);
        }
        return Optional.of(Topic.GROUP_METADATA_TOPIC_NAME + " is being created");
    }

    private void send(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create,
                      short replicationFactor) {
        CreatableTopicConfigCollection configs = new CreatableTopicConfigCollection();
        configs.add(new CreatableTopicConfig().setName(TopicConfig.CLEANUP_POLICY_CONFIG)
                .setValue(TopicConfig.CLEANUP_POLICY_COMPACT));
        configs.add(new CreatableTopicConfig().setName(TopicConfig.SEGMENT_BYTES_CONFIG)
                .setValue(Integer.toString(config.offsetsTopicSegmentBytes())));
        configs.add(new CreatableTopicConfig().setName(TopicConfig.COMPRESSION_TYPE_CONFIG).setValue("producer"));
        CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(new CreatableTopic().setName(Topic.GROUP_METADATA_TOPIC_NAME)
                .setNumPartitions(config.offsetsTopicPartitions()).setReplicationFactor(replicationFactor)
                .setConfigs(configs));
        CompletableFuture<CreateTopicsResponseData> sent;
        try {
            sent = create.apply(new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(CREATE_TIMEOUT_MS));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            creating.set(false);
            if (failure != null) {
                LOG.warn("Creating {} failed", Topic.GROUP_METADATA_TOPIC_NAME, failure);
                return;
            }
            CreatableTopicResult result = response.topics().find(Topic.GROUP_METADATA_TOPIC_NAME);
            Errors error = result == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(result.errorCode());
            if (error == Errors.NONE) {
                LOG.info("Created {} with {} partitions, replication factor {}", Topic.GROUP_METADATA_TOPIC_NAME,
                        config.offsetsTopicPartitions(), replicationFactor);
            } else if (error != Errors.TOPIC_ALREADY_EXISTS) {
                LOG.warn("Creating {} failed: {} {}", Topic.GROUP_METADATA_TOPIC_NAME, error,
                        result == null ? "" : result.errorMessage());
            }
        });
    }
}
