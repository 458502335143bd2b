package io.strand.broker.replica;

import io.strand.metadata.image.MetadataImage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.common.config.TopicConfig;
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
 * Creates a coordinator's internal state topic ({@code __transaction_state}, {@code __share_group_state})
 * through the controller on first need, as Kafka does: its {@link Spec}'s partitions, exactly its
 * replication factor, compacted, uncompressed, its {@code min.insync.replicas} and {@code segment.bytes},
 * no unclean leader election. Until that many brokers are available (registered, not fenced) nothing is
 * created and the caller answers COORDINATOR_NOT_AVAILABLE with {@link #maybeCreate}'s message. At most one
 * request is in flight.
 *
 * <p>Thread-safe.
 */
public final class StateTopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(StateTopicCreator.class);
    private static final int CREATE_TIMEOUT_MS = 30_000;

    /**
     * The topic as its coordinator's settings describe it.
     *
     * @param replicationFactorProperty the setting the replication factor comes from, named in the message
     *                                  while too few brokers are available
     */
    public record Spec(String topic, int partitions, short replicationFactor, String replicationFactorProperty,
                       int minInsyncReplicas, int segmentBytes) {
    }

    private final Spec spec;
    private final AtomicBoolean creating = new AtomicBoolean();
    private volatile Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics;

    public StateTopicCreator(Spec spec) {
        this.spec = spec;
    }

    public String topic() {
        return spec.topic();
    }

    /** From now on {@link #maybeCreate} asks the controller through {@code createTopics}. */
    public void enable(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics) {
        this.createTopics = createTopics;
    }

    /**
     * Asks the controller for the topic unless it exists, a request is in flight, creation is not
     * enabled yet or too few brokers are available.
     *
     * @return why the topic cannot serve yet (COORDINATOR_NOT_AVAILABLE's message), or empty if it exists in
     *         {@code image}
     */
    public Optional<String> maybeCreate(MetadataImage image) {
        String topic = spec.topic();
        if (image.topics().byName(topic).isPresent()) {
            return Optional.empty();
        }
        long available = image.brokers().values().stream().filter(b -> !b.fenced()).count();
        if (available < spec.replicationFactor()) {
            return Optional.of("Number of available brokers (" + available + ") is below the replication factor "
                    + spec.replicationFactor() + " of " + topic + " (" + spec.replicationFactorProperty()
                    + "); it is created once enough brokers have registered");
        }
        Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create = createTopics;
        if (create != null && creating.compareAndSet(false, true)) {
            send(create);
        }
        return Optional.of(topic + " is being created");
    }

    /** The request this creator sends: the topic with its configs. */
    public CreateTopicsRequestData request() {
        CreatableTopicConfigCollection configs = new CreatableTopicConfigCollection();
        configs.add(topicConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        configs.add(topicConfig(TopicConfig.COMPRESSION_TYPE_CONFIG, "uncompressed"));
        configs.add(topicConfig(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(spec.segmentBytes())));
        configs.add(topicConfig(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(spec.minInsyncReplicas())));
        configs.add(topicConfig(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false"));
        CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(new CreatableTopic().setName(spec.topic()).setNumPartitions(spec.partitions())
                .setReplicationFactor(spec.replicationFactor()).setConfigs(configs));
        return new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(CREATE_TIMEOUT_MS);
    }

    private static CreatableTopicConfig topicConfig(String name, String value) {
        return new CreatableTopicConfig().setName(name).setValue(value);
    }

    private void send(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create) {
        String topic = spec.topic();
        CompletableFuture<CreateTopicsResponseData> sent;
        try {
            sent = create.apply(request());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            creating.set(false);
            if (failure != null) {
                LOG.warn("Creating {} failed", topic, failure);
                return;
            }
            CreatableTopicResult result = response.topics().find(topic);
            Errors error = result == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(result.errorCode());
            if (error == Errors.NONE) {
                LOG.info("Created {} with {} partitions, replication factor {}", topic, spec.partitions(),
                        spec.replicationFactor());
            } else if (error != Errors.TOPIC_ALREADY_EXISTS) {
                LOG.warn("Creating {} failed: {} {}", topic, error, result == null ? "" : result.errorMessage());
            }
        });
    }
}
