package io.strand.broker.group;

import io.strand.broker.replica.ReplicaManager;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;
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
 * (so it can be a metadata listener), {@link #onMetadataUpdate} on every published change (only
 * remembered until {@link #start}), {@link #start} once the broker is registered, {@link #close}
 * on shutdown.
 *
 * <p>On start, and whenever FindCoordinator finds it missing, {@code __consumer_offsets} is created
 * through the controller (compacted, {@code offsets.topic.num.partitions} partitions, replication
 * capped at the registered brokers). Leadership of its partitions is looked at again only when a
 * change touches that topic: the shards of the partitions this broker leads are loaded by replaying
 * the partition, the others unloaded. The topics' partition counts the consumer-protocol assignors
 * read are kept up to date from each change's created, deleted and changed topics.
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
    /** Topic name to partition count, as of {@link #image}; replaced, never changed in place. */
    private volatile Map<String, Integer> partitionCounts = Map.of();
    private volatile Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics;
    private volatile boolean started;

    /** A coordinator whose appends commit as a single replica's do ({@link CommitWaiter#SINGLE_REPLICA}). */
    public GroupCoordinatorService(int nodeId, GroupCoordinatorConfig config, ReplicaManager replicaManager, Time time) {
        this(nodeId, config, replicaManager, CommitWaiter.SINGLE_REPLICA, time);
    }

    /**
     * @param commitWaiter how {@code __consumer_offsets} appends and loads wait for the high watermark
     */
    public GroupCoordinatorService(int nodeId, GroupCoordinatorConfig config, ReplicaManager replicaManager,
                                   CommitWaiter commitWaiter, Time time) {
        this.nodeId = nodeId;
        this.config = config;
        this.coordinator = new GroupCoordinator(config, new ReplicaOffsetsTopicLog(replicaManager, commitWaiter),
                time, new Random(), () -> partitionCounts);
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

    /**
     * Takes a published metadata change: remembers the image, updates the partition counts from
     * what the delta changed and, once started, loads and unloads shards if the change touched
     * {@code __consumer_offsets}.
     */
    public synchronized void onMetadataUpdate(MetadataDelta delta, MetadataImage newImage) {
        if (newImage.appliedOffset() < image.appliedOffset()) {
            return;
        }
        if (delta.isSnapshot() || delta.base().appliedOffset() != image.appliedOffset()) {
            onMetadataImage(newImage);
            return;
        }
        image = newImage;
        List<TopicImage> deleted = delta.deletedTopics();
        List<TopicImage> createdOrChanged = new ArrayList<>(delta.createdTopics());
        createdOrChanged.addAll(delta.changedTopics());
        if (!deleted.isEmpty() || !createdOrChanged.isEmpty()) {
            Map<String, Integer> counts = new HashMap<>(partitionCounts);
            deleted.forEach(topic -> counts.remove(topic.name()));
            createdOrChanged.forEach(topic -> counts.put(topic.name(), topic.numPartitions()));
            partitionCounts = Collections.unmodifiableMap(counts);
        }
        boolean offsetsTopicTouched = Stream.concat(deleted.stream(), createdOrChanged.stream())
                .anyMatch(topic -> topic.name().equals(OFFSETS_TOPIC));
        if (started && offsetsTopicTouched) {
            updateLeadership();
        }
    }

    /** Takes a whole image: partition counts and, once started, shard leadership are worked out anew. */
    public synchronized void onMetadataImage(MetadataImage newImage) {
        if (newImage.appliedOffset() >= image.appliedOffset()) {
            image = newImage;
            partitionCounts = Collections.unmodifiableMap(ImageTopicIds.partitionCounts(newImage));
        }
        if (started) {
            updateLeadership();
        }
    }

    /** Loads and unloads shards as leadership of {@code __consumer_offsets} partitions moves. */
    private void updateLeadership() {
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
