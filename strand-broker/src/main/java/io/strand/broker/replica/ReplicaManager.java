package io.strand.broker.replica;

import io.strand.metadata.MetadataImage;
import io.strand.metadata.PartitionRegistration;
import io.strand.metadata.TopicImage;
import io.strand.storage.LogConfig;
import io.strand.storage.LogManager;
import io.strand.storage.PartitionLog;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker hosts, kept in line with the metadata image: a partition assigned to
 * this broker gets a log (created or recovered), a deleted topic loses its logs, changed configs
 * reach the logs, and leadership changes reach each {@link Partition}.
 *
 * <p>Images are applied only once the metadata quorum has caught up with its leader ({@link #start}):
 * an image half-way through replay may lack topics that exist. Even then a log on disk whose
 * partition the image lacks (a stray) is only set aside, renamed to
 * {@code <topic>-<partition>.<uniqueId>-stray}, never deleted: the image may be wrong, the log may be
 * the only copy. So is a log on disk of another topic id than the image's for its partition (a topic
 * deleted and re-created under the same name while this node was away); the partition then starts
 * empty. Logs of a topic deleted by a RemoveTopicRecord the image shows are deleted.
 * Applying is serialized (one writer of the partition map, whichever thread publishes); handlers
 * read the map concurrently.
 */
public final class ReplicaManager {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    private final int localBrokerId;
    private final LogManager logManager;
    private final LogConfigResolver configResolver;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Topic → effective config as last applied; written while applying an image, read by handlers. */
    private final Map<String, Map<String, Object>> appliedConfigs = new ConcurrentHashMap<>();
    private volatile Consumer<TopicPartition> onAppend = tp -> { };
    private boolean started;
    private long appliedImageOffset = Long.MIN_VALUE;

    public ReplicaManager(int localBrokerId, LogManager logManager, LogConfigResolver configResolver) {
        this.localBrokerId = localBrokerId;
        this.logManager = logManager;
        this.configResolver = configResolver;
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /**
     * The partition if this broker leads it.
     *
     * @throws UnknownTopicOrPartitionException if this broker does not host it
     * @throws NotLeaderOrFollowerException if it hosts it but does not lead it
     */
    public Partition leaderPartition(TopicPartition tp) {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            throw new UnknownTopicOrPartitionException("This broker does not host " + tp);
        }
        if (!partition.isLeader()) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " does not lead " + tp);
        }
        return partition;
    }

    /** Partitions known to this broker, for the handlers' lookups. */
    public Map<TopicPartition, Partition> partitions() {
        return partitions;
    }

    public LogManager logManager() {
        return logManager;
    }

    /** Called after data is appended to {@code tp}; wired to the fetch purgatory. */
    public void setAppendListener(Consumer<TopicPartition> listener) {
        this.onAppend = listener;
    }

    public void notifyAppended(TopicPartition tp) {
        onAppend.accept(tp);
    }

    /**
     * The topic's min.insync.replicas as of the latest applied image; {@code image} is resolved only for
     * a topic not applied yet. A hosted partition has it at hand: {@link Partition#minInsyncReplicas()}.
     */
    public int minInsyncReplicas(MetadataImage image, String topic) {
        Map<String, Object> effective = appliedConfigs.get(topic);
        if (effective == null) {
            effective = configResolver.effectiveTopicConfig(image, topic);
        }
        return (Integer) effective.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
    }

    /**
     * Applies the image of a caught-up quorum, then sets aside (renames, does not delete) the logs on
     * disk of partitions it does not assign here; from now on every newer image is applied.
     */
    public synchronized void start(MetadataImage image) {
        started = true;
        onMetadataImage(image);
        for (TopicPartition tp : logManager.partitionsOnDisk()) {
            if (!partitions.containsKey(tp)) {
                logManager.renameStrayLog(tp).ifPresent(dir ->
                        LOG.warn("Log of {} is not in the metadata: renamed to {} for an operator", tp, dir));
            }
        }
    }

    /** Brings the hosted partitions in line with {@code image}; ignored before {@link #start} and for older images. */
    public synchronized void onMetadataImage(MetadataImage image) {
        if (!started || image.appliedOffset() <= appliedImageOffset) {
            return;
        }
        appliedImageOffset = image.appliedOffset();
        Map<TopicPartition, Uuid> wanted = new HashMap<>();
        Map<String, String> topicDefaults = configResolver.topicDefaults(image);
        for (TopicImage topic : image.topics().all()) {
            Map<String, Object> effective = configResolver.effectiveTopicConfig(topicDefaults, image, topic.name());
            boolean configChanged = !effective.equals(appliedConfigs.get(topic.name()));
            EffectiveLogConfig logConfig = configChanged ? EffectiveLogConfig.from(effective) : null;
            for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
                PartitionRegistration registration = e.getValue();
                if (!registration.replicas().contains(localBrokerId)) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
                wanted.put(tp, topic.id());
                Partition.PartitionState state = new Partition.PartitionState(registration.leader(),
                        registration.leaderEpoch(), registration.replicas(), registration.isr());
                Partition existing = partitions.get(tp);
                if (existing != null && !existing.topicId().equals(topic.id())) {
                    removePartition(tp);
                    existing = null;
                }
                if (existing == null) {
                    EffectiveLogConfig config = logConfig != null ? logConfig : EffectiveLogConfig.from(effective);
                    partitions.put(tp, new Partition(tp, topic.id(), localBrokerId,
                            openLog(tp, topic.id(), config.log()), state, config));
                } else {
                    if (logConfig != null) {
                        existing.updateConfig(logConfig);
                    }
                    existing.updateState(state);
                }
            }
            appliedConfigs.put(topic.name(), effective);
        }
        for (TopicPartition tp : partitions.keySet()) {
            if (!wanted.containsKey(tp)) {
                removePartition(tp);
            }
        }
        appliedConfigs.keySet().removeIf(name -> image.topics().byName(name).isEmpty());
    }

    /**
     * The log of {@code tp} for topic {@code topicId}. A log on disk of another topic id belongs to a
     * topic of the same name deleted while this node was away (its deletion never reached this log):
     * it is set aside as a stray, as Kafka does, and the partition starts empty.
     */
    private PartitionLog openLog(TopicPartition tp, Uuid topicId, LogConfig config) {
        try {
            return logManager.getOrCreateLog(tp, topicId, config);
        } catch (InconsistentTopicIdException e) {
            logManager.renameStrayLog(tp).ifPresent(dir -> LOG.warn(
                    "Log of {} belongs to another topic id than the metadata's {}: renamed to {} for an operator",
                    tp, topicId, dir));
            return logManager.getOrCreateLog(tp, topicId, config);
        }
    }

    private void removePartition(TopicPartition tp) {
        partitions.remove(tp);
        logManager.deleteLog(tp);
        LOG.info("Deleted partition {}", tp);
    }
}
