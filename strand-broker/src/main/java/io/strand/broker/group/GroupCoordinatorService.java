package io.strand.broker.group;

import io.strand.broker.replica.CommitWaiter;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.txn.CoordinatorMarkerWriter;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.utils.Time;

/**
 * The group coordinator's life in a broker. Lifecycle: construct before the metadata quorum starts
 * (so it can be a metadata listener), {@link #onMetadataUpdate} on every published change (only
 * remembered until {@link #start}), {@link #start} once the broker is registered, {@link #close}
 * on shutdown.
 *
 * <p>Leadership: a shard serves a {@code __consumer_offsets} partition exactly while this broker leads
 * it, as Kafka's coordinator does. Each published change that touches that topic or a broker
 * registration is turned into the led partitions and their leader epochs and handed to the coordinator,
 * which only enqueues the loads and unloads (the publisher thread never waits for a load): a partition
 * this broker becomes leader of, or leads at a newer epoch, is loaded from its log; one it stops leading
 * (another leader, the topic gone, this broker fenced) is unloaded. Subscribe after the replica manager:
 * a load reads the partition, which must already be the leader the change made it.
 *
 * <p>{@code __consumer_offsets} is created on start and whenever FindCoordinator finds it missing, by
 * {@link OffsetsTopicCreator}: with {@code offsets.topic.replication.factor} replicas, and not before
 * that many brokers are available. The topics' partition counts the consumer-protocol assignors read
 * are kept up to date from each change's created, deleted and changed topics.
 *
 * <p>Thread-safe.
 */
public final class GroupCoordinatorService implements AutoCloseable {

    public static final String OFFSETS_TOPIC = Topic.GROUP_METADATA_TOPIC_NAME;

    private final int nodeId;
    private final GroupCoordinatorConfig config;
    private final GroupCoordinator coordinator;
    private final OffsetsTopicCreator creator;
    private final CoordinatorMarkerWriter markerWriter;
    private volatile MetadataImage image = MetadataImage.EMPTY;
    /** Topic name to partition count, as of {@link #image}; replaced, never changed in place. */
    private volatile Map<String, Integer> partitionCounts = Map.of();
    private volatile boolean started;

    /** A coordinator whose appends and loads wait for the partitions' high watermarks. */
    public GroupCoordinatorService(int nodeId, GroupCoordinatorConfig config, ReplicaManager replicaManager, Time time) {
        this(nodeId, config, replicaManager, CommitWaiter.HIGH_WATERMARK, time);
    }

    /**
     * @param commitWaiter how {@code __consumer_offsets} appends and loads wait for the high watermark
     */
    public GroupCoordinatorService(int nodeId, GroupCoordinatorConfig config, ReplicaManager replicaManager,
                                   CommitWaiter commitWaiter, Time time) {
        this.nodeId = nodeId;
        this.config = config;
        this.coordinator = new GroupCoordinator(config, new ReplicaOffsetsTopicLog(replicaManager, commitWaiter),
                time, new Random(), () -> partitionCounts,
                groupId -> image.configs(new ConfigResource(ConfigResource.Type.GROUP, groupId)),
                ImageTopicIds.following(() -> image));
        this.creator = new OffsetsTopicCreator(config);
        this.markerWriter = new GroupMarkerWriter(coordinator);
    }

    public GroupCoordinator coordinator() {
        return coordinator;
    }

    /** Writes the transaction markers of {@code __consumer_offsets} partitions through the coordinator. */
    public CoordinatorMarkerWriter markerWriter() {
        return markerWriter;
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
        creator.enable(createTopics);
        this.started = true;
        onMetadataImage(current);
        maybeCreateOffsetsTopic();
    }

    /**
     * Takes a published metadata change: remembers the image, updates the partition counts from
     * what the delta changed and, once started, tells the coordinator of deleted topics and hands it the
     * led partitions and their leader epochs if the change touched {@code __consumer_offsets} or a broker
     * registration. Never waits for a load.
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
        if (started && !deleted.isEmpty()) {
            coordinator.onTopicsDeleted(deleted.stream().collect(Collectors.toMap(TopicImage::id, TopicImage::name)));
        }
        boolean offsetsTopicTouched = Stream.concat(deleted.stream(), createdOrChanged.stream())
                .anyMatch(topic -> topic.name().equals(OFFSETS_TOPIC));
        // A broker's registration changing may fence or unfence this one.
        if (started && (offsetsTopicTouched || !delta.changedBrokers().isEmpty())) {
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
        coordinator.onLeadership(ledPartitions(image, nodeId));
    }

    /**
     * The {@code __consumer_offsets} partitions {@code nodeId} leads in {@code image}, partition to
     * leader epoch; none while the broker is registered but not available (fenced).
     */
    static Map<Integer, Integer> ledPartitions(MetadataImage image, int nodeId) {
        BrokerRegistration self = image.brokers().get(nodeId);
        if (self != null && !OffsetsTopicCreator.isAvailable(self)) {
            return Map.of();
        }
        Map<Integer, Integer> led = new HashMap<>();
        image.topics().byName(OFFSETS_TOPIC).ifPresent(topic -> {
            for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
                if (e.getValue().leader() == nodeId) {
                    led.put(e.getKey(), e.getValue().leaderEpoch());
                }
            }
        });
        return led;
    }

    public MetadataImage image() {
        return image;
    }

    /**
     * Asks the controller for {@code __consumer_offsets} if it does not exist, enough brokers are
     * available and no request is in flight.
     *
     * @return why the topic cannot serve groups yet (COORDINATOR_NOT_AVAILABLE's message), or empty if
     *         it exists
     */
    public Optional<String> maybeCreateOffsetsTopic() {
        return creator.maybeCreate(image);
    }

    @Override
    public void close() {
        started = false;
        coordinator.close();
    }
}
