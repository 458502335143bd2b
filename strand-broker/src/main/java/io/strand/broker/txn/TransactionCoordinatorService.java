package io.strand.broker.txn;

import io.strand.broker.replica.CommitWaiter;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.replica.StateTopicCreator;
import io.strand.coordinator.txn.ProducerIdSource;
import io.strand.coordinator.txn.TransactionCoordinator;
import io.strand.coordinator.txn.TransactionCoordinatorConfig;
import io.strand.coordinator.txn.TransactionMarkerChannel;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.SupportedFeatures;
import io.strand.metadata.image.TopicImage;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.utils.Time;

/**
 * The transaction coordinator's life in a broker, as {@code GroupCoordinatorService} is the group
 * coordinator's. Lifecycle: construct before the metadata subscription, {@link #onMetadataUpdate} on
 * every published change (only remembered until {@link #start}), {@link #start} once the broker is
 * registered, {@link #close} on shutdown (before the marker channel is closed).
 *
 * <p>Leadership: a shard serves a {@code __transaction_state} partition exactly while this broker leads
 * it, its leader epoch being the coordinator epoch of its markers. Each published change that touches
 * that topic or a broker registration is turned into the led partitions and their epochs and handed to
 * {@link TransactionCoordinator#onLeadership}, which only enqueues the loads and unloads. Subscribe
 * after the replica manager.
 *
 * <p>{@code __transaction_state} is created on first need (FindCoordinator for a transactional id, as
 * Kafka) by a {@link StateTopicCreator}. The finalized {@code transaction.version} the coordinator
 * acts on is the one of the latest image taken here.
 *
 * <p>Thread-safe.
 */
public final class TransactionCoordinatorService implements AutoCloseable {

    public static final String STATE_TOPIC = org.apache.kafka.common.internals.Topic.TRANSACTION_STATE_TOPIC_NAME;
    /** Shard threads of the coordinator; Kafka's coordinator has one too. */
    static final int THREADS = 1;
    private final int nodeId;
    private final TransactionCoordinatorConfig config;
    private final TransactionCoordinator coordinator;
    private final StateTopicCreator creator;
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile boolean started;

    /**
     * @param offsetsPartitionForGroup the {@code __consumer_offsets} partition of a group id (AddOffsetsToTxn)
     */
    public TransactionCoordinatorService(int nodeId, TransactionCoordinatorConfig config,
                                         ReplicaManager replicaManager, ProducerIdSource producerIds,
                                         TransactionMarkerChannel markerChannel,
                                         ToIntFunction<String> offsetsPartitionForGroup, Time time) {
        this(nodeId, config, replicaManager, CommitWaiter.HIGH_WATERMARK, producerIds, markerChannel,
                offsetsPartitionForGroup, time);
    }

    /** @param commitWaiter how {@code __transaction_state} appends and loads wait for the high watermark */
    public TransactionCoordinatorService(int nodeId, TransactionCoordinatorConfig config,
                                         ReplicaManager replicaManager, CommitWaiter commitWaiter,
                                         ProducerIdSource producerIds, TransactionMarkerChannel markerChannel,
                                         ToIntFunction<String> offsetsPartitionForGroup, Time time) {
        this.nodeId = nodeId;
        this.config = config;
        this.coordinator = new TransactionCoordinator(config, THREADS,
                new ReplicaTransactionStateLog(replicaManager, commitWaiter), time, producerIds,
                this::finalizedTransactionVersion,
                markerChannel, offsetsPartitionForGroup);
        this.creator = new StateTopicCreator(new StateTopicCreator.Spec(STATE_TOPIC, config.stateLogPartitions(),
                config.stateLogReplicationFactor(), TransactionCoordinatorConfig.STATE_LOG_REPLICATION_FACTOR,
                config.stateLogMinIsr(), config.stateLogSegmentBytes()));
    }

    /** The finalized {@code transaction.version} of the latest image taken (0 when not finalized). */
    short finalizedTransactionVersion() {
        return image.features().level(SupportedFeatures.TRANSACTION_VERSION);
    }

    public TransactionCoordinator coordinator() {
        return coordinator;
    }

    public TransactionCoordinatorConfig config() {
        return config;
    }

    public MetadataImage image() {
        return image;
    }

    /**
     * Starts serving transactions.
     *
     * @param createTopics how to create {@code __transaction_state} (the controller)
     * @param current      the current, caught-up metadata image
     */
    public void start(Function<CreateTopicsRequestData, CompletableFuture<CreateTopicsResponseData>> createTopics,
                      MetadataImage current) {
        creator.enable(createTopics);
        started = true;
        onMetadataImage(current);
    }

    /**
     * Takes a published change: remembers the image and, once started, hands the coordinator the led
     * partitions if the change touched {@code __transaction_state} or a broker registration. Never waits.
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
        boolean stateTopicTouched = Stream.of(delta.deletedTopics(), delta.createdTopics(), delta.changedTopics())
                .flatMap(java.util.List::stream).map(TopicImage::name).anyMatch(STATE_TOPIC::equals);
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

    /**
     * The {@code __transaction_state} partitions {@code nodeId} leads in {@code image}, partition to
     * leader epoch; none while this broker is registered but fenced.
     */
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
     * Asks the controller for {@code __transaction_state} if it does not exist (see
     * {@link StateTopicCreator#maybeCreate}).
     *
     * @return why the topic cannot serve transactions yet, or empty if it exists
     */
    public Optional<String> maybeCreateStateTopic() {
        return started ? creator.maybeCreate(image) : Optional.of("The broker is starting");
    }

    /** Unloads every shard and ends the coordinator's threads. Idempotent. */
    @Override
    public void close() {
        started = false;
        coordinator.close();
    }
}
