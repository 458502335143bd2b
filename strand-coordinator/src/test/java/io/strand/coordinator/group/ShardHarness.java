package io.strand.coordinator.group;

import io.strand.common.time.ManualTime;
import io.strand.coordinator.group.classic.ClassicGroup;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.TopicIds;
import io.strand.coordinator.runtime.CoordinatorLog;
import io.strand.coordinator.runtime.CoordinatorResult;
import io.strand.coordinator.runtime.CoordinatorShard;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One shard on an in-memory log with a hand-driven clock, and request builders for the tests. It
 * does on the test's thread what the runtime does on a shard's: loads the shard from the log, and
 * {@link #run}s an operation — applies its records, appends them (committed at once) and answers.
 */
final class ShardHarness {

    static final int SESSION_TIMEOUT_MS = 10_000;
    static final int REBALANCE_TIMEOUT_MS = 30_000;
    static final short JOIN_VERSION = 9;

    final ManualTime time;
    final InMemoryOffsetsTopicLog log;
    final GroupShard shard;
    private final TopicIds topicIds;

    ShardHarness(Map<String, String> props) {
        this(props, new InMemoryOffsetsTopicLog());
    }

    /** A shard loaded from {@code log}: a failover when the log already holds another shard's records. */
    ShardHarness(Map<String, String> props, InMemoryOffsetsTopicLog log) {
        this(GroupCoordinatorConfig.from(props), log, new ManualTime(), new Random(42), Map::of);
    }

    ShardHarness(GroupCoordinatorConfig config, InMemoryOffsetsTopicLog log, ManualTime time, Random random,
                 Supplier<Map<String, Integer>> topicPartitionCounts) {
        this(config, log, time, random, topicPartitionCounts, groupId -> Map.of());
    }

    /** @param groupConfigs a group's config overrides (the GROUP config resource) */
    ShardHarness(GroupCoordinatorConfig config, InMemoryOffsetsTopicLog log, ManualTime time, Random random,
                 Supplier<Map<String, Integer>> topicPartitionCounts,
                 Function<String, Map<String, String>> groupConfigs) {
        this(config, log, time, random, topicPartitionCounts, groupConfigs, DerivedTopicIds.INSTANCE);
    }

    /** @param topicIds the cluster's topic ids, for the shard and for the records it writes and loads */
    ShardHarness(GroupCoordinatorConfig config, InMemoryOffsetsTopicLog log, ManualTime time, Random random,
                 Supplier<Map<String, Integer>> topicPartitionCounts,
                 Function<String, Map<String, String>> groupConfigs, TopicIdLookup topicIds) {
        this.log = log;
        this.time = time;
        this.topicIds = topicIds;
        this.shard = load(new GroupShard(0, config, time, random, topicPartitionCounts, groupConfigs, topicIds), log,
                time, topicIds);
    }

    /** Replays {@code log}'s partition 0 into {@code shard}, as the runtime loads a shard. */
    static GroupShard load(GroupShard shard, InMemoryOffsetsTopicLog log, ManualTime time) {
        return load(shard, log, time, DerivedTopicIds.INSTANCE);
    }

    private static GroupShard load(GroupShard shard, InMemoryOffsetsTopicLog log, ManualTime time, TopicIds topicIds) {
        new OffsetsTopicRecordLog(log, time, topicIds).load(0, CoordinatorLog.RecordVisitor.replayingInto(shard));
        shard.onLoaded(time.milliseconds());
        return shard;
    }

    /** Runs one operation as the runtime would, its append committed at once; returns its response. */
    <T> T run(Function<GroupShard, CoordinatorResult<T, CoordinatorRecord>> op) {
        return apply(op.apply(shard));
    }

    /**
     * Runs one operation whose records go in a transactional batch of the producer, as the runtime's
     * transactional write does; returns its response.
     */
    <T> T runTransactional(long producerId, short producerEpoch,
                           Function<GroupShard, CoordinatorResult<T, CoordinatorRecord>> op) {
        CoordinatorResult<T, CoordinatorRecord> result = op.apply(shard);
        result.records().forEach(r -> shard.replay(CoordinatorShard.UNKNOWN_OFFSET, producerId, producerEpoch, r));
        if (!result.records().isEmpty()) {
            new OffsetsTopicRecordLog(log, time, topicIds).appendTransactional(0, producerId, producerEpoch, result.records())
                    .join();
        }
        return result.response();
    }

    /** Writes and applies the producer's commit or abort marker, as the runtime's transaction completion does. */
    void endTransaction(long producerId, short producerEpoch, boolean commit) {
        shard.replayEndTransactionMarker(CoordinatorShard.UNKNOWN_OFFSET, producerId, producerEpoch, commit);
        new OffsetsTopicRecordLog(log, time, topicIds).appendMarker(0, producerId, producerEpoch, 0, commit).join();
    }

    private <T> T apply(CoordinatorResult<T, CoordinatorRecord> result) {
        if (result.replayRecords()) {
            result.records().forEach(r -> shard.replay(CoordinatorShard.UNKNOWN_OFFSET, r));
        }
        if (!result.records().isEmpty()) {
            new OffsetsTopicRecordLog(log, time, topicIds).append(0, result.records()).join();
        }
        if (result.appendFuture() != null) {
            result.appendFuture().complete(null);
        }
        return result.response();
    }

    /** No initial rebalance delay, so a lone member's join completes at once. */
    static ShardHarness withoutInitialDelay() {
        return new ShardHarness(Map.of(GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0"));
    }

    /** Moves the clock and runs the shard's tick: the timeouts due. */
    void advance(long ms) {
        time.sleep(ms);
        apply(shard.onTick(time.milliseconds()));
    }

    static JoinGroupRequestData joinRequest(String groupId, String memberId, String instanceId, String protocolType,
                                            String... protocols) {
        JoinGroupRequestProtocolCollection collection = new JoinGroupRequestProtocolCollection();
        for (String protocol : protocols) {
            collection.add(new JoinGroupRequestProtocol().setName(protocol).setMetadata(protocol.getBytes()));
        }
        return new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setProtocolType(protocolType).setProtocols(collection).setSessionTimeoutMs(SESSION_TIMEOUT_MS)
                .setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS);
    }

    CompletableFuture<JoinGroupResponseData> join(String groupId, String memberId) {
        return run(s -> s.joinOp().join(JOIN_VERSION, "client", "/127.0.0.1",
                joinRequest(groupId, memberId, null, "consumer", "range")));
    }

    CompletableFuture<JoinGroupResponseData> joinStatic(String groupId, String memberId, String instanceId) {
        return run(s -> s.joinOp().join(JOIN_VERSION, "client", "/127.0.0.1",
                joinRequest(groupId, memberId, instanceId, "consumer", "range")));
    }

    /** A dynamic member's two-step join (MEMBER_ID_REQUIRED, then with the id); returns the member id. */
    String newMemberId(String groupId) {
        JoinGroupResponseData first = join(groupId, "").join();
        return first.memberId();
    }

    CompletableFuture<SyncGroupResponseData> sync(String groupId, String memberId, int generation,
                                                  Map<String, byte[]> assignments) {
        SyncGroupRequestData request = new SyncGroupRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGenerationId(generation).setProtocolType("consumer").setProtocolName("range");
        assignments.forEach((member, bytes) ->
                request.assignments().add(new SyncGroupRequestAssignment().setMemberId(member).setAssignment(bytes)));
        return run(s -> s.memberOps().sync(request));
    }

    HeartbeatResponseData heartbeat(String groupId, String memberId, int generation) {
        return shard.memberOps().heartbeat(new HeartbeatRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGenerationId(generation));
    }

    HeartbeatResponseData heartbeatStatic(String groupId, String memberId, String instanceId, int generation) {
        return shard.memberOps().heartbeat(new HeartbeatRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation));
    }

    LeaveGroupResponseData leave(String groupId, MemberIdentity... members) {
        return run(s -> s.memberOps().leave(new LeaveGroupRequestData().setGroupId(groupId)
                .setMembers(List.of(members)), (short) 5));
    }

    ClassicGroup group(String groupId) {
        return shard.group(groupId);
    }
}
