package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class OffsetOpsTest {

    private static final String GROUP = "g";

    static OffsetCommitRequestData commit(String groupId, String memberId, int generation, String topic, int partition,
                                          long offset, String metadata) {
        return new OffsetCommitRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation).setRetentionTimeMs(-1)
                .setTopics(List.of(new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(partition).setCommittedOffset(offset)
                                .setCommittedLeaderEpoch(3).setCommittedMetadata(metadata)))));
    }

    static Errors commitError(OffsetCommitResponseData response) {
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }

    private static OffsetFetchResponsePartitions fetchOne(ShardHarness h, String topic, int partition) {
        OffsetFetchResponseGroup group = h.shard.offsetOps().fetch(new OffsetFetchRequestGroup().setGroupId(GROUP)
                .setTopics(List.of(new OffsetFetchRequestTopics().setName(topic).setPartitionIndexes(List.of(partition)))));
        return group.topics().get(0).partitions().get(0);
    }

    @Test
    void committedOffsetAndMetadataAreFetchedBack() {
        ShardHarness h = ShardHarness.withoutInitialDelay();

        OffsetCommitResponseData response = h.run(s -> s.offsetOps().commit(commit(GROUP, "", -1, "t", 2, 42, "note")));

        assertThat(commitError(response)).isEqualTo(Errors.NONE);
        OffsetFetchResponsePartitions fetched = fetchOne(h, "t", 2);
        assertThat(fetched.committedOffset()).isEqualTo(42);
        assertThat(fetched.committedLeaderEpoch()).isEqualTo(3);
        assertThat(fetched.metadata()).isEqualTo("note");
        OffsetFetchResponsePartitions missing = fetchOne(h, "t", 5);
        assertThat(missing.committedOffset()).isEqualTo(-1);
        assertThat(missing.metadata()).isEmpty();
        OffsetFetchResponseGroup all = h.shard.offsetOps().fetch(new OffsetFetchRequestGroup().setGroupId(GROUP)
                .setTopics(null));
        assertThat(all.topics()).hasSize(1);
        assertThat(all.topics().get(0).partitions()).extracting(OffsetFetchResponsePartitions::partitionIndex)
                .containsExactly(2);
    }

    @Test
    void memberCommitsAreCheckedAgainstTheGroup() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String a = h.newMemberId(GROUP);
        h.join(GROUP, a).join();

        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "t", 0, 1, null)))))
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        h.sync(GROUP, a, 1, Map.of()).join();
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, a, 0, "t", 0, 1, null)))))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, "x", 1, "t", 0, 1, null)))))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, "", -1, "t", 0, 1, null)))))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit("other", "m", 4, "t", 0, 1, null)))))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit("other", "m", 4, "t", 0, 1, null), (short) 9))))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "t", 0, 1, "x".repeat(4097))))))
                .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE);
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "t", 0, 9, null)))))
                .isEqualTo(Errors.NONE);
        assertThat(fetchOne(h, "t", 0).committedOffset()).isEqualTo(9);
    }

    @Test
    void commitsDuringARebalanceAreCheckedInKafkasOrder() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String a = h.newMemberId(GROUP);
        h.join(GROUP, a).join();
        h.sync(GROUP, a, 1, Map.of()).join();
        String b = h.newMemberId(GROUP);
        h.join(GROUP, b); // the group prepares a rebalance; a has not rejoined

        // PREPARING_REBALANCE: a member of the current generation still commits (the eager protocol
        // commits there before it rejoins), as Kafka takes it.
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "t", 0, 3, null)))))
                .isEqualTo(Errors.NONE);
        h.join(GROUP, a).join(); // both joined: COMPLETING_REBALANCE at generation 2

        // The generation is checked before the state: an old one is ILLEGAL_GENERATION, not
        // REBALANCE_IN_PROGRESS; the new one waits for the assignment.
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "t", 0, 4, null)))))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, a, 2, "t", 0, 4, null)))))
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        // An instance id the group does not know names no member.
        assertThat(commitError(h.run(s -> s.offsetOps().commit(commit(GROUP, a, 2, "t", 0, 4, null)
                .setGroupInstanceId("unknown-instance"))))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(fetchOne(h, "t", 0).committedOffset()).isEqualTo(3);
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAfterRetentionAndThenTheGroupIsRemoved() {
        ShardHarness h = new ShardHarness(Map.of(GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupCoordinatorConfig.OFFSETS_RETENTION_MINUTES, "1"));
        h.run(s -> s.offsetOps().commit(commit(GROUP, "", -1, "t", 0, 5, null)));
        h.time.sleep(30_000);
        h.run(s -> s.offsetOps().commit(commit(GROUP, "", -1, "t", 1, 6, null)));

        h.time.sleep(TimeUnit.SECONDS.toMillis(31));
        h.run(s -> s.offsetOps().expire());

        assertThat(fetchOne(h, "t", 0).committedOffset()).isEqualTo(-1);
        assertThat(fetchOne(h, "t", 1).committedOffset()).isEqualTo(6);
        assertThat(h.group(GROUP)).isNotNull();

        h.time.sleep(30_000);
        h.run(s -> s.offsetOps().expire());

        assertThat(fetchOne(h, "t", 1).committedOffset()).isEqualTo(-1);
        assertThat(h.group(GROUP)).isNull();
    }

    @Test
    void stableConsumerGroupKeepsOffsetsOfSubscribedTopicsOnly() {
        ShardHarness h = new ShardHarness(Map.of(GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0",
                GroupCoordinatorConfig.OFFSETS_RETENTION_MINUTES, "1"));
        String a = joinConsumer(h, "subscribed");
        h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "subscribed", 0, 5, null)));
        h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "gone", 0, 5, null)));

        h.time.sleep(61_000);
        h.run(s -> s.offsetOps().expire());

        assertThat(fetchOne(h, "subscribed", 0).committedOffset()).isEqualTo(5);
        assertThat(fetchOne(h, "gone", 0).committedOffset()).isEqualTo(-1);
    }

    @Test
    void offsetDeleteRefusesSubscribedTopicsOfAnActiveConsumerGroup() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        String a = joinConsumer(h, "subscribed");
        h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "subscribed", 0, 5, null)));
        h.run(s -> s.offsetOps().commit(commit(GROUP, a, 1, "other", 0, 5, null)));

        OffsetDeleteResponseData response = h.run(s -> s.offsetOps().delete(deleteRequest(GROUP, "subscribed", "other")));

        assertThat(response.topics().find("subscribed").partitions().find(0).errorCode())
                .isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
        assertThat(response.topics().find("other").partitions().find(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(fetchOne(h, "other", 0).committedOffset()).isEqualTo(-1);
        assertThat(fetchOne(h, "subscribed", 0).committedOffset()).isEqualTo(5);
        assertThat(h.run(s -> s.offsetOps().delete(deleteRequest("missing", "t"))).errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void aGroupWhoseOffsetsWereDeletedStaysUntilExpiryRemovesIt() {
        ShardHarness h = ShardHarness.withoutInitialDelay();
        h.run(s -> s.offsetOps().commit(commit(GROUP, "", -1, "t", 0, 5, null)));
        h.run(s -> s.offsetOps().delete(deleteRequest(GROUP, "t")));

        // A leave of an unknown member (as a failed join) leaves the group in place, as Kafka keeps it.
        h.run(s -> s.memberOps().leave(new org.apache.kafka.common.message.LeaveGroupRequestData().setGroupId(GROUP)
                .setMemberId("nobody"), (short) 0));
        assertThat(h.group(GROUP)).isNotNull();
        assertThat(h.run(s -> s.offsetOps().delete(deleteRequest(GROUP, "t"))).errorCode())
                .isEqualTo(Errors.NONE.code());

        h.run(s -> s.offsetOps().expire());
        assertThat(h.group(GROUP)).isNull();
    }

    private static OffsetDeleteRequestData deleteRequest(String groupId, String... topics) {
        OffsetDeleteRequestTopicCollection collection = new OffsetDeleteRequestTopicCollection();
        for (String topic : topics) {
            collection.add(new OffsetDeleteRequestTopic().setName(topic)
                    .setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
        }
        return new OffsetDeleteRequestData().setGroupId(groupId).setTopics(collection);
    }

    /** A one-member consumer group subscribed to {@code topic}, stable in generation 1. */
    private static String joinConsumer(ShardHarness h, String topic) {
        ByteBuffer subscription = ConsumerProtocol.serializeSubscription(new Subscription(List.of(topic)));
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(Utils.toArray(subscription)));
        JoinGroupRequestData request = new JoinGroupRequestData().setGroupId(GROUP).setMemberId("")
                .setProtocolType("consumer").setProtocols(protocols).setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(10_000);
        String memberId = h.run(s -> s.joinOp().join((short) 3, "c", "h", request)).join().memberId();
        h.sync(GROUP, memberId, 1, Map.of()).join();
        return memberId;
    }
}
