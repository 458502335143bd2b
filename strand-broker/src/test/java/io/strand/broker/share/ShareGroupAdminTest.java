package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.broker.api.TestImages;
import io.strand.broker.group.ImageTopicIds;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.group.OffsetsTopicLog;
import io.strand.metadata.image.MetadataImage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The share group offsets administration between a group coordinator (one shard, state in memory) and a
 * persister keeping share states in a map: Kafka's answers for unknown groups, topics and partitions, for a
 * group with members, and the state read, initialized and deleted.
 */
class ShareGroupAdminTest {

    private static final long END_OFFSET = 10;

    /** Keeps nothing: share groups live in the shard's memory. */
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

    private final TestImages images = TestImages.builder().broker(1).topic("jobs", 2, 1);
    private final MetadataImage image = images.build();
    private final Uuid jobs = images.topicId("jobs");
    private final InMemorySharePersister persister = new InMemorySharePersister();
    private GroupCoordinator groups;
    private ShareGroupAdmin admin;

    @BeforeEach
    void start() {
        groups = new GroupCoordinator(GroupCoordinatorConfig.from(Map.of(
                GroupCoordinatorConfig.OFFSETS_TOPIC_PARTITIONS, "1")), NO_LOG, Time.SYSTEM, new Random(1),
                () -> Map.of("jobs", 2));
        groups.onLeadership(Set.of(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> groups.isActive(0));
        admin = new ShareGroupAdmin(groups, persister, () -> image, tp -> CompletableFuture.completedFuture(OptionalLong.of(END_OFFSET)));
    }

    @AfterEach
    void stop() {
        groups.close();
    }

    @Test
    void anUnknownGroupHasNoOffsetsAndNoError() {
        DescribeShareGroupOffsetsResponseGroup all = admin.describeOffsets(
                new DescribeShareGroupOffsetsRequestGroup().setGroupId("nobody").setTopics(null)).join();
        assertThat(all.errorCode()).isZero();
        assertThat(all.topics()).isEmpty();

        DescribeShareGroupOffsetsResponseGroup named = admin.describeOffsets(new DescribeShareGroupOffsetsRequestGroup()
                .setGroupId("nobody").setTopics(List.of(
                        new DescribeShareGroupOffsetsRequestTopic().setTopicName("jobs").setPartitions(List.of(0)),
                        new DescribeShareGroupOffsetsRequestTopic().setTopicName("missing").setPartitions(List.of(3)))))
                .join();
        assertThat(named.errorCode()).isZero();
        assertThat(named.topics()).extracting(t -> t.topicName() + "/" + t.topicId())
                .containsExactly("jobs/" + jobs, "missing/" + Uuid.ZERO_UUID);
        assertThat(named.topics()).flatExtracting(t -> t.partitions()).allSatisfy(p -> {
            assertThat(p.startOffset()).isEqualTo(-1);
            assertThat(p.lag()).isEqualTo(-1);
            assertThat(p.errorCode()).isZero();
        });
    }

    @Test
    void alterCreatesTheGroupAndSetsTheStartOffsetsDescribeReads() {
        AlterShareGroupOffsetsResponseData altered = alter("g", "jobs", 0, 4L, "jobs", 5, 1L, "missing", 0, 1L);

        assertThat(altered.errorCode()).isZero();
        assertThat(altered.responses().find("jobs").partitions()).extracting(p -> p.partitionIndex() + ":"
                + Errors.forCode(p.errorCode())).containsExactly("0:NONE", "5:UNKNOWN_TOPIC_OR_PARTITION");
        assertThat(altered.responses().find("missing").partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        SharePersister.PersistedState state = persister.state("g", new TopicIdPartition(jobs, 0, "jobs"));
        assertThat(state.startOffset()).isEqualTo(4);
        assertThat(state.stateEpoch()).as("past the state epoch read, fencing the leader of the old state")
                .isEqualTo(1);

        DescribeShareGroupOffsetsResponseGroup all = describeAll("g");
        assertThat(all.topics()).singleElement().satisfies(t -> assertThat(t.partitions()).singleElement()
                .satisfies(p -> {
                    assertThat(p.partitionIndex()).isZero();
                    assertThat(p.startOffset()).isEqualTo(4);
                    assertThat(p.lag()).isEqualTo(END_OFFSET - 4);
                }));
        assertThat(alter("g", "jobs", 0, 2L).errorCode()).as("again, while empty").isZero();
        assertThat(persister.state("g", new TopicIdPartition(jobs, 0, "jobs")).stateEpoch()).isEqualTo(2);
    }

    @Test
    void aTopicNamedWithoutPartitionsIsAnsweredOnlyIfItExists() {
        AlterShareGroupOffsetsRequestData request = new AlterShareGroupOffsetsRequestData().setGroupId("g");
        request.topics().add(new AlterShareGroupOffsetsRequestTopic().setTopicName("jobs"));
        request.topics().add(new AlterShareGroupOffsetsRequestTopic().setTopicName("missing"));

        AlterShareGroupOffsetsResponseData altered = admin.alterOffsets(request).join();

        assertThat(altered.errorCode()).isZero();
        assertThat(altered.responses()).singleElement().satisfies(t -> {
            assertThat(t.topicName()).isEqualTo("jobs");
            assertThat(t.partitions()).isEmpty();
        });
    }

    @Test
    void aGroupWithMembersIsNotAltered() {
        ShareGroupHeartbeatResponseData joined = groups.shareGroupHeartbeat("client", "/127.0.0.1",
                new ShareGroupHeartbeatRequestData().setGroupId("g").setMemberId("m1").setMemberEpoch(0)
                        .setSubscribedTopicNames(List.of("jobs")), new ImageTopicIds(image)).join();
        assertThat(joined.errorCode()).isZero();

        assertThat(Errors.forCode(alter("g", "jobs", 0, 4L).errorCode())).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(Errors.forCode(deleteOffsets("g", "jobs").errorCode())).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(admin.deleteGroupState("g").join()).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(persister.state("g", new TopicIdPartition(jobs, 0, "jobs"))).isNull();
    }

    @Test
    void deleteOffsetsDeletesTheStateOfTheTopicsNamed() {
        assertThat(Errors.forCode(deleteOffsets("nobody", "jobs").errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        alter("g", "jobs", 0, 4L, "jobs", 1, 7L);

        DeleteShareGroupOffsetsResponseData deleted = deleteOffsets("g", "jobs", "missing");

        assertThat(deleted.errorCode()).isZero();
        assertThat(deleted.responses()).extracting(t -> t.topicName() + ":" + Errors.forCode(t.errorCode()))
                .containsExactly("jobs:NONE", "missing:UNKNOWN_TOPIC_OR_PARTITION");
        assertThat(persister.state("g", new TopicIdPartition(jobs, 0, "jobs"))).isNull();
        assertThat(persister.state("g", new TopicIdPartition(jobs, 1, "jobs"))).isNull();
        assertThat(describeAll("g").topics()).isEmpty();
        assertThat(deleteOffsets("g", "jobs").responses()).singleElement().satisfies(t -> {
            assertThat(Errors.forCode(t.errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(t.errorMessage()).isEqualTo("There is no offset information to delete.");
        });
    }

    @Test
    void deletingAShareGroupDeletesAllItsState() {
        assertThat(admin.deleteGroupState("nobody").join()).as("not a share group: DeleteGroups answers")
                .isEqualTo(Errors.NONE);
        assertThat(admin.deleteGroupState("").join()).as("DeleteGroups answers an empty group id as Kafka")
                .isEqualTo(Errors.NONE);
        alter("g", "jobs", 0, 4L, "jobs", 1, 7L);

        assertThat(admin.deleteGroupState("g").join()).isEqualTo(Errors.NONE);

        assertThat(persister.state("g", new TopicIdPartition(jobs, 0, "jobs"))).isNull();
        assertThat(persister.state("g", new TopicIdPartition(jobs, 1, "jobs"))).isNull();
    }

    @Test
    void describeAllLeavesOutPartitionsAssignedButNeverInitialized() {
        alter("g", "jobs", 1, 3L);
        groups.shareGroupHeartbeat("client", "/127.0.0.1", new ShareGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m1").setMemberEpoch(0).setSubscribedTopicNames(List.of("jobs")),
                new ImageTopicIds(image)).join();

        assertThat(describeAll("g").topics()).singleElement().satisfies(t -> assertThat(t.partitions())
                .extracting(DescribeShareGroupOffsetsResponsePartition::partitionIndex).containsExactly(1));
    }

    private DescribeShareGroupOffsetsResponseGroup describeAll(String group) {
        DescribeShareGroupOffsetsResponseGroup all = admin.describeOffsets(
                new DescribeShareGroupOffsetsRequestGroup().setGroupId(group).setTopics(null)).join();
        assertThat(all.errorCode()).isZero();
        return all;
    }

    /** Alters {@code topic, partition, startOffset} triples. */
    private AlterShareGroupOffsetsResponseData alter(String group, Object... triples) {
        AlterShareGroupOffsetsRequestData request = new AlterShareGroupOffsetsRequestData().setGroupId(group);
        for (int i = 0; i < triples.length; i += 3) {
            String topic = (String) triples[i];
            AlterShareGroupOffsetsRequestTopic t = request.topics().find(topic);
            if (t == null) {
                t = new AlterShareGroupOffsetsRequestTopic().setTopicName(topic);
                request.topics().add(t);
            }
            t.partitions().add(new AlterShareGroupOffsetsRequestPartition().setPartitionIndex((Integer) triples[i + 1])
                    .setStartOffset((Long) triples[i + 2]));
        }
        return admin.alterOffsets(request).join();
    }

    private DeleteShareGroupOffsetsResponseData deleteOffsets(String group, String... topics) {
        DeleteShareGroupOffsetsRequestData request = new DeleteShareGroupOffsetsRequestData().setGroupId(group);
        for (String topic : topics) {
            request.topics().add(new DeleteShareGroupOffsetsRequestTopic().setTopicName(topic));
        }
        return admin.deleteOffsets(request).join();
    }
}
