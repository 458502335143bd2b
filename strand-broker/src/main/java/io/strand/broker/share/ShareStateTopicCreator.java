package io.strand.broker.share;

import io.strand.coordinator.share.ShareCoordinatorConfig;
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
 * Creates {@code __share_group_state} through the controller on first need, as Kafka does:
 * {@code share.coordinator.state.topic.num.partitions} partitions, exactly
 * {@code share.coordinator.state.topic.replication.factor} replicas, compacted, uncompressed,
 * {@code min.insync.replicas} and {@code segment.bytes} from {@code share.coordinator.state.topic.min.isr}
 * and {@code .segment.bytes}, no unclean leader election. Nothing is asked for until that many brokers are
 * available (registered, not fenced); at most one request is in flight. Thread-safe.
 */
final class ShareStateTopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(ShareStateTopicCreator.class);
    private static final int CREATE_TIMEOUT_MS = 30_000;
    static final String TOPIC = Topic.SHARE_GROUP_STATE_TOPIC_NAME;

    private final ShareCoordinatorConfig config;
    private final AtomicBoolean creating = new AtomicBoolean();
    private volatile Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics;

    ShareStateTopicCreator(ShareCoordinatorConfig config) {
        this.config = config;
    }

    void enable(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics) {
        this.createTopics = createTopics;
    }

    /**
     * Asks the controller for the topic unless it exists, a request is in flight, creation is not enabled
     * yet or too few brokers are available.
     *
     * @return why the topic cannot serve yet (COORDINATOR_NOT_AVAILABLE's message), or empty if it exists
     */
    Optional<String> maybeCreate(MetadataImage image) {
        if (image.topics().byName(TOPIC).isPresent()) {
            return Optional.empty();
        }
        short replicationFactor = config.stateTopicReplicationFactor();
        long available = image.brokers().values().stream().filter(b -> !b.fenced()).count();
        if (available < replicationFactor) {
            return Optional.of("Number of available brokers (" + available + ") is below the replication factor "
                    + replicationFactor + " of " + TOPIC + " (" + ShareCoordinatorConfig.STATE_TOPIC_REPLICATION_FACTOR
                    + "); it is created once enough brokers have registered");
        }
        Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create = createTopics;
        if (create != null && creating.compareAndSet(false, true)) {
            send(create);
        }
        return Optional.of(TOPIC + " is being created");
    }

    /** The request this creator sends: the topic with its configs. */
    CreateTopicsRequestData request() {
        CreatableTopicConfigCollection configs = new CreatableTopicConfigCollection();
        configs.add(topicConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        configs.add(topicConfig(TopicConfig.COMPRESSION_TYPE_CONFIG, "uncompressed"));
        configs.add(topicConfig(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(config.stateTopicSegmentBytes())));
        configs.add(topicConfig(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Short.toString(config.stateTopicMinIsr())));
        configs.add(topicConfig(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false"));
        CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(new CreatableTopic().setName(TOPIC).setNumPartitions(config.stateTopicPartitions())
                .setReplicationFactor(config.stateTopicReplicationFactor()).setConfigs(configs));
        return new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(CREATE_TIMEOUT_MS);
    }

    private static CreatableTopicConfig topicConfig(String name, String value) {
        return new CreatableTopicConfig().setName(name).setValue(value);
    }

    private void send(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create) {
        CompletableFuture<CreateTopicsResponseData> sent;
        try {
            sent = create.apply(request());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            creating.set(false);
            if (failure != null) {
                LOG.warn("Creating {} failed", TOPIC, failure);
                return;
            }
            CreatableTopicResult result = response.topics().find(TOPIC);
            Errors error = result == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(result.errorCode());
            if (error == Errors.NONE) {
                LOG.info("Created {} with {} partitions, replication factor {}", TOPIC, config.stateTopicPartitions(),
                        config.stateTopicReplicationFactor());
            } else if (error != Errors.TOPIC_ALREADY_EXISTS) {
                LOG.warn("Creating {} failed: {} {}", TOPIC, error, result == null ? "" : result.errorMessage());
            }
        });
    }
}
