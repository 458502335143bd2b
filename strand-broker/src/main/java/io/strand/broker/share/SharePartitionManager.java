package io.strand.broker.share;

import io.strand.broker.replica.Partition;
import io.strand.storage.log.LogReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-partitions this broker leads, one {@link SharePartition} per share group and partition, each
 * belonging to one leadership (leader epoch) of its partition.
 *
 * <p>A share-partition is loaded from the {@link SharePersister} on the group's first fetch of the partition
 * in a leadership (the first fetch after a restart, or after this broker became leader again): its state is
 * read as a leader of that epoch (the share coordinator then fences the writes of older leaders); a state
 * never initialized is initialized first at {@code share.auto.offset.reset} — Kafka's default
 * {@code latest}, the high watermark, until group configs exist. While it loads, fetches of it acquire
 * nothing; the fetches waiting on the partition are woken once it is loaded. A failed load is logged and
 * tried again by the next fetch. Stopgap: the leader initializes the state on first use, where Kafka's
 * group coordinator initializes it when it assigns the partition to the group.
 *
 * <p>Writes go through the share-partition's {@link SharePartition.StateWriter}, here the persister with
 * the state epoch read and the leader epoch of the leadership. Thread-safe: the map is concurrent and each
 * {@link SharePartition} guards itself.
 */
public final class SharePartitionManager {

    private static final Logger LOG = LoggerFactory.getLogger(SharePartitionManager.class);

    private final ShareGroupConfig config;
    private final Time time;
    private final SharePersister persister;
    private final Map<Key, Led> partitions = new ConcurrentHashMap<>();
    private final java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters;

    private record Key(String groupId, TopicIdPartition partition) {
    }

    /** A share-partition, loaded or loading, and the leader epoch of the leadership it belongs to. */
    private record Led(CompletableFuture<SharePartition> share, int leaderEpoch) {
        SharePartition loaded() {
            return share.isDone() && !share.isCompletedExceptionally() ? share.join() : null;
        }
    }

    /** What one fetch of one partition acquired: the batches read and the acquired offset ranges. */
    public record Acquired(Records records, List<AcquiredRecords> acquired) {
        static final Acquired NONE = new Acquired(MemoryRecords.EMPTY, List.of());
    }

    /** A manager whose state is kept in memory only ({@link SharePersister#NONE}): for tests. */
    public SharePartitionManager(ShareGroupConfig config, Time time,
                                 java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters) {
        this(config, time, fetchWaiters, SharePersister.NONE);
    }

    /**
     * @param fetchWaiters wakes the fetches waiting on a partition (the fetch purgatory's): records released
     *                     here, and a share-partition loaded, are news to them as an append is
     * @param persister    where the share-partitions' state is read from and written to
     */
    public SharePartitionManager(ShareGroupConfig config, Time time,
                                 java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters,
                                 SharePersister persister) {
        this.config = config;
        this.time = time;
        this.fetchWaiters = fetchWaiters;
        this.persister = persister;
    }

    public ShareGroupConfig config() {
        return config;
    }

    /** The group's share-partition, or null if it is not loaded here. */
    public SharePartition sharePartition(String groupId, TopicIdPartition tip) {
        Led led = partitions.get(new Key(groupId, tip));
        return led == null ? null : led.loaded();
    }

    /**
     * Reads {@code partition} (this broker leading it) for {@code memberId} and acquires what it can,
     * at most {@code maxRecords} records within {@code maxBytes}; empty if nothing is acquirable, or while the
     * group's share-partition loads.
     */
    public Acquired fetch(String groupId, String memberId, TopicIdPartition tip, Partition partition,
                          int maxBytes, int maxRecords) {
        SharePartition share = loadedOrLoad(new Key(groupId, tip), partition);
        if (share == null) {
            return Acquired.NONE;
        }
        long nowMs = time.milliseconds();
        share.maybeSkipTo(partition.log().logStartOffset());
        long fetchOffset = share.nextFetchOffset(nowMs);
        if (fetchOffset < 0 || fetchOffset >= partition.highWatermark()) {
            return Acquired.NONE;
        }
        LogReadResult read = partition.readForConsumer(fetchOffset, maxBytes, true);
        long lastOffset = -1;
        for (RecordBatch batch : read.records().batches()) {
            lastOffset = batch.lastOffset();
        }
        if (lastOffset < fetchOffset) {
            return Acquired.NONE;
        }
        List<AcquiredRecords> acquired = share.acquire(memberId, fetchOffset, lastOffset, maxRecords, nowMs);
        return acquired.isEmpty() ? Acquired.NONE : new Acquired(read.records(), acquired);
    }

    /**
     * The share-partition of the partition's current leadership if loaded; else null, a load having been
     * started unless one is under way (a share-partition of an earlier leadership is replaced).
     */
    private SharePartition loadedOrLoad(Key key, Partition partition) {
        int leaderEpoch = partition.leaderEpoch();
        Led current = partitions.get(key);
        if (current != null && current.leaderEpoch() == leaderEpoch) {
            return current.loaded();
        }
        CompletableFuture<SharePartition> loading = new CompletableFuture<>();
        Led led = new Led(loading, leaderEpoch);
        boolean replaced = current == null ? partitions.putIfAbsent(key, led) == null
                : partitions.replace(key, current, led);
        if (!replaced) {
            return null; // another fetch started the load just now
        }
        load(key, partition, leaderEpoch).whenComplete((share, failure) -> {
            if (failure != null) {
                LOG.warn("Loading share-partition group={} partition={} leaderEpoch={} failed: {}", key.groupId(),
                        key.partition(), leaderEpoch, failure.toString());
                partitions.remove(key, led);
                loading.completeExceptionally(failure);
                return;
            }
            loading.complete(share);
            wakeFetches(key.partition());
        });
        return loading.isDone() ? led.loaded() : null;
    }

    /** Reads the persisted state (initializing it first if there is none) and builds the share-partition. */
    private CompletableFuture<SharePartition> load(Key key, Partition partition, int leaderEpoch) {
        String groupId = key.groupId();
        TopicIdPartition tip = key.partition();
        return persister.read(groupId, tip, leaderEpoch).thenCompose(state -> {
            if (state.initialized()) {
                return CompletableFuture.completedFuture(state);
            }
            long startOffset = initialStartOffset(partition);
            return persister.initialize(groupId, tip, state.stateEpoch(), startOffset)
                    .thenApply(v -> new SharePersister.PersistedState(state.stateEpoch(), startOffset, List.of()));
        }).thenApply(state -> SharePartition.restored(state.startOffset(), state.batches(), config,
                (startOffset, completeCount, batches) -> persister.write(groupId, tip, state.stateEpoch(), leaderEpoch,
                        startOffset, completeCount, batches)));
    }

    /** Where a group starts on a partition it has no state for: {@code share.auto.offset.reset=latest}. */
    private static long initialStartOffset(Partition partition) {
        return partition.highWatermark();
    }

    /**
     * Applies acknowledgements once written (see {@link SharePartition#acknowledge}); INVALID_RECORD_STATE
     * if the group's share-partition is not loaded in this leadership ({@code leaderEpoch}) of the partition.
     */
    public CompletableFuture<Errors> acknowledge(String groupId, String memberId, TopicIdPartition tip,
                                                 int leaderEpoch, List<SharePartition.Acknowledgement> batches) {
        Led led = partitions.get(new Key(groupId, tip));
        SharePartition share = led == null || led.leaderEpoch() != leaderEpoch ? null : led.loaded();
        if (share == null) {
            return CompletableFuture.completedFuture(Errors.INVALID_RECORD_STATE);
        }
        return share.acknowledge(memberId, batches, time.milliseconds());
    }

    /**
     * Releases what {@code memberId} holds on the given partitions (its share session closed), and wakes the
     * share fetches waiting on them; completes once the releases are written.
     */
    public CompletableFuture<Void> releaseAll(String groupId, String memberId, Iterable<TopicIdPartition> tips) {
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (TopicIdPartition tip : tips) {
            Led led = partitions.get(new Key(groupId, tip));
            SharePartition share = led == null ? null : led.loaded();
            if (share != null) {
                released.add(share.releaseAll(memberId, time.milliseconds()).thenRun(() -> wakeFetches(tip)));
            }
        }
        return CompletableFuture.allOf(released.toArray(CompletableFuture[]::new));
    }

    /**
     * Applies acknowledgements (see {@link #acknowledge}); a RELEASE among them wakes the share fetches waiting
     * on the partition, which may now acquire those records.
     */
    public CompletableFuture<Errors> acknowledgeAndWake(String groupId, String memberId, TopicIdPartition tip,
                                                        int leaderEpoch, List<SharePartition.Acknowledgement> batches) {
        return acknowledge(groupId, memberId, tip, leaderEpoch, batches).thenApply(error -> {
            if (error == Errors.NONE
                    && batches.stream().anyMatch(b -> b.types().contains(SharePartition.RELEASE))) {
                wakeFetches(tip);
            }
            return error;
        });
    }

    private void wakeFetches(TopicIdPartition tip) {
        if (tip.topic() != null) {
            fetchWaiters.accept(tip.topicPartition());
        }
    }
}
