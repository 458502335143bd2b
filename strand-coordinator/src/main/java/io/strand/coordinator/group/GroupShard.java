package io.strand.coordinator.group;

import io.strand.coordinator.group.CoordinatorRecord.ConsumerGroupMetadataKey;
import io.strand.coordinator.group.CoordinatorRecord.ConsumerGroupMetadataValue;
import io.strand.coordinator.group.CoordinatorRecord.ConsumerMemberAssignmentKey;
import io.strand.coordinator.group.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.CoordinatorRecord.ConsumerMemberMetadataKey;
import io.strand.coordinator.group.CoordinatorRecord.ConsumerMemberMetadataValue;
import io.strand.coordinator.group.CoordinatorRecord.GroupKey;
import io.strand.coordinator.group.CoordinatorRecord.TargetAssignmentMemberKey;
import io.strand.coordinator.group.CoordinatorRecord.TargetAssignmentMemberValue;
import io.strand.coordinator.group.CoordinatorRecord.TargetAssignmentMetadataKey;
import io.strand.coordinator.group.CoordinatorRecord.TargetAssignmentMetadataValue;
import io.strand.coordinator.group.CoordinatorRecord.GroupValue;
import io.strand.coordinator.group.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.CoordinatorRecord.OffsetValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator for the groups of one {@code __consumer_offsets} partition: their classic
 * group state, their committed offsets, and the timeouts that drive rebalances.
 *
 * <p>Compute, then apply: an operation decides which {@link CoordinatorRecord}s to write and what
 * to answer without changing durable state; {@link #write} appends the records and then
 * {@link #replay}s each — the same code that rebuilds the shard from its log in {@link #load}. The
 * rebalance bookkeeping of {@link ClassicGroup} (joins and syncs in flight) is the exception: it is
 * not durable and changes in place.
 *
 * <p>What survives a crash: every record appended (offsets, tombstones, the group record written
 * when a generation's assignment is stored or a group becomes empty). A group that so far only
 * exists in memory (a join that failed, a member id never used) is forgotten at once.
 *
 * <p>Consumer-protocol (KIP-848) groups are a second kind of group beside {@link ClassicGroup}:
 * {@link ConsumerGroup}, with its own record types (group epoch, member metadata, target assignment,
 * current member assignment), sharing the offsets, the timer, the write-then-replay path and the
 * shard runtime. A group id is one kind or the other. The topics consumer groups subscribe to come
 * from the broker's metadata through {@code topicPartitionCounts}.
 *
 * <p>Not thread-safe: every method runs on the shard's one thread. Time comes from the injected
 * {@link Time}; the shard's timeouts fire only in {@link #poll}.
 */
final class GroupShard {

    private static final Logger LOG = LoggerFactory.getLogger(GroupShard.class);
    private static final int LOAD_READ_BYTES = 1024 * 1024;

    private final int partition;
    private final GroupCoordinatorConfig config;
    private final OffsetsTopicLog log;
    private final Time time;
    private final Random random;
    private final DeadlineTimer timer = new DeadlineTimer();
    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private final Map<String, ConsumerGroup> consumerGroups = new HashMap<>();
    private final Supplier<Map<String, Integer>> topicPartitionCounts;
    private final ConsumerHeartbeatOp consumerOp;
    private final Map<String, Map<TopicPartition, OffsetValue>> offsets = new HashMap<>();
    private final Rebalancer rebalancer;
    private final JoinGroupOp joinOp;
    private final MemberOps memberOps;
    private final OffsetOps offsetOps;
    private final GroupAdminOps adminOps;
    private boolean loading;

    GroupShard(int partition, GroupCoordinatorConfig config, OffsetsTopicLog log, Time time, Random random) {
        this(partition, config, log, time, random, Map::of);
    }

    /** @param topicPartitionCounts the cluster's topics and their partition counts, read on the shard's thread */
    GroupShard(int partition, GroupCoordinatorConfig config, OffsetsTopicLog log, Time time, Random random,
               Supplier<Map<String, Integer>> topicPartitionCounts) {
        this.topicPartitionCounts = topicPartitionCounts;
        this.consumerOp = new ConsumerHeartbeatOp(this);
        this.partition = partition;
        this.config = config;
        this.log = log;
        this.time = time;
        this.random = random;
        this.rebalancer = new Rebalancer(this);
        this.joinOp = new JoinGroupOp(this);
        this.memberOps = new MemberOps(this);
        this.offsetOps = new OffsetOps(this);
        this.adminOps = new GroupAdminOps(this);
    }

    ConsumerHeartbeatOp consumerOp() {
        return consumerOp;
    }

    /** The cluster's topics and their partition counts, now. */
    Map<String, Integer> topicPartitionCounts() {
        Map<String, Integer> topics = topicPartitionCounts.get();
        return topics == null ? Map.of() : topics;
    }

    ConsumerGroup consumerGroup(String groupId) {
        return consumerGroups.get(groupId);
    }

    Collection<ConsumerGroup> consumerGroups() {
        return consumerGroups.values();
    }

    JoinGroupOp joinOp() {
        return joinOp;
    }

    MemberOps memberOps() {
        return memberOps;
    }

    OffsetOps offsetOps() {
        return offsetOps;
    }

    GroupAdminOps adminOps() {
        return adminOps;
    }

    int partition() {
        return partition;
    }

    GroupCoordinatorConfig config() {
        return config;
    }

    long nowMs() {
        return time.milliseconds();
    }

    Random random() {
        return random;
    }

    DeadlineTimer timer() {
        return timer;
    }

    Rebalancer rebalancer() {
        return rebalancer;
    }

    ClassicGroup group(String groupId) {
        return groups.get(groupId);
    }

    ClassicGroup getOrCreateGroup(String groupId) {
        return groups.computeIfAbsent(groupId, ClassicGroup::new);
    }

    /**
     * Forgets a group that exists only in memory: created by a join that then failed or whose
     * member id was never used, with no generation and no offsets written.
     */
    void maybeDropUnstoredGroup(ClassicGroup group) {
        if (group.isInState(GroupState.EMPTY) && group.generationId() == 0 && group.isEmpty()
                && group.pendingMemberIds().isEmpty() && !offsets.containsKey(group.groupId())) {
            groups.remove(group.groupId(), group);
        }
    }

    Collection<ClassicGroup> groups() {
        return groups.values();
    }

    /** The group's committed offsets by partition (sorted), empty if none. */
    Map<TopicPartition, OffsetValue> offsets(String groupId) {
        return offsets.getOrDefault(groupId, Map.of());
    }

    /**
     * Rebuilds the shard from its partition's committed log. A record that cannot be read (no key,
     * an unknown key type or value version, truncated or malformed) is skipped with a warning, as is
     * one whose replay fails: one bad record never costs the partition's other groups.
     */
    void load() {
        loading = true;
        try {
            long nextOffset = log.logStartOffset(partition);
            while (true) {
                Records records = log.read(partition, nextOffset, LOAD_READ_BYTES);
                boolean any = false;
                for (RecordBatch batch : records.batches()) {
                    any = true;
                    nextOffset = batch.nextOffset();
                    if (batch.isControlBatch()) {
                        continue;
                    }
                    for (Record record : batch) {
                        maybeReplayLoaded(record);
                    }
                }
                if (!any) {
                    break;
                }
            }
        } finally {
            loading = false;
        }
        // Members of a loaded group start a fresh session: those gone during the failover expire.
        for (ClassicGroup group : groups.values()) {
            for (ClassicMember member : group.members()) {
                rebalancer.scheduleHeartbeat(group, member);
            }
        }
        for (ConsumerGroup group : consumerGroups.values()) {
            for (ConsumerMember member : group.members()) {
                consumerOp.scheduleSession(group.groupId(), member.memberId());
            }
        }
    }

    /** Decodes and replays one record read back during {@link #load}, or skips it with a warning. */
    private void maybeReplayLoaded(Record record) {
        if (!record.hasKey()) {
            LOG.warn("Skipping record without a key in __consumer_offsets-{} at offset {}", partition, record.offset());
            return;
        }
        CoordinatorRecord decoded;
        try {
            decoded = CoordinatorRecordSerde.deserialize(record.key(), record.value());
        } catch (CoordinatorRecordFormatException e) {
            LOG.warn("Skipping unreadable record in __consumer_offsets-{} at offset {}: {}", partition,
                    record.offset(), e.getMessage());
            return;
        }
        try {
            replay(decoded);
        } catch (RuntimeException e) {
            LOG.error("Skipping record in __consumer_offsets-{} at offset {} whose replay failed: {}", partition,
                    record.offset(), decoded, e);
        }
    }

    /**
     * Appends {@code records} in one batch, then applies them.
     *
     * @throws org.apache.kafka.common.errors.ApiException if the append failed; nothing was applied
     */
    void write(List<CoordinatorRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        long nowMs = nowMs();
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            CoordinatorRecord r = records.get(i);
            simple[i] = new SimpleRecord(nowMs, CoordinatorRecordSerde.serializeKey(r.key()),
                    CoordinatorRecordSerde.serializeValue(r.value()));
        }
        log.append(partition, MemoryRecords.withRecords(Compression.NONE, simple));
        records.forEach(this::replay);
    }

    /** Applies one record: the only way durable state changes, live and on load. */
    void replay(CoordinatorRecord record) {
        if (record.key() instanceof OffsetKey key) {
            TopicPartition tp = new TopicPartition(key.topic(), key.partition());
            if (record.value() instanceof OffsetValue value) {
                if (!consumerGroups.containsKey(key.groupId())) {
                    getOrCreateGroup(key.groupId());
                }
                offsets.computeIfAbsent(key.groupId(), g -> new TreeMap<>(
                        (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                                : a.topic().compareTo(b.topic()))).put(tp, value);
            } else {
                Map<TopicPartition, OffsetValue> groupOffsets = offsets.get(key.groupId());
                if (groupOffsets != null) {
                    groupOffsets.remove(tp);
                    if (groupOffsets.isEmpty()) {
                        offsets.remove(key.groupId());
                    }
                }
            }
        } else if (record.key() instanceof GroupKey key) {
            if (record.value() instanceof GroupValue value) {
                ClassicGroup group = getOrCreateGroup(key.groupId());
                for (ClassicMember dropped : group.apply(value, loading)) {
                    rebalancer.forgetMember(group, dropped, Errors.UNKNOWN_MEMBER_ID);
                }
            } else {
                ClassicGroup group = groups.remove(key.groupId());
                if (group != null) {
                    if (!group.isInState(GroupState.DEAD)) {
                        group.markDead(nowMs());
                    }
                    for (ClassicMember member : group.members()) {
                        rebalancer.forgetMember(group, member, Errors.COORDINATOR_NOT_AVAILABLE);
                    }
                    rebalancer.cancelGroupTimers(group);
                }
            }
        } else {
            replayConsumer(record);
        }
    }

    private void replayConsumer(CoordinatorRecord record) {
        String groupId = record.key().groupId();
        ConsumerGroup group = consumerGroups.get(groupId);
        if (record.key() instanceof ConsumerGroupMetadataKey && record.isTombstone()) {
            if (group != null) {
                consumerGroups.remove(groupId);
                group.members().forEach(m -> consumerOp.cancelTimers(groupId, m.memberId()));
            }
            return;
        }
        if (group == null) {
            if (record.isTombstone()) {
                return;
            }
            ClassicGroup classic = groups.get(groupId);
            if (classic != null && classic.isEmpty()) {
                // A group id with only offsets (or an empty classic group) becomes a consumer group.
                groups.remove(groupId);
            }
            group = new ConsumerGroup(groupId);
            consumerGroups.put(groupId, group);
        }
        if (record.key() instanceof ConsumerGroupMetadataKey) {
            ConsumerGroupMetadataValue value = (ConsumerGroupMetadataValue) record.value();
            group.applyGroupMetadata(value.groupEpoch(), value.subscribedTopicPartitions());
        } else if (record.key() instanceof TargetAssignmentMetadataKey) {
            if (!record.isTombstone()) {
                group.applyAssignmentEpoch(((TargetAssignmentMetadataValue) record.value()).assignmentEpoch());
            }
        } else if (record.key() instanceof TargetAssignmentMemberKey key) {
            group.applyTarget(key.memberId(),
                    record.isTombstone() ? null : ((TargetAssignmentMemberValue) record.value()).partitions());
        } else if (record.key() instanceof ConsumerMemberMetadataKey key) {
            group.applyMemberMetadata(key.memberId(), (ConsumerMemberMetadataValue) record.value());
            if (record.isTombstone()) {
                consumerOp.cancelTimers(groupId, key.memberId());
            }
        } else if (record.key() instanceof ConsumerMemberAssignmentKey key) {
            group.applyMemberAssignment(key.memberId(), (ConsumerMemberAssignmentValue) record.value());
        }
    }

    /** Runs the timeouts due now. */
    void poll() {
        timer.poll(nowMs());
    }

    /**
     * Drops everything: this broker no longer owns the partition. Members waiting for a response get
     * NOT_COORDINATOR and will look the coordinator up again.
     */
    void unload() {
        for (ClassicGroup group : groups.values()) {
            for (ClassicMember member : group.members()) {
                member.completeJoin(new JoinGroupResponseData().setErrorCode(Errors.NOT_COORDINATOR.code())
                        .setMemberId(member.memberId()).setGenerationId(-1));
                member.completeSync(new SyncGroupResponseData().setErrorCode(Errors.NOT_COORDINATOR.code()));
            }
        }
        groups.clear();
        consumerGroups.clear();
        offsets.clear();
        timer.clear();
    }

    /** Wraps an append failure in the coordinator error a client acts on. */
    static Errors appendError(RuntimeException e) {
        Errors error = Errors.forException(e);
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                 REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> error == Errors.NONE ? Errors.UNKNOWN_SERVER_ERROR : error;
        };
    }

    static RuntimeException notCoordinator(int partition) {
        return new NotCoordinatorException("This broker does not own __consumer_offsets-" + partition);
    }

    static RuntimeException notAvailable(String groupId) {
        return new CoordinatorNotAvailableException("Group " + groupId + " is being removed");
    }

    List<String> groupIds() {
        List<String> ids = new ArrayList<>(groups.keySet());
        ids.addAll(consumerGroups.keySet());
        return ids;
    }

    /** The durable state of every consumer-protocol group; see {@link #snapshot}. */
    Map<String, ConsumerGroupSnapshot> consumerSnapshot() {
        Map<String, ConsumerGroupSnapshot> result = new TreeMap<>();
        for (ConsumerGroup group : consumerGroups.values()) {
            result.put(group.groupId(), new ConsumerGroupSnapshot(group.groupEpoch(),
                    new TreeMap<>(group.subscribedTopicPartitions()), group.assignmentEpoch(),
                    new TreeMap<>(group.targetAssignment()), new ArrayList<>(group.members()),
                    new TreeMap<>(offsets(group.groupId()).entrySet().stream().collect(
                            java.util.stream.Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue)))));
        }
        return result;
    }

    /** One consumer-protocol group's durable state; see {@link #consumerSnapshot}. */
    record ConsumerGroupSnapshot(int groupEpoch, Map<String, Integer> subscribedTopicPartitions, int assignmentEpoch,
                                 Map<String, Map<String, java.util.Set<Integer>>> targetAssignment,
                                 List<ConsumerMember> members, Map<String, OffsetValue> offsets) {
    }

    /**
     * The durable state of every group, comparable with {@code equals}: what a replay of the log must
     * rebuild exactly.
     */
    Map<String, GroupSnapshot> snapshot() {
        Map<String, GroupSnapshot> result = new TreeMap<>();
        for (ClassicGroup group : groups.values()) {
            List<CoordinatorRecord.MemberValue> members = group.toValue(group.generationId(), Map.of(), 0).members();
            result.put(group.groupId(), new GroupSnapshot(group.state(), group.stateTimestampMs(), group.generationId(),
                    group.protocolType(), group.protocolName(), group.leaderId(), members,
                    new TreeMap<>(offsets(group.groupId()).entrySet().stream().collect(
                            java.util.stream.Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue)))));
        }
        return result;
    }

    /** One group's durable state; see {@link #snapshot}. */
    record GroupSnapshot(GroupState state, long stateTimestampMs, int generationId, String protocolType,
                         String protocolName, String leaderId, List<CoordinatorRecord.MemberValue> members,
                         Map<String, OffsetValue> offsets) {
    }
}
