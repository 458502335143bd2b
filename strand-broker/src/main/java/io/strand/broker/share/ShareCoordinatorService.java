package io.strand.broker.share;

import io.strand.broker.replica.CommitWaiter;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.replica.StateTopicCreator;
import io.strand.coordinator.share.ShareCoordinator;
import io.strand.coordinator.share.ShareCoordinatorConfig;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.utils.Time;

/**
 * The share coordinator's life in a broker, as {@code TransactionCoordinatorService} is the transaction
 * coordinator's. Lifecycle: construct before the metadata subscription, {@link #onMetadataUpdate} on every
 * published change (only remembered until {@link #start}), {@link #start} once the broker is registered,
 * {@link #close} on shutdown.
 *
 * <p>Leadership: a shard serves a {@code __share_group_state} partition exactly while this broker leads
 * it; each published change that touches that topic or a broker registration hands the coordinator the led
 * partitions and their leader epochs. {@code __share_group_state} is created on first need (a share-state
 * lookup or FindCoordinator with key type SHARE) by a {@link StateTopicCreator}.
 *
 * <p>Thread-safe.
 */
public final class ShareCoordinatorService implements AutoCloseable {

    public static final String STATE_TOPIC = org.apache.kafka.common.internals.Topic.SHARE_GROUP_STATE_TOPIC_NAME;
    /** Shard threads; Kafka's {@code share.coordinator.threads} defaults to 1 too. */
    static final int THREADS = 1;

    private final int nodeId;
    private final ShareCoordinator coordinator;
    private final StateTopicCreator creator;
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile boolean started;

    public ShareCoordinatorService(int nodeId, ShareCoordinatorConfig config, ReplicaManager replicaManager,
                                   Time time) {
        this(nodeId, config, replicaManager, CommitWaiter.HIGH_WATERMARK, time);
    }

    public ShareCoordinatorService(int nodeId, ShareCoordinatorConfig config, ReplicaManager replicaManager,
                                   CommitWaiter commitWaiter, Time time) {
        this.nodeId = nodeId;
        this.coordinator = new ShareCoordinator(config, THREADS, new ReplicaShareStateLog(replicaManager, commitWaiter),
                time, (topicId, partition) -> image.topics().byId(topicId)
                        .map(topic -> topic.partition(partition).isPresent()).orElse(false));
        this.creator = new StateTopicCreator(new StateTopicCreator.Spec(STATE_TOPIC, config.stateTopicPartitions(),
                config.stateTopicReplicationFactor(), ShareCoordinatorConfig.STATE_TOPIC_REPLICATION_FACTOR,
                config.stateTopicMinIsr(), config.stateTopicSegmentBytes()));
    }

    public ShareCoordinator coordinator() {
        return coordinator;
    }

    public MetadataImage image() {
        return image;
    }

    public int nodeId() {
        return nodeId;
    }

    /**
     * Starts serving share state.
     *
     * @param createTopics how to create {@code __share_group_state} (the controller)
     * @param current      the current, caught-up metadata image
     */
    public void start(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics,
                      MetadataImage current) {
        creator.enable(createTopics);
        started = true;
        onMetadataImage(current);
    }

    /** Takes a published change: remembers the image and, once started, hands over the led partitions. */
    public synchronized void onMetadataUpdate(MetadataDelta delta, MetadataImage newImage) {
        if (newImage.appliedOffset() < image.appliedOffset()) {
            return;
        }
        if (delta.isSnapshot() || delta.base().appliedOffset() != image.appliedOffset()) {
            onMetadataImage(newImage);
            return;
        }
        image = newImage;
        boolean stateTopicTouched = Stream.of(delta.deletedTopics(), delta.createdTopics(), delta.changedTopics())
                .flatMap(List::stream).map(TopicImage::name).anyMatch(STATE_TOPIC::equals);
        if (started && (stateTopicTouched || !delta.changedBrokers().isEmpty())) {
            coordinator.onLeadership(ledPartitions(image, nodeId));
        }
    }

    /** Takes a whole image; once started, shard leadership is worked out anew. */
    public synchronized void onMetadataImage(MetadataImage newImage) {
        if (newImage.appliedOffset() >= image.appliedOffset()) {
            image = newImage;
        }
        if (started) {
            coordinator.onLeadership(ledPartitions(image, nodeId));
        }
    }

    /** The {@code __share_group_state} partitions {@code nodeId} leads, to leader epoch; none while fenced. */
    static Map<Integer, Integer> ledPartitions(MetadataImage image, int nodeId) {
        BrokerRegistration self = image.brokers().get(nodeId);
        if (self != null && self.fenced()) {
            return Map.of();
        }
        Map<Integer, Integer> led = new HashMap<>();
        image.topics().byName(STATE_TOPIC).ifPresent(topic -> {
            for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
                if (e.getValue().leader() == nodeId) {
                    led.put(e.getKey(), e.getValue().leaderEpoch());
                }
            }
        });
        return led;
    }

    /**
     * Asks the controller for {@code __share_group_state} if it does not exist.
     *
     * @return why the topic cannot serve share state yet, or empty if it exists
     */
    public Optional<String> maybeCreateStateTopic() {
        return started ? creator.maybeCreate(image) : Optional.of("The broker is starting");
    }

    /** The broker leading {@code __share_group_state}'s {@code partition} in the latest image, or -1. */
    public int leaderOf(int partition) {
        return image.topics().byName(STATE_TOPIC).flatMap(topic -> topic.partition(partition))
                .filter(PartitionRegistration::hasLeader).map(PartitionRegistration::leader).orElse(-1);
    }

    /** Unloads every shard and ends the coordinator's threads. Idempotent. */
    @Override
    public void close() {
        started = false;
        coordinator.close();
    }
}
