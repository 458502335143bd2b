package io.strand.broker.replica;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.storage.LogManager;
import io.strand.storage.ReplicaLogStore;
import io.strand.storage.log.LogConfig;
import io.strand.storage.log.ReplicaLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
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
 * After start, each published change is applied from its delta ({@link #onMetadataUpdate}); only
 * a snapshot is applied as a whole image.
 *
 * <p><b>Roles.</b> Applying a partition's leadership moves it between roles: leader in a new epoch
 * ({@link Partition#makeLeader}: followers' states start over, the epoch starts at the log end, and
 * a partition followed until then is {@link FollowerFetching#unfollow unfollowed}); follower in a new
 * epoch or after leading ({@link Partition#makeFollower}: produce and consumer fetches get
 * NOT_LEADER_OR_FOLLOWER, waiters on the high watermark fail, and the partition is
 * {@link FollowerFetching#follow followed} from its new leader, or unfollowed while it has none);
 * the same epoch and role only updates replicas and ISR. A partition that leaves this broker is
 * unfollowed. ISR shrinking is checked by {@link #maybeShrinkIsrs}, which
 * {@link #scheduleIsrExpiration} runs periodically.
 *
 * <p><b>Offline partitions.</b> When a log directory fails, {@link #markOffline} takes its partitions
 * out of service (Kafka's {@code HostedPartition.Offline}): they leave the partition map, their
 * fetchers stop, waiters fail, and requests for them are answered KAFKA_STORAGE_ERROR
 * ({@link #isOffline}). Later images neither re-create them nor delete their logs: they stay offline
 * until the process restarts. A partition placed in a directory its registration does not say yet is
 * reported to the controller ({@link DirectoryAssigner}, AssignReplicasToDirs) once its log is open,
 * when the broker has more than one log directory.
 *
 * <p>Threads: applying is serialized (one writer of the partition map: the metadata publisher
 * thread, the starting thread in {@link #start}, and the log-directory failure handler in
 * {@link #markOffline}, all under this object's monitor); handlers read the map concurrently.
 */
public final class ReplicaManager {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);

    private final int localBrokerId;
    /** The broker's {@link LogManager}; logs in memory in the replication simulation. */
    private final ReplicaLogStore logManager;
    private final LogConfigResolver configResolver;
    private final Replication replication;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Partitions whose log directory failed; written under this monitor, read by handlers. */
    private final Set<TopicPartition> offline = ConcurrentHashMap.newKeySet();
    private volatile DirectoryAssigner directoryAssigner = DirectoryAssigner.NONE;
    /** Topic → effective config as last applied; written while applying an image, read by handlers. */
    private final Map<String, Map<String, Object>> appliedConfigs = new ConcurrentHashMap<>();
    private volatile Consumer<TopicPartition> onAppend = tp -> { };
    private boolean started;
    /** The newest image published before {@link #start}. */
    private MetadataImage latestImage = MetadataImage.EMPTY;
    private long appliedImageOffset = Long.MIN_VALUE;
    /** The image applied last; EMPTY before {@link #start}. */
    private MetadataImage appliedImage = MetadataImage.EMPTY;

    /** A single broker's: no followers, no ISR changes. */
    public ReplicaManager(int localBrokerId, LogManager logManager, LogConfigResolver configResolver) {
        this(localBrokerId, logManager, configResolver, Replication.singleNode(Time.SYSTEM));
    }

    public ReplicaManager(int localBrokerId, ReplicaLogStore logManager, LogConfigResolver configResolver,
                          Replication replication) {
        this.localBrokerId = localBrokerId;
        this.logManager = logManager;
        this.configResolver = configResolver;
        this.replication = replication;
    }

    public Replication replication() {
        return replication;
    }

    /**
     * Checks every led partition for followers that fell out of the ISR ({@link Partition#maybeShrinkIsr}).
     * Any thread; does not block.
     */
    public void maybeShrinkIsrs() {
        long nowMs = replication.time().milliseconds();
        for (Partition partition : partitions.values()) {
            if (partition.isLeader()) {
                partition.maybeShrinkIsr(nowMs);
            }
        }
    }

    /**
     * Runs {@link #maybeShrinkIsrs} every half {@code replica.lag.time.max.ms} on {@code scheduler}, as
     * Kafka does, until the returned future is cancelled.
     */
    public ScheduledFuture<?> scheduleIsrExpiration(ScheduledExecutorService scheduler) {
        long periodMs = Math.max(1L, replication.replicaLagTimeMaxMs() / 2);
        return scheduler.scheduleAtFixedRate(() -> {
            try {
                maybeShrinkIsrs();
            } catch (RuntimeException e) {
                LOG.error("ISR expiration check failed", e);
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    /**
     * The partition if this broker leads it.
     *
     * @throws UnknownTopicOrPartitionException if this broker does not host it
     * @throws KafkaStorageException if its log directory is offline
     * @throws NotLeaderOrFollowerException if it hosts it but does not lead it
     */
    public Partition leaderPartition(TopicPartition tp) {
        Partition partition = partitions.get(tp);
        if (partition == null) {
            if (offline.contains(tp)) {
                throw new KafkaStorageException("The log directory of " + tp + " is offline on broker "
                        + localBrokerId);
            }
            throw new UnknownTopicOrPartitionException("This broker does not host " + tp);
        }
        if (!partition.isLeader()) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " does not lead " + tp);
        }
        return partition;
    }

    /** Whether {@code tp}'s log directory failed: requests for it are answered KAFKA_STORAGE_ERROR. */
    public boolean isOffline(TopicPartition tp) {
        return offline.contains(tp);
    }

    /** Where partitions placed in a log directory are reported to the controller; none by default. */
    public void setDirectoryAssigner(DirectoryAssigner assigner) {
        this.directoryAssigner = assigner;
    }

    /**
     * Takes {@code failed} (the partitions of a log directory that failed, whose logs the log manager
     * has closed) out of service: each hosted one leaves the partition map, stops being fetched and
     * fails its waiters; none is re-created by a later image. Its log is neither flushed nor deleted.
     */
    public synchronized void markOffline(Set<TopicPartition> failed) {
        for (TopicPartition tp : failed) {
            offline.add(tp);
            Partition removed = partitions.remove(tp);
            if (removed != null) {
                replication.followerFetching().unfollow(tp);
                removed.onRemoved();
                notifyAppended(tp);
            }
        }
        LOG.warn("Partitions offline after a log directory failure: partitions={}", failed);
    }

    /** Partitions known to this broker, for the handlers' lookups. */
    public Map<TopicPartition, Partition> partitions() {
        return partitions;
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
     * Applies the image of a caught-up quorum, or the latest image published here before, whichever
     * is newer, then sets aside (renames, does not delete) the logs on disk of partitions it does not
     * assign here; from now on every newer image is applied.
     */
    public synchronized void start(MetadataImage image) {
        started = true;
        applyImage(image.appliedOffset() >= latestImage.appliedOffset() ? image : latestImage);
        for (TopicPartition tp : logManager.partitionsOnDisk()) {
            if (!partitions.containsKey(tp)) {
                logManager.renameStrayLog(tp).ifPresent(dir ->
                        LOG.warn("Log of {} is not in the metadata: renamed to {} for an operator", tp, dir));
            }
        }
    }

    /**
     * Brings the hosted partitions in line with a published metadata change, acting only on what
     * {@code delta} changed: partitions of deleted, created and changed topics, the configs of
     * topics whose overrides changed (of every hosted topic when a broker config changed). A snapshot
     * delta, or one that does not follow the image applied last, is applied as a whole image.
     * Before {@link #start} the image is only remembered; images not newer than the applied one are
     * ignored.
     */
    public synchronized void onMetadataUpdate(MetadataDelta delta, MetadataImage image) {
        if (!started) {
            if (image.appliedOffset() > latestImage.appliedOffset()) {
                latestImage = image;
            }
            return;
        }
        if (image.appliedOffset() <= appliedImageOffset) {
            return;
        }
        if (delta.isSnapshot() || delta.base().appliedOffset() != appliedImageOffset) {
            applyImage(image);
        } else {
            applyDelta(delta, image);
        }
    }

    /**
     * The image the hosted partitions were last brought in line with (EMPTY before {@link #start}): a
     * partition it says this broker leads is led here. A newer image of the quorum may not be applied
     * yet; whoever acts on leadership on the side (the coordinators loading their partitions) starts
     * from this one, or {@link #leaderPartition} may still refuse a partition the newer image gives it.
     */
    public synchronized MetadataImage appliedImage() {
        return appliedImage;
    }

    /** Every topic of {@code image}; every hosted partition it does not assign here is removed. */
    private void applyImage(MetadataImage image) {
        appliedImageOffset = image.appliedOffset();
        appliedImage = image;
        Set<TopicPartition> wanted = new HashSet<>();
        Map<String, String> topicDefaults = configResolver.topicDefaults(image);
        openLogsOnDisk(topicDefaults, image);
        for (TopicImage topic : image.topics().all()) {
            wanted.addAll(applyTopic(topicDefaults, image, topic));
        }
        for (TopicPartition tp : partitions.keySet()) {
            if (!wanted.contains(tp)) {
                removePartition(tp);
            }
        }
        appliedConfigs.keySet().removeIf(name -> image.topics().byName(name).isEmpty());
    }

    private void applyDelta(MetadataDelta delta, MetadataImage image) {
        appliedImageOffset = image.appliedOffset();
        appliedImage = image;
        // Deletions first: a topic deleted and re-created under its name in one batch is both.
        for (TopicImage deleted : delta.deletedTopics()) {
            for (int partitionId : deleted.partitions().keySet()) {
                removeIfHosted(new TopicPartition(deleted.name(), partitionId), deleted.id());
            }
            appliedConfigs.remove(deleted.name());
        }
        Map<String, TopicImage> touched = new LinkedHashMap<>();
        delta.createdTopics().forEach(topic -> touched.put(topic.name(), topic));
        delta.changedTopics().forEach(topic -> touched.put(topic.name(), topic));
        for (ConfigResource resource : delta.changedConfigs()) {
            if (resource.type() == ConfigResource.Type.TOPIC) {
                image.topics().byName(resource.name()).ifPresent(topic -> touched.put(topic.name(), topic));
            } else if (resource.type() == ConfigResource.Type.BROKER) {
                // A broker config may be the default of any topic config: recheck every hosted topic.
                for (TopicPartition tp : partitions.keySet()) {
                    image.topics().byName(tp.topic()).ifPresent(topic -> touched.put(topic.name(), topic));
                }
            }
        }
        Map<String, String> topicDefaults = touched.isEmpty() ? Map.of() : configResolver.topicDefaults(image);
        for (TopicImage topic : touched.values()) {
            Set<TopicPartition> wanted = applyTopic(topicDefaults, image, topic);
            delta.base().topics().byId(topic.id()).ifPresent(before -> {
                for (int partitionId : before.partitions().keySet()) {
                    TopicPartition tp = new TopicPartition(topic.name(), partitionId);
                    if (!wanted.contains(tp)) {
                        removeIfHosted(tp, topic.id());
                    }
                }
            });
        }
    }

    /**
     * Opens at once, on the log manager's recovery threads, the logs on disk of partitions that
     * {@code image} assigns here and that have no {@link Partition} yet (a start, above all after a
     * crash, when each may need recovery); {@link #applyTopic} then finds them open.
     */
    private void openLogsOnDisk(Map<String, String> topicDefaults, MetadataImage image) {
        List<LogManager.LogSpec> specs = new ArrayList<>();
        for (TopicImage topic : image.topics().all()) {
            LogConfig config = null;
            for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
                TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
                if (!e.getValue().replicas().contains(localBrokerId) || partitions.containsKey(tp)) {
                    continue;
                }
                if (config == null) {
                    config = EffectiveLogConfig.from(
                            configResolver.effectiveTopicConfig(topicDefaults, image, topic.name())).log();
                }
                specs.add(new LogManager.LogSpec(tp, topic.id(), config));
            }
        }
        if (specs.size() > 1) {
            logManager.openExistingLogs(specs);
        }
    }

    /**
     * Creates, recovers or updates the partitions of {@code topic} assigned here, with the topic's
     * effective config (over {@code topicDefaults}, the broker's topic defaults in {@code image});
     * returns them.
     */
    private Set<TopicPartition> applyTopic(Map<String, String> topicDefaults, MetadataImage image, TopicImage topic) {
        Set<TopicPartition> assigned = new HashSet<>();
        Map<String, Object> effective = configResolver.effectiveTopicConfig(topicDefaults, image, topic.name());
        boolean configChanged = !effective.equals(appliedConfigs.get(topic.name()));
        EffectiveLogConfig logConfig = configChanged ? EffectiveLogConfig.from(effective) : null;
        for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
            PartitionRegistration registration = e.getValue();
            if (!registration.replicas().contains(localBrokerId)) {
                continue;
            }
            TopicPartition tp = new TopicPartition(topic.name(), e.getKey());
            assigned.add(tp);
            if (offline.contains(tp)) {
                continue;
            }
            Partition.PartitionState state = new Partition.PartitionState(registration.leader(),
                    registration.leaderEpoch(), registration.replicas(), registration.isr(),
                    registration.partitionEpoch());
            Partition existing = partitions.get(tp);
            if (existing != null && !existing.topicId().equals(topic.id())) {
                removePartition(tp);
                existing = null;
            }
            if (existing == null) {
                EffectiveLogConfig config = logConfig != null ? logConfig : EffectiveLogConfig.from(effective);
                ReplicaLog log;
                try {
                    log = openLog(tp, topic.id(), config.log());
                } catch (KafkaStorageException ex) {
                    // Its directory failed (the failure handler takes the rest offline): not served here.
                    LOG.warn("Log of {} cannot be opened, the partition is offline: {}", tp, ex.getMessage());
                    offline.add(tp);
                    continue;
                }
                Partition created = new Partition(tp, topic.id(), localBrokerId, log, state, config, replication,
                        () -> notifyAppended(tp));
                partitions.put(tp, created);
                maybeAssignDirectory(tp, topic.id(), registration);
                applyLeadership(created, state, true);
            } else {
                if (logConfig != null) {
                    existing.updateConfig(logConfig);
                }
                maybeAssignDirectory(tp, topic.id(), registration);
                applyLeadership(existing, state, false);
            }
        }
        appliedConfigs.put(topic.name(), effective);
        return assigned;
    }

    /** Reports {@code tp}'s directory to the controller when the metadata does not have it yet. */
    private void maybeAssignDirectory(TopicPartition tp, Uuid topicId, PartitionRegistration registration) {
        DirectoryAssigner assigner = directoryAssigner;
        if (assigner == DirectoryAssigner.NONE) {
            return;
        }
        logManager.directoryIdOf(tp).ifPresent(dir -> {
            if (!dir.equals(registration.directory(localBrokerId))) {
                assigner.assign(topicId, tp.partition(), dir);
            }
        });
    }

    /**
     * The log of {@code tp} for topic {@code topicId}. A log on disk of another topic id belongs to a
     * topic of the same name deleted while this node was away (its deletion never reached this log):
     * it is set aside as a stray, as Kafka does, and the partition starts empty.
     */
    private ReplicaLog openLog(TopicPartition tp, Uuid topicId, LogConfig config) {
        try {
            return logManager.getOrCreateLog(tp, topicId, config);
        } catch (InconsistentTopicIdException e) {
            logManager.renameStrayLog(tp).ifPresent(dir -> LOG.warn(
                    "Log of {} belongs to another topic id than the metadata's {}: renamed to {} for an operator",
                    tp, topicId, dir));
            return logManager.getOrCreateLog(tp, topicId, config);
        }
    }

    /**
     * Moves {@code partition} to the role {@code state} gives this broker. A new leader epoch makes a
     * leader start over (and stop following); a new epoch as follower (or losing leadership) makes a
     * follower, fetching from the new leader if there is one; anything else in the same epoch and
     * role updates the replica set and ISR only.
     */
    private void applyLeadership(Partition partition, Partition.PartitionState state, boolean created) {
        TopicPartition tp = partition.topicPartition();
        boolean wasLeader = !created && partition.isLeader();
        boolean newEpoch = created || state.leaderEpoch() != partition.leaderEpoch();
        if (state.leaderId() == localBrokerId) {
            if (newEpoch || !wasLeader) {
                if (!created && !wasLeader) {
                    // First, so that no fetched append lands after the new epoch starts at the log end.
                    replication.followerFetching().unfollow(tp);
                }
                partition.makeLeader(state, replication.time().milliseconds());
                LOG.debug("Leading {} in epoch {}", tp, state.leaderEpoch());
            } else {
                partition.updateState(state);
            }
        } else if (newEpoch || wasLeader) {
            partition.makeFollower(state);
            if (state.leaderId() != PartitionRegistration.NO_LEADER) {
                replication.followerFetching().follow(partition, state.leaderId(), state.leaderEpoch());
            } else {
                replication.followerFetching().unfollow(tp);
            }
            // Fetches waiting on the partition re-read and find it no longer led here.
            notifyAppended(tp);
            LOG.debug("Following {} from broker {} in epoch {}", tp, state.leaderId(), state.leaderEpoch());
        } else {
            partition.updateState(state);
        }
    }

    private void removeIfHosted(TopicPartition tp, Uuid topicId) {
        Partition hosted = partitions.get(tp);
        if (hosted != null && hosted.topicId().equals(topicId) || offline.contains(tp)) {
            removePartition(tp);
        }
    }

    private void removePartition(TopicPartition tp) {
        if (offline.remove(tp)) {
            // Its directory is offline: nothing can be deleted there; the next start sets the log aside.
            LOG.info("Removed offline partition {}", tp);
            return;
        }
        Partition removed = partitions.remove(tp);
        if (removed != null) {
            if (!removed.isLeader()) {
                replication.followerFetching().unfollow(tp);
            }
            removed.onRemoved();
            notifyAppended(tp);
        }
        logManager.deleteLog(tp);
        LOG.info("Deleted partition {}", tp);
    }
}
