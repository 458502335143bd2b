package io.strand.broker.group;

import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.metadata.MetadataImage;
import io.strand.metadata.PartitionRegistration;
import io.strand.metadata.TopicImage;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
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
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator's life in a broker. Lifecycle: construct before the metadata quorum starts
 * (so it can be a metadata listener), {@link #onMetadataImage} on every image (ignored until
 * {@link #start}), {@link #start} once the broker is registered, {@link #close} on shutdown.
 *
 * <p>On start, and whenever FindCoordinator finds it missing, {@code __consumer_offsets} is created
 * through the controller (compacted, {@code offsets.topic.num.partitions} partitions, replication
 * capped at the registered brokers). Each image decides which of its partitions this broker leads;
 * their coordinator shards are loaded by replaying the partition, the others unloaded.
 *
 * <p>Thread-safe.
 */
public final class GroupCoordinatorService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorService.class);
    public static final String OFFSETS_TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private final int nodeId;
    private final GroupCoordinatorConfig config;
    private final GroupCoordinator coordinator;
    private final AtomicBoolean creating = new AtomicBoolean();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics;
    private volatile boolean started;

    public GroupCoordinatorService(int nodeId, GroupCoordinatorConfig config, ReplicaManager replicaManager, Time time) {
        this.nodeId = nodeId;
        this.config = config;
        this.coordinator = new GroupCoordinator(config, new ReplicaOffsetsTopicLog(replicaManager, () -> image),
                time, new Random(), () -> ImageTopicIds.partitionCounts(image));
    }

    public GroupCoordinator coordinator() {
        return coordinator;
    }

    public GroupCoordinatorConfig config() {
        return config;
    }

    /**
     * Starts serving groups.
     *
     * @param createTopics how to create {@code __consumer_offsets} (the controller, with this broker's defaults)
     * @param current      the current, caught-up metadata image
     */
    public void start(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics,
                      MetadataImage current) {
        this.createTopics = createTopics;
        this.started = true;
        onMetadataImage(current);
        maybeCreateOffsetsTopic();
    }

    /** Loads and unloads shards as leadership of {@code __consumer_offsets} partitions moves. */
    public synchronized void onMetadataImage(MetadataImage newImage) {
        if (newImage.appliedOffset() >= image.appliedOffset()) {
            image = newImage;
        }
        if (!started) {
            return;
        }
        Set<Integer> led = new HashSet<>();
        image.topics().byName(OFFSETS_TOPIC).ifPresent(topic -> {
            for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
                if (e.getValue().leader() == nodeId) {
                    led.add(e.getKey());
                }
            }
        });
        coordinator.onLeadership(led);
    }

    public MetadataImage image() {
        return image;
    }

    Optional<TopicImage> offsetsTopic() {
        return image.topics().byName(OFFSETS_TOPIC);
    }

    /** Asks the controller for {@code __consumer_offsets} if it does not exist and no request is in flight. */
    public void maybeCreateOffsetsTopic() {
        Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> create = createTopics;
        if (create == null || offsetsTopic().isPresent() || !creating.compareAndSet(false, true)) {
            return;
        }
        int brokers = Math.max(1, image.brokers().size());
        short replicationFactor = (short) Math.min(config.offsetsTopicReplicationFactor(), brokers);
        CreatableTopicConfigCollection configs = new CreatableTopicConfigCollection();
        configs.add(new CreatableTopicConfig().setName(TopicConfig.CLEANUP_POLICY_CONFIG)
                .setValue(TopicConfig.CLEANUP_POLICY_COMPACT));
        configs.add(new CreatableTopicConfig().setName(TopicConfig.SEGMENT_BYTES_CONFIG)
                .setValue(Integer.toString(config.offsetsTopicSegmentBytes())));
        configs.add(new CreatableTopicConfig().setName(TopicConfig.COMPRESSION_TYPE_CONFIG).setValue("producer"));
        CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(new CreatableTopic().setName(OFFSETS_TOPIC).setNumPartitions(config.offsetsTopicPartitions())
                .setReplicationFactor(replicationFactor).setConfigs(configs));
        create.apply(new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(30_000))
                .whenComplete((response, failure) -> {
                    creating.set(false);
                    if (failure != null) {
                        LOG.warn("Creating {} failed", OFFSETS_TOPIC, failure);
                        return;
                    }
                    CreatableTopicResult result = response.topics().find(OFFSETS_TOPIC);
                    Errors error = result == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(result.errorCode());
                    if (error == Errors.NONE) {
                        LOG.info("Created {} with {} partitions, replication factor {}", OFFSETS_TOPIC,
                                config.offsetsTopicPartitions(), replicationFactor);
                    } else if (error != Errors.TOPIC_ALREADY_EXISTS) {
                        LOG.warn("Creating {} failed: {} {}", OFFSETS_TOPIC, error,
                                result == null ? "" : result.errorMessage());
                    }
                });
    }

    @Override
    public void close() {
        started = false;
        coordinator.close();
    }
}
