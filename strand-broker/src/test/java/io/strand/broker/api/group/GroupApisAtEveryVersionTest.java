package io.strand.broker.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.group.OffsetsTopicLog;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.TopicRecord;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every group API at every version it serves, through its handler: the request as the wire carries
 * it, the response serialized at the same version (a field the version cannot carry fails here).
 */
class GroupApisAtEveryVersionTest {

    private static final Uuid TOPIC_ID = new Uuid(5L, 5L);
    private static final String TOPIC = "events";

    /** Keeps nothing: state lives in the shard's memory, which is all these tests need. */
    private static final OffsetsTopicLog NO_LOG = new OffsetsTopicLog() {
        @Override
        public CompletableFuture<Long> append(int partition, MemoryRecords records) {
            return CompletableFuture.completedFuture(0L);
        }

        @Override
        public CompletableFuture<Long> appendMarker(int partition, long producerId, short producerEpoch,
                                                    int coordinatorEpoch, boolean commit) {
            return CompletableFuture.completedFuture(0L);
        }

        @Override
        public long logStartOffset(int partition) {
            return 0;
        }

        @Override
        public Records read(int partition, long fromOffset, int maxBytes) {
            return MemoryRecords.EMPTY;
        }

        @Override
        public CompletableFuture<Void> awaitCommitted(int partition, long offset) {
            return CompletableFuture.completedFuture(null);
        }
    };

    private GroupCoordinator coordinator;
    private final MetadataImage image = image();

    @BeforeEach
    void start() {
        coordinator = new GroupCoordinator(GroupCoordinatorConfig.from(Map.of(
                GroupCoordinatorConfig.OFFSETS_TOPIC_PARTITIONS, "1",
                GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0")), NO_LOG, Time.SYSTEM, new Random(1));
        coordinator.onLeadership(Set.of(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.isActive(0));
    }

    @AfterEach
    void stop() {
        coordinator.close();
    }

    private static MetadataImage image() {
        List<MetadataRecord> records = List.of(new TopicRecord(TOPIC, TOPIC_ID),
                new PartitionRecord(TOPIC_ID, 0, List.of(1), List.of(1), 1, 0, 0));
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);
        return delta.apply(records.size());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T extends ApiMessage> T call(ApiHandler handler, short version, ApiMessage data) {
        ApiKeys key = handler.apiKey();
        ByteBuffer bytes = MessageUtil.toByteBufferAccessor(data, version).buffer();
        AbstractRequest request = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(bytes)).request;
        RequestContext context = new RequestContext(new RequestHeader(key, version, "client", 1),
                new InetSocketAddress("127.0.0.1", 5555), "PLAINTEXT", 0, null);
        T response = (T) ((java.util.concurrent.CompletableFuture<? extends ApiMessage>) handler.handle(context, request))
                .join();
        assertThat(MessageUtil.toByteBufferAccessor(response, version).buffer().remaining())
                .as("%s v%d serializes", key, version).isPositive();
        return response;
    }

    private static JoinGroupRequestData join(String groupId, String memberId, String instanceId) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1}));
        return new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setProtocolType("consumer").setProtocols(protocols).setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(10_000);
    }

    @Test
    void membershipApisAnswerAtEveryVersion() {
        JoinGroupHandler joinHandler = new JoinGroupHandler(coordinator);
        SyncGroupHandler syncHandler = new SyncGroupHandler(coordinator);
        HeartbeatHandler heartbeatHandler = new HeartbeatHandler(coordinator);
        LeaveGroupHandler leaveHandler = new LeaveGroupHandler(coordinator);
        DescribeGroupsHandler describeHandler = new DescribeGroupsHandler(coordinator);
        for (short v = ApiKeys.JOIN_GROUP.oldestVersion(); v <= ApiKeys.JOIN_GROUP.latestVersion(); v++) {
            String group = "group-v" + v;
            String instanceId = v >= 5 ? "instance" : null;
            JoinGroupResponseData joined = call(joinHandler, v, join(group, "", instanceId));
            if (joined.errorCode() == Errors.MEMBER_ID_REQUIRED.code()) {
                assertThat(v).isGreaterThanOrEqualTo((short) 4);
                joined = call(joinHandler, v, join(group, joined.memberId(), instanceId));
            }
            assertThat(Errors.forCode(joined.errorCode())).as("join v%d", v).isEqualTo(Errors.NONE);
            String memberId = joined.memberId();

            short syncVersion = (short) Math.min(v, ApiKeys.SYNC_GROUP.latestVersion());
            SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
                    .setGenerationId(joined.generationId()).setGroupInstanceId(syncVersion >= 3 ? instanceId : null)
                    .setAssignments(List.of(new SyncGroupRequestAssignment().setMemberId(memberId)
                            .setAssignment(new byte[] {9})));
            if (syncVersion >= 5) {
                sync.setProtocolType("consumer").setProtocolName("range");
            }
            SyncGroupResponseData synced = call(syncHandler, syncVersion, sync);
            assertThat(synced.assignment()).containsExactly(9);

            short hbVersion = (short) Math.min(v, ApiKeys.HEARTBEAT.latestVersion());
            HeartbeatRequestData heartbeat = new HeartbeatRequestData().setGroupId(group).setMemberId(memberId)
                    .setGenerationId(joined.generationId()).setGroupInstanceId(hbVersion >= 3 ? instanceId : null);
            org.apache.kafka.common.message.HeartbeatResponseData beat = call(heartbeatHandler, hbVersion, heartbeat);
            assertThat(beat.errorCode()).isZero();

            short describeVersion = (short) Math.min(v, ApiKeys.DESCRIBE_GROUPS.latestVersion());
            DescribeGroupsResponseData described = call(describeHandler, describeVersion,
                    new DescribeGroupsRequestData().setGroups(List.of(group, "nobody")));
            assertThat(described.groups().get(0).groupState()).isEqualTo("Stable");
            assertThat(described.groups().get(0).members().get(0).memberAssignment()).containsExactly(9);
            assertThat(described.groups().get(1).groupState()).isEqualTo("Dead");

            short leaveVersion = (short) Math.min(v, ApiKeys.LEAVE_GROUP.latestVersion());
            LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
            if (leaveVersion >= 3) {
                leave.setMembers(List.of(new MemberIdentity().setMemberId(memberId).setGroupInstanceId(instanceId)));
            } else {
                leave.setMemberId(memberId);
            }
            org.apache.kafka.common.message.LeaveGroupResponseData left = call(leaveHandler, leaveVersion, leave);
            assertThat(left.errorCode()).isZero();
        }
        ListGroupsHandler listHandler = new ListGroupsHandler(coordinator);
        for (short v = ApiKeys.LIST_GROUPS.oldestVersion(); v <= ApiKeys.LIST_GROUPS.latestVersion(); v++) {
            ListGroupsRequestData list = new ListGroupsRequestData();
            if (v >= 4) {
                list.setStatesFilter(List.of("Empty"));
            }
            assertThat(((org.apache.kafka.common.message.ListGroupsResponseData) call(listHandler, v, list)).groups())
                    .isNotEmpty();
        }
        DeleteGroupsHandler deleteHandler = new DeleteGroupsHandler(coordinator);
        for (short v = ApiKeys.DELETE_GROUPS.oldestVersion(); v <= ApiKeys.DELETE_GROUPS.latestVersion(); v++) {
            var deleted = (org.apache.kafka.common.message.DeleteGroupsResponseData) call(deleteHandler, v,
                    new DeleteGroupsRequestData().setGroupsNames(List.of("group-v" + v, "missing")));
            assertThat(deleted.results().find("group-v" + v).errorCode()).isZero();
            assertThat(deleted.results().find("missing").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        }
    }

    @Test
    void offsetApisRoundTripAtEveryVersion() {
        OffsetCommitHandler commitHandler = new OffsetCommitHandler(coordinator, () -> image);
        OffsetFetchHandler fetchHandler = new OffsetFetchHandler(coordinator, () -> image);
        for (short v = ApiKeys.OFFSET_COMMIT.oldestVersion(); v <= ApiKeys.OFFSET_COMMIT.latestVersion(); v++) {
            String group = "offsets-v" + v;
            OffsetCommitRequestTopic topic = new OffsetCommitRequestTopic().setPartitions(List.of(
                    new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(100 + v)
                            .setCommittedMetadata("meta-" + v)));
            if (v >= 10) {
                topic.setTopicId(TOPIC_ID);
            } else {
                topic.setName(TOPIC);
            }
            OffsetCommitResponseData committed = call(commitHandler, v, new OffsetCommitRequestData().setGroupId(group)
                    .setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(List.of(topic)));
            assertThat(committed.topics().get(0).partitions().get(0).errorCode()).as("commit v%d", v).isZero();
        }
        for (short v = ApiKeys.OFFSET_FETCH.oldestVersion(); v <= ApiKeys.OFFSET_FETCH.latestVersion(); v++) {
            String group = "offsets-v" + Math.max(v, ApiKeys.OFFSET_COMMIT.oldestVersion());
            long expected = 100 + Math.max(v, ApiKeys.OFFSET_COMMIT.oldestVersion());
            OffsetFetchRequestData fetch = new OffsetFetchRequestData();
            if (v >= 8) {
                OffsetFetchRequestTopics topic = new OffsetFetchRequestTopics().setPartitionIndexes(List.of(0));
                if (v >= 10) {
                    topic.setTopicId(TOPIC_ID);
                } else {
                    topic.setName(TOPIC);
                }
                fetch.setGroups(List.of(new OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(topic)),
                        new OffsetFetchRequestGroup().setGroupId(group).setTopics(null)));
            } else {
                fetch.setGroupId(group).setTopics(List.of(new OffsetFetchRequestTopic().setName(TOPIC)
                        .setPartitionIndexes(List.of(0))));
            }
            if (v >= 7) {
                fetch.setRequireStable(true);
            }
            OffsetFetchResponseData fetched = call(fetchHandler, v, fetch);
            if (v >= 8) {
                assertThat(fetched.groups()).hasSize(2);
                assertThat(fetched.groups().get(0).topics().get(0).partitions().get(0).committedOffset())
                        .as("fetch v%d", v).isEqualTo(expected);
                assertThat(fetched.groups().get(1).topics().get(0).partitions().get(0).metadata())
                        .isEqualTo("meta-" + Math.max(v, 2));
                if (v >= 10) {
                    assertThat(fetched.groups().get(1).topics().get(0).topicId()).isEqualTo(TOPIC_ID);
                }
            } else {
                assertThat(fetched.topics().get(0).partitions().get(0).committedOffset())
                        .as("fetch v%d", v).isEqualTo(expected);
            }
        }
        OffsetDeleteHandler deleteHandler = new OffsetDeleteHandler(coordinator, () -> image);
        var topics = new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        topics.add(new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC)
                .setPartitions(new ArrayList<>(List.of(
                        new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                                .setPartitionIndex(0)))));
        var deleted = (org.apache.kafka.common.message.OffsetDeleteResponseData) call(deleteHandler, (short) 0,
                new OffsetDeleteRequestData().setGroupId("offsets-v2").setTopics(topics));
        assertThat(deleted.errorCode()).isZero();

        // As Kafka: partitions the cluster does not have are answered by the broker, unless the group has an error.
        var unknown = new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        unknown.add(new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic()
                .setName("no-such-topic"));
        unknown.add(new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC)
                .setPartitions(new ArrayList<>(List.of(
                        new org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition()
                                .setPartitionIndex(7)))));
        var refused = (org.apache.kafka.common.message.OffsetDeleteResponseData) call(deleteHandler, (short) 0,
                new OffsetDeleteRequestData().setGroupId("offsets-v2").setTopics(unknown.duplicate()));
        var noGroup = (org.apache.kafka.common.message.OffsetDeleteResponseData) call(deleteHandler, (short) 0,
                new OffsetDeleteRequestData().setGroupId("no-such-group").setTopics(unknown));
        assertThat(Errors.forCode(noGroup.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(noGroup.topics()).isEmpty();
        assertThat(refused.errorCode()).isZero();
        assertThat(refused.topics().find("no-such-topic").partitions()).isEmpty();
        assertThat(refused.topics().find(TOPIC).partitions().find(7).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void unknownTopicIdIsReportedPerPartition() {
        OffsetCommitHandler commitHandler = new OffsetCommitHandler(coordinator, () -> image);
        OffsetCommitResponseData response = call(commitHandler, (short) 10, new OffsetCommitRequestData()
                .setGroupId("g").setGenerationIdOrMemberEpoch(-1).setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestTopic().setTopicId(new Uuid(9L, 9L)).setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1))))));

        assertThat(response.topics().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
    }
}
