package io.strand.broker.share;

import io.strand.broker.replica.Partition;
import io.strand.common.config.GroupConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.message.ShareFetchResponseData.AcquiredRecords;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import io.strand.storage.log.LogReadResult;

/**
 * The share-partitions this broker leads, one {@link SharePartition} per share group and partition,
 * created on the group's first fetch of the partition at the group's {@code share.auto.offset.reset}:
 * {@code latest} (Kafka's default) the high watermark, {@code earliest} the log start offset,
 * {@code by_duration:<duration>} the first record whose timestamp is at most that old (as ListOffsets
 * by timestamp finds it; the high watermark if there is none). Each share-partition reads its group's
 * {@code share.record.lock.duration.ms}, {@code share.delivery.count.limit} and
 * {@code share.partition.max.record.locks} where it applies them (else the broker's
 * {@code group.share.*} values), so a change of the group's configs applies from the next operation.
 *
 * <p>Stopgap: the state is in memory only (see {@link SharePartition}); it is lost with a restart or a
 * leader change, and a share-partition made in an earlier leadership of this broker is replaced by a fresh
 * one (acknowledgements of records acquired then get INVALID_RECORD_STATE). Thread-safe: the map is concurrent and each {@link SharePartition} guards itself.
 */
public final class SharePartitionManager {

    private final ShareGroupConfig config;
    private final Time time;
    private final Map<Key, Led> partitions = new ConcurrentHashMap<>();
    private final java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters;
    private final Function<String, Map<String, String>> groupConfigs;
    private final GroupConfigs.Bounds bounds;

    private record Key(String groupId, TopicIdPartition partition) {
    }

    /** A share-partition and the leader epoch of the leadership it was made in. */
    private record Led(SharePartition share, int leaderEpoch) {
    }

    /** A batch of a read: its last offset, and its end as a byte position from the read's start. */
    private record BatchEnd(long lastOffset, long endPosition) {
    }

    /** What one fetch of one partition acquired: the batches read and the acquired offset ranges. */
    public record Acquired(Records records, List<AcquiredRecords> acquired) {
    }

    /**
     * @param fetchWaiters wakes the fetches waiting on a partition (the fetch purgatory's): records released
     *                     here are news to them as an append is
     */
    public SharePartitionManager(ShareGroupConfig config, Time time,
                                 java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters) {
        this(config, time, fetchWaiters, groupId -> Map.of());
    }

    /**
     * @param groupConfigs a group's config overrides now (the GROUP config resource; empty if none); called
     *                     on request threads
     */
    public SharePartitionManager(ShareGroupConfig config, Time time,
                                 java.util.function.Consumer<org.apache.kafka.common.TopicPartition> fetchWaiters,
                                 Function<String, Map<String, String>> groupConfigs) {
        this.config = config;
        this.time = time;
        this.fetchWaiters = fetchWaiters;
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

    private SharePartition newSharePartition(String groupId, long startOffset) {
        return new SharePartition(startOffset, () -> recordLockDurationMs(groupId),
                () -> groupInt(groupId, GroupConfigs.SHARE_DELIVERY_COUNT_LIMIT, config.deliveryCountLimit()),
                () -> groupInt(groupId, GroupConfigs.SHARE_PARTITION_MAX_RECORD_LOCKS, config.partitionMaxRecordLocks()));
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

    /** The group's share-partition, or null if the group has not fetched it here yet. */
    public SharePartition sharePartition(String groupId, TopicIdPartition tip) {
        Led led = partitions.get(new Key(groupId, tip));
        return led == null ? null : led.share();
    }

    /**
     * Reads {@code partition} (this broker leading it) for {@code memberId} and acquires what it can,
     * at most {@code maxRecords} records within {@code maxBytes}; empty if nothing is acquirable.
     */
    public Acquired fetch(String groupId, String memberId, TopicIdPartition tip, Partition partition,
                          int maxBytes, int maxRecords) {
        int leaderEpoch = partition.leaderEpoch();
        // A share-partition of an earlier leadership here is stale (another leader served the group since):
        // the group starts again as on its first fetch (stopgap until the state is durable).
        Key key = new Key(groupId, tip);
        Led current = partitions.get(key);
        SharePartition share;
        if (current != null && current.leaderEpoch() == leaderEpoch) {
            share = current.share();
        } else {
            long startOffset = startOffset(groupId, partition); // may read the log: outside the map's lock
            share = partitions.compute(key, (k, led) -> led != null && led.leaderEpoch() == leaderEpoch ? led
                    : new Led(newSharePartition(groupId, startOffset), leaderEpoch)).share();
        }
        long nowMs = time.milliseconds();
        share.maybeSkipTo(partition.log().logStartOffset());
        long fetchOffset = share.nextFetchOffset(nowMs);
        if (fetchOffset < 0 || fetchOffset >= partition.highWatermark()) {
            return new Acquired(org.apache.kafka.common.record.internal.MemoryRecords.EMPTY, List.of());
        }
        LogReadResult read = partition.readForConsumer(fetchOffset, maxBytes, true);
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
            return new Acquired(org.apache.kafka.common.record.internal.MemoryRecords.EMPTY, List.of());
        }
        List<AcquiredRecords> acquired = share.acquire(memberId, fetchOffset, lastOffset, maxRecords, nowMs);
        if (acquired.isEmpty()) {
            return new Acquired(org.apache.kafka.common.record.internal.MemoryRecords.EMPTY, List.of());
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
     * Applies acknowledgements; INVALID_RECORD_STATE if the group never fetched the partition in this
     * leadership ({@code leaderEpoch}) of it.
     */
    public Errors acknowledge(String groupId, String memberId, TopicIdPartition tip, int leaderEpoch,
                              List<SharePartition.Acknowledgement> batches) {
        Led led = partitions.get(new Key(groupId, tip));
        if (led == null || led.leaderEpoch() != leaderEpoch) {
            return Errors.INVALID_RECORD_STATE;
        }
        return led.share().acknowledge(memberId, batches, time.milliseconds());
    }

    /**
     * Releases what {@code memberId} holds on the given partitions (its share session closed), and wakes the
     * share fetches waiting on them.
     */
    public void releaseAll(String groupId, String memberId, Iterable<TopicIdPartition> tips) {
        for (TopicIdPartition tip : tips) {
            Led led = partitions.get(new Key(groupId, tip));
            if (led != null) {
                led.share().releaseAll(memberId, time.milliseconds());
                wakeFetches(tip);
            }
        }
    }

    /**
     * Applies acknowledgements (see {@link #acknowledge}); a RELEASE among them wakes the share fetches waiting
     * on the partition, which may now acquire those records.
     */
    public Errors acknowledgeAndWake(String groupId, String memberId, TopicIdPartition tip, int leaderEpoch,
                                     List<SharePartition.Acknowledgement> batches) {
        Errors error = acknowledge(groupId, memberId, tip, leaderEpoch, batches);
        if (error == Errors.NONE
                && batches.stream().anyMatch(b -> b.types().contains(SharePartition.RELEASE))) {
            wakeFetches(tip);
        }
        return error;
    }

    private void wakeFetches(TopicIdPartition tip) {
        if (tip.topic() != null) {
            fetchWaiters.accept(tip.topicPartition());
        }
    }
}
