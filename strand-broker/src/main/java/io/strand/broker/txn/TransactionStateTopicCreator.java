package io.strand.broker.txn;

import io.strand.coordinator.txn.TransactionCoordinatorConfig;
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
 * Creates {@code __transaction_state} through the controller on first need, as Kafka does:
 * {@code transaction.state.log.num.partitions} partitions, exactly
 * {@code transaction.state.log.replication.factor} replicas, compacted, uncompressed,
 * {@code min.insync.replicas = transaction.state.log.min.isr}, {@code segment.bytes =
 * transaction.state.log.segment.bytes}, no unclean leader election. Until that many brokers are
 * available (registered, not fenced) nothing is created and the caller answers
 * COORDINATOR_NOT_AVAILABLE. At most one request is in flight.
 *
 * <p>Thread-safe.
 */
final class TransactionStateTopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionStateTopicCreator.class);
    private static final int CREATE_TIMEOUT_MS = 30_000;
    static final String TOPIC = Topic.TRANSACTION_STATE_TOPIC_NAME;

    private final TransactionCoordinatorConfig config;
    private final AtomicBoolean creating = new AtomicBoolean();
    private volatile Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics;

    TransactionStateTopicCreator(TransactionCoordinatorConfig config) {
        this.config = config;
    }

    void enable(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics) {
        this.createTopics = createTopics;
    }

    /**
     * Asks the controller for the topic unless it exists, a request is in flight, creation is not
     * enabled yet or too few brokers are available.
     *
     * @return why the topic cannot serve transactions yet (COORDINATOR_NOT_AVAILABLE's message), or empty
     *         if it exists in {@code image}
     */
    Optional<String> maybeCreate(MetadataImage image) {
        if (image.topics().byName(TOPIC).isPresent()) {
            return Optional.empty();
        }
        short replicationFactor = config.stateLogReplicationFactor();
        long available = image.brokers().values().stream().filter(b -> !b.fenced()).count();
        if (available < replicationFactor) {
            return Optional.of("Number of available brokers (" + available + ") is below the replication factor "
                    + replicationFactor + " of " + TOPIC + " ("
                    + TransactionCoordinatorConfig.STATE_LOG_REPLICATION_FACTOR + "); it is created once enough "
                    + "brokers have registered");
        }
        Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create = createTopics;
        if (create != null && creating.compareAndSet(false, true)) {
            send(create, replicationFactor);
        }
        return Optional.of(TOPIC + " is being created");
    }

    /** The request this creator sends: the topic with its configs. */
    CreateTopicsRequestData request(short replicationFactor) {
        CreatableTopicConfigCollection configs = new CreatableTopicConfigCollection();
        configs.add(topicConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        configs.add(topicConfig(TopicConfig.COMPRESSION_TYPE_CONFIG, "uncompressed"));
        configs.add(topicConfig(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(config.stateLogSegmentBytes())));
        configs.add(topicConfig(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(config.stateLogMinIsr())));
        configs.add(topicConfig(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false"));
        CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(new CreatableTopic().setName(TOPIC).setNumPartitions(config.stateLogPartitions())
                .setReplicationFactor(replicationFactor).setConfigs(configs));
        return new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(CREATE_TIMEOUT_MS);
    }

    private static CreatableTopicConfig topicConfig(String name, String value) {
        return new CreatableTopicConfig().setName(name).setValue(value);
    }

    private void send(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create,
                      short replicationFactor) {
        CompletableFuture<CreateTopicsResponseData> sent;
        try {
            sent = create.apply(request(replicationFactor));
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
                LOG.info("Created {} with {} partitions, replication factor {}", TOPIC, config.stateLogPartitions(),
                        replicationFactor);
            } else if (error != Errors.TOPIC_ALREADY_EXISTS) {
                LOG.warn("Creating {} failed: {} {}", TOPIC, error, result == null ? "" : result.errorMessage());
            }
        });
    }
}
