package io.strand.broker.share;

import io.strand.broker.replica.Partition;
import io.strand.common.config.GroupConfigs;
import io.strand.storage.log.LogReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
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
 * belonging to one leadership (leader epoch) of its partition. Each share-partition reads its group's
 * {@code share.record.lock.duration.ms}, {@code share.delivery.count.limit} and
 * {@code share.partition.max.record.locks} where it applies them (else the broker's {@code group.share.*}
 * values), so a change of the group's configs applies from the next operation.
 *
 * <p>A share-partition is loaded from the {@link SharePersister} on the group's first fetch of the partition
 * in a leadership (the first fetch after a restart, or after this broker became leader again): its state is
 * read as a leader of that epoch (the share coordinator then fences the writes of older leaders); a state
 * without a start offset (never initialized, or initialized by the group coordinator with none, -1, before it
 * assigned the partition, as Kafka's does) is initialized first at the group's {@code share.auto.offset.reset}: {@code latest}
 * (Kafka's default) the high watermark, {@code earliest} the log start offset,
 * {@code by_duration:<duration>} the first record whose timestamp is at most that old (as ListOffsets by
 * timestamp finds it; the high watermark if there is none). While it loads, fetches of it acquire
 * nothing; the fetches waiting on the partition are woken once it is loaded. A failed load is logged and
 * tried again by the next fetch.
 *
 * <p>A group with {@code share.isolation.level=read_committed} reads up to the partition's last stable
 * offset, and its share-partition archives the records of aborted transactions instead of acquiring them
 * ({@link AbortedBatches}); Kafka's default, {@code read_uncommitted}, reads up to the high watermark.
 *
 * <p>Writes go through the share-partition's {@link SharePartition.StateWriter}, here the persister with
 * the state epoch read and the leader epoch of the leadership. Thread-safe: the map is concurrent and each
 * {@link SharePartition} guards itself.
 */
public final class SharePartitionManager {

    private static final Logger LOG = LoggerFactory.getLogger(SharePartitionManager.class);

    /**
     * Reads one fetch of one partition makes at most: more than one only when a read held nothing but records
     * of aborted transactions (read_committed); past that the fetch answers nothing and the next goes on.
     */
    private static final int MAX_READS_PER_FETCH = 8;

    private final ShareGroupConfig config;
    private final Time time;
    private final SharePersister persister;
    private final Map<Key, Led> partitions = new ConcurrentHashMap<>();
    private final java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters;
    private final Function<String, Map<String, String>> groupConfigs;
    private final GroupConfigs.Bounds bounds;

    private record Key(String groupId, TopicIdPartition partition) {
    }

    /** A batch of a read: its last offset, and its end as a byte position from the read's start. */
    private record BatchEnd(long lastOffset, long endPosition) {
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

    /** A manager whose state is kept in memory only ({@link SharePersister#NONE}), without group configs: for tests. */
    public SharePartitionManager(ShareGroupConfig config, Time time,
                                 java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters) {
        this(config, time, fetchWaiters, SharePersister.NONE, groupId -> Map.of());
    }

    /** A manager without group configs: for tests. */
    public SharePartitionManager(ShareGroupConfig config, Time time,
                                 java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters,
                                 SharePersister persister) {
        this(config, time, fetchWaiters, persister, groupId -> Map.of());
    }

    /** A manager whose state is kept in memory only ({@link SharePersister#NONE}): for tests. */
    public SharePartitionManager(ShareGroupConfig config, Time time,
                                 java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters,
                                 Function<String, Map<String, String>> groupConfigs) {
        this(config, time, fetchWaiters, SharePersister.NONE, groupConfigs);
    }

    /**
     * @param fetchWaiters wakes the fetches waiting on a partition (the fetch purgatory's): records released
     *                     here, and a share-partition loaded, are news to them as an append is
     * @param persister    where the share-partitions' state is read from and written to
     * @param groupConfigs a group's config overrides now (the GROUP config resource; empty if none); called
     *                     on request threads
     */
    public SharePartitionManager(ShareGroupConfig config, Time time,
                                 java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters,
                                 SharePersister persister, Function<String, Map<String, String>> groupConfigs) {
        this.config = config;
        this.time = time;
        this.fetchWaiters = fetchWaiters;
        this.persister = persister;
        this.groupConfigs = groupConfigs;
        this.bounds = new GroupConfigs.Bounds(config.groupConfigValues(), config.groupConfigRanges());
    }

    /** The group's {@code share.record.lock.duration.ms}, else {@code group.share.record.lock.duration.ms}. */
    public int recordLockDurationMs(String groupId) {
        return groupInt(groupId, GroupConfigs.SHARE_RECORD_LOCK_DURATION_MS, config.recordLockDurationMs());
    }

    private int groupInt(String groupId, String name, int brokerValue) {
        Map<String, String> overrides = groupConfigs.apply(groupId);
        return overrides.isEmpty() ? brokerValue : GroupConfigs.intValue(overrides, name, brokerValue, bounds);
    }

    /** Where {@code groupId} starts on {@code partition}: its {@code share.auto.offset.reset}, resolved now. */
    long startOffset(String groupId, Partition partition) {
        AutoOffsetResetStrategy reset = GroupConfigs.shareAutoOffsetReset(groupConfigs.apply(groupId));
        long highWatermark = partition.highWatermark();
        return switch (reset.type()) {
            case EARLIEST -> partition.log().logStartOffset();
            case BY_DURATION -> {
                long sinceMs = time.milliseconds() - reset.duration().orElseThrow().toMillis();
                yield partition.log().offsetForTimestamp(sinceMs)
                        .map(found -> Math.min(found.offset(), highWatermark)).orElse(highWatermark);
            }
            default -> highWatermark;
        };
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
        return fetch(groupId, memberId, tip, partition, maxBytes, maxRecords, -1);
    }

    /**
     * As {@link #fetch(String, String, TopicIdPartition, Partition, int, int)}; {@code batchSize} of 0 or more acquires
     * in Kafka's batch-optimized mode (see {@link SharePartition.Batching}): new records by whole log batches,
     * {@code maxRecords} a soft limit; a negative one in record-limit mode, {@code maxRecords} exactly.
     */
    public Acquired fetch(String groupId, String memberId, TopicIdPartition tip, Partition partition,
                          int maxBytes, int maxRecords, int batchSize) {
        SharePartition share = loadedOrLoad(new Key(groupId, tip), partition);
        if (share == null) {
            return Acquired.NONE;
        }
        long nowMs = time.milliseconds();
        share.maybeSkipTo(partition.log().logStartOffset());
        boolean readCommitted = GroupConfigs.shareReadCommitted(groupConfigs.apply(groupId));
        // Taken before the reads, so that it bounds what they return (see Partition.readCommitted).
        long lastStableOffset = readCommitted ? partition.lastStableOffset() : -1;
        long readableEnd = readCommitted ? Math.min(lastStableOffset, partition.highWatermark())
                : partition.highWatermark();
        // A read that held only aborted records (archived, not acquired) moved the share-partition on: read on.
        for (int reads = 0; reads < MAX_READS_PER_FETCH; reads++) {
            long fetchOffset = share.nextFetchOffset(nowMs);
            if (fetchOffset < 0 || fetchOffset >= readableEnd) {
                return Acquired.NONE;
            }
            LogReadResult read = readCommitted
                    ? partition.readCommitted(fetchOffset, maxBytes, true, lastStableOffset)
                    : partition.readForConsumer(fetchOffset, maxBytes, true);
            Acquired acquired = acquire(groupId, memberId, share, partition, read, fetchOffset, maxRecords, nowMs,
                    readCommitted, batchSize);
            if (acquired != null) {
                return acquired;
            }
        }
        return Acquired.NONE;
    }

    /**
     * Acquires from one read: what it acquired; {@link Acquired#NONE} if nothing could be; null if nothing was
     * acquired but archiving the read's aborted records moved the next fetch offset, so a read further on may.
     */
    private Acquired acquire(String groupId, String memberId, SharePartition share, Partition partition,
                             LogReadResult read, long fetchOffset, int maxRecords, long nowMs, boolean readCommitted,
                             int batchSize) {
        // Only the batches that may hold what this fetch can acquire: maxRecords acquirable records lie
        // within maxRecords + (records in flight, at most the lock limit) offsets of the fetch offset.
        long wanted = (long) maxRecords + groupInt(groupId, GroupConfigs.SHARE_PARTITION_MAX_RECORD_LOCKS,
                config.partitionMaxRecordLocks());
        List<BatchEnd> batchEnds = new ArrayList<>();
        long lastOffset = -1;
        long bytes = 0;
        for (RecordBatch batch : read.records().batches()) {
            lastOffset = batch.lastOffset();
            bytes += batch.sizeInBytes();
            batchEnds.add(new BatchEnd(lastOffset, bytes));
            if (lastOffset - fetchOffset + 1 >= wanted) {
                break;
            }
        }
        if (lastOffset < fetchOffset) {
            return Acquired.NONE;
        }
        AbortedBatches aborted = readCommitted ? AbortedBatches.in(read.records().batches(), lastOffset,
                partition.log().collectAbortedTransactions(fetchOffset, lastOffset + 1)) : AbortedBatches.NONE;
        java.util.TreeSet<Long> lastOffsets = new java.util.TreeSet<>();
        batchEnds.forEach(end -> lastOffsets.add(end.lastOffset()));
        SharePartition.Batching batching = new SharePartition.Batching(lastOffsets, Math.max(0, batchSize),
                batchSize < 0);
        List<AcquiredRecords> acquired = share.acquire(memberId, fetchOffset, lastOffset, maxRecords, nowMs, aborted,
                batching);
        if (acquired.isEmpty()) {
            boolean movedOn = !aborted.isEmpty() && share.nextFetchOffset(nowMs) != fetchOffset;
            return movedOn ? null : Acquired.NONE;
        }
        // The response carries the batches up to the one holding the last acquired record, not the whole read.
        long lastAcquired = acquired.get(acquired.size() - 1).lastOffset();
        long sliceBytes = bytes;
        for (BatchEnd end : batchEnds) {
            if (end.lastOffset() >= lastAcquired) {
                sliceBytes = end.endPosition();
                break;
            }
        }
        return new Acquired(prefix(read.records(), (int) sliceBytes), acquired);
    }

    /** The first {@code bytes} of {@code records} (whole batches); a file slice stays a file slice (zero-copy). */
    private static Records prefix(Records records, int bytes) {
        return bytes >= records.sizeInBytes() ? records : records.slice(0, bytes);
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
        // Where a share-partition without state starts is resolved at the fetch that loads it, as Kafka does,
        // not once the read of its state is done (an append meanwhile is not skipped by "latest").
        long resetOffset = startOffset(groupId, partition);
        return persister.read(groupId, tip, leaderEpoch).thenCompose(state -> {
            if (state.initialized()) {
                return CompletableFuture.completedFuture(state);
            }
            return persister.initialize(groupId, tip, state.stateEpoch(), resetOffset)
                    .thenApply(v -> new SharePersister.PersistedState(state.stateEpoch(), resetOffset, List.of()));
        }).thenApply(state -> SharePartition.restored(state.startOffset(), state.batches(),
                () -> recordLockDurationMs(groupId),
                () -> groupInt(groupId, GroupConfigs.SHARE_DELIVERY_COUNT_LIMIT, config.deliveryCountLimit()),
                () -> groupInt(groupId, GroupConfigs.SHARE_PARTITION_MAX_RECORD_LOCKS, config.partitionMaxRecordLocks()),
                (startOffset, completeCount, batches) -> persister.write(groupId, tip, state.stateEpoch(), leaderEpoch,
                        startOffset, completeCount, batches)));
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
     * As {@link #releaseAll}, for a share session that closed; once the releases are written, if
     * {@code groupHasSessions} says no member of the group has a session here any more, unloads the group's
     * share-partitions (Kafka's {@code onGroupEmpty}): their next fetch loads them from the durable state
     * again, so a start offset that AlterShareGroupOffsets or DeleteShareGroupOffsets changed meanwhile
     * takes effect.
     */
    public CompletableFuture<Void> releaseClosed(String groupId, String memberId, Iterable<TopicIdPartition> tips,
                                                 java.util.function.BooleanSupplier groupHasSessions) {
        return releaseAll(groupId, memberId, tips).whenComplete((v, failure) -> {
            if (!groupHasSessions.getAsBoolean()) {
                unloadGroup(groupId);
            }
        });
    }

    /** Forgets the group's share-partitions loaded here; the next fetch of one loads it again. */
    public void unloadGroup(String groupId) {
        partitions.keySet().removeIf(key -> key.groupId().equals(groupId));
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
