package io.strand.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.broker.replica.CommitWaiter;
import io.strand.broker.replica.LogConfigResolver;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.common.config.BrokerConfig;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.group.TopicAccess;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import io.strand.metadata.record.RemoveTopicRecord;
import io.strand.metadata.record.TopicRecord;
import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator follows leadership of {@code __consumer_offsets} as published metadata changes move
 * it, over real partition logs; the high watermark waits are a fake the test completes by hand.
 */
class GroupCoordinatorServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int SELF = 1;
    private static final int OTHER = 2;
    private static final Uuid OFFSETS_ID = new Uuid(9L, 9L);
    private static final String GROUP = "group-a";

    /** Records every wait; completes at once unless holding. */
    private static final class FakeCommitWaiter implements CommitWaiter {
        record Wait(Partition partition, long offset, CompletableFuture<Void> future) {
        }

        final List<Wait> waits = new CopyOnWriteArrayList<>();
        volatile boolean holding;

        @Override
        public CompletableFuture<Void> awaitHighWatermark(Partition partition, long offset) {
            CompletableFuture<Void> future = holding ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
            waits.add(new Wait(partition, offset, future));
            return future;
        }
    }

    @TempDir
    Path dir;

    private final FakeCommitWaiter waiter = new FakeCommitWaiter();
    private LogManager logManager;
    private ReplicaManager replicaManager;
    private GroupCoordinatorService service;
    private MetadataImage image = MetadataImage.EMPTY;
    private long offset;

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        if (logManager != null) {
            logManager.close();
        }
    }

    private static PartitionRecord partition(int partitionId, int leader, int leaderEpoch) {
        return new PartitionRecord(OFFSETS_ID, partitionId, List.of(SELF, OTHER), List.of(SELF, OTHER), leader,
                leaderEpoch, leaderEpoch);
    }

    private static RegisterBrokerRecord broker(int id) {
        return new RegisterBrokerRecord(id, new Uuid(7L, id), List.of(new Endpoint("PLAINTEXT", "host", 9092 + id,
                "PLAINTEXT")), null);
    }

    /** Publishes a change, as the metadata publisher does: the replica manager first, then the service. */
    private void publish(MetadataRecord... records) {
        MetadataDelta delta = new MetadataDelta(image);
        for (MetadataRecord record : records) {
            delta.replay(record);
        }
        image = delta.apply(++offset);
        replicaManager.onMetadataUpdate(delta, image);
        service.onMetadataUpdate(delta, image);
    }

    /** Starts with {@code __consumer_offsets}' two partitions led as given. */
    private void start(int leaderOf0, int leaderOf1) {
        logManager = new LogManager(new LogManagerConfig(List.of(dir), 300_000L, 60_000L, 60_000L, 60_000), Time.SYSTEM);
        logManager.startup();
        replicaManager = new ReplicaManager(SELF, logManager, new LogConfigResolver(BrokerConfig.defaults()));
        service = new GroupCoordinatorService(SELF, GroupCoordinatorConfig.from(Map.of(
                GroupCoordinatorConfig.OFFSETS_TOPIC_PARTITIONS, "2",
                GroupCoordinatorConfig.GROUP_CONSUMER_ASSIGNMENT_INTERVAL_MS, "0")), replicaManager, waiter, Time.SYSTEM);
        List<MetadataRecord> records = new ArrayList<>(List.of(broker(SELF), broker(OTHER),
                new TopicRecord(Topic.GROUP_METADATA_TOPIC_NAME, OFFSETS_ID)));
        records.add(partition(0, leaderOf0, 0));
        records.add(partition(1, leaderOf1, 0));
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(records);
        image = delta.apply(++offset);
        replicaManager.start(image);
        service.start(request -> new CompletableFuture<>(), image);
    }

    private int partitionOfGroup() {
        return service.coordinator().partitionFor(GROUP);
    }

    private CompletableFuture<OffsetCommitResponseData> commit(long committedOffset) {
        return service.coordinator().commitOffsets(new OffsetCommitRequestData().setGroupId(GROUP)
                .setGenerationIdOrMemberEpoch(-1).setMemberId("")
                .setTopics(List.of(new OffsetCommitRequestTopic().setName("events").setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(committedOffset))))));
    }

    private static Errors errorOf(OffsetCommitResponseData response) {
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void loadsThePartitionsThisBrokerBecomesLeaderOfAndUnloadsThoseItStopsLeading() {
        start(SELF, OTHER);
        await().atMost(WAIT).until(() -> service.coordinator().isActive(0));
        assertThat(service.coordinator().isActive(1)).isFalse();

        publish(partition(0, OTHER, 1), partition(1, SELF, 1));

        await().atMost(WAIT).until(() -> service.coordinator().isActive(1) && !service.coordinator().isActive(0));

        publish(new RemoveTopicRecord(OFFSETS_ID));

        await().atMost(WAIT).until(() -> !service.coordinator().isActive(1));
        assertThat(errorOf(commit(5).join())).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void aNewLeaderLoadsWhatItsPredecessorWroteAndServesOnceThatIsCommitted() {
        start(SELF, SELF);
        int partition = partitionOfGroup();
        await().atMost(WAIT).until(() -> service.coordinator().isActive(partition));
        assertThat(errorOf(commit(42).join())).isEqualTo(Errors.NONE);
        publish(partition(partition, OTHER, 1));
        await().atMost(WAIT).until(() -> !service.coordinator().isActive(partition));

        waiter.holding = true;
        publish(partition(partition, SELF, 2));
        await().atMost(WAIT).until(() -> !waiter.waits.isEmpty()
                && waiter.waits.get(waiter.waits.size() - 1).offset() == 1);
        assertThat(errorOf(commit(43).join())).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);

        waiter.waits.get(waiter.waits.size() - 1).future().complete(null);

        await().atMost(WAIT).until(() -> service.coordinator().isActive(partition));
        assertThat(service.coordinator().fetchOffsets(new org.apache.kafka.common.message.OffsetFetchRequestData
                        .OffsetFetchRequestGroup().setGroupId(GROUP).setTopics(null)).join()
                .topics().get(0).partitions().get(0).committedOffset()).isEqualTo(42);
    }

    @Test
    void aStaleLoadFinishingAfterANewerLeaderEpochDoesNotServe() {
        waiter.holding = true;
        start(SELF, OTHER);
        await().atMost(WAIT).until(() -> waiter.waits.size() == 1);
        CompletableFuture<Void> staleLoad = waiter.waits.get(0).future();

        publish(partition(0, SELF, 1));
        await().atMost(WAIT).until(() -> waiter.waits.size() == 2);
        staleLoad.complete(null);

        // The epoch-0 shard never serves: the partition waits for the epoch-1 load.
        assertThat(service.coordinator().isActive(0)).isFalse();
        waiter.waits.get(1).future().complete(null);
        await().atMost(WAIT).until(() -> service.coordinator().isActive(0));
    }

    @Test
    void anAppendAnswersOnlyOnceTheHighWatermarkPassesItsBatch() {
        start(SELF, SELF);
        int partition = partitionOfGroup();
        await().atMost(WAIT).until(() -> service.coordinator().isActive(partition));
        waiter.holding = true;
        int before = waiter.waits.size();

        CompletableFuture<OffsetCommitResponseData> response = commit(7);

        await().atMost(WAIT).until(() -> waiter.waits.size() == before + 1);
        FakeCommitWaiter.Wait wait = waiter.waits.get(before);
        assertThat(wait.offset()).isEqualTo(1); // the batch at offset 0 is committed once the high watermark is 1
        assertThat(wait.partition().topicPartition().partition()).isEqualTo(partition);
        assertThat(response).isNotDone();

        wait.future().complete(null);

        assertThat(errorOf(response.join())).isEqualTo(Errors.NONE);
    }

    @Test
    void anAppendWhoseLeadershipIsLostAnswersNotCoordinatorAndTheShardIsNotReloaded() {
        start(SELF, SELF);
        int partition = partitionOfGroup();
        await().atMost(WAIT).until(() -> service.coordinator().isActive(partition));
        waiter.holding = true;
        int before = waiter.waits.size();
        CompletableFuture<OffsetCommitResponseData> response = commit(7);
        await().atMost(WAIT).until(() -> waiter.waits.size() == before + 1);

        // The replica manager learns of the new leader first; the wait fails as the partition's would.
        MetadataDelta delta = new MetadataDelta(image);
        delta.replay(partition(partition, OTHER, 1));
        MetadataImage moved = delta.apply(offset + 1);
        replicaManager.onMetadataUpdate(delta, moved);
        waiter.waits.get(before).future().completeExceptionally(new NotLeaderOrFollowerException("leader moved"));

        assertThat(errorOf(response.join())).isEqualTo(Errors.NOT_COORDINATOR);
        await().atMost(WAIT).until(() -> errorOf(commit(8).join()) == Errors.NOT_COORDINATOR);
        assertThat(service.coordinator().isActive(partition)).isFalse();
    }

    @Test
    void ledPartitionsCarryTheirLeaderEpochs() {
        List<MetadataRecord> records = List.of(broker(SELF), broker(OTHER),
                new TopicRecord(Topic.GROUP_METADATA_TOPIC_NAME, OFFSETS_ID), partition(0, SELF, 4),
                partition(1, OTHER, 2));
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(records);

        assertThat(GroupCoordinatorService.ledPartitions(delta.apply(1), SELF)).isEqualTo(Map.of(0, 4));
    }

    private org.apache.kafka.common.message.TxnOffsetCommitResponseData txnCommit(long producerId, int partition,
                                                                              long committedOffset) {
        return service.coordinator().commitTransactionalOffsets(new org.apache.kafka.common.message
                        .TxnOffsetCommitRequestData().setTransactionalId("tx-" + producerId).setGroupId(GROUP)
                        .setProducerId(producerId).setProducerEpoch((short) 0)
                        .setTopics(List.of(new org.apache.kafka.common.message.TxnOffsetCommitRequestData
                                .TxnOffsetCommitRequestTopic().setName("events").setPartitions(List.of(
                                        new org.apache.kafka.common.message.TxnOffsetCommitRequestData
                                                .TxnOffsetCommitRequestPartition().setPartitionIndex(partition)
                                                .setCommittedOffset(committedOffset))))))
                .join();
    }

    private org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions fetchStable(
            int partition) {
        return service.coordinator().fetchOffsets(new org.apache.kafka.common.message.OffsetFetchRequestData
                        .OffsetFetchRequestGroup().setGroupId(GROUP).setTopics(List.of(
                                new org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics()
                                        .setName("events").setPartitionIndexes(List.of(partition)))), true)
                .join().topics().get(0).partitions().get(0);
    }

    /** A topic of one partition that another broker hosts. */
    private static MetadataRecord[] topic(String name, Uuid id) {
        return new MetadataRecord[] {new TopicRecord(name, id),
                new PartitionRecord(id, 0, List.of(OTHER), List.of(OTHER), OTHER, 0, 0)};
    }

    private ConsumerGroupHeartbeatResponseData heartbeat(int memberEpoch, List<String> topics) {
        return service.coordinator().consumerGroupHeartbeat((short) 1, "client", "/10.0.0.1",
                new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("member-1")
                        .setMemberEpoch(memberEpoch).setRebalanceTimeoutMs(60_000).setSubscribedTopicNames(topics)
                        .setTopicPartitions(List.of()), new ImageTopicIds(image), TopicAccess.ALL).join();
    }

    private Map<Uuid, List<Integer>> assignmentOf(ConsumerGroupDescribeResponseData.DescribedGroup group) {
        Map<Uuid, List<Integer>> assigned = new java.util.TreeMap<>();
        group.members().get(0).assignment().topicPartitions()
                .forEach(t -> assigned.put(t.topicId(), t.partitions()));
        return assigned;
    }

    @Test
    void aNewLeaderLoadsAConsumerGroupsAssignmentByTopicIdWithoutATopicDeletedMeanwhile() {
        Uuid events = new Uuid(5L, 5L);
        Uuid audit = new Uuid(6L, 6L);
        start(SELF, SELF);
        List<MetadataRecord> topics = new ArrayList<>(List.of(topic("events", events)));
        topics.addAll(List.of(topic("audit", audit)));
        publish(topics.toArray(MetadataRecord[]::new));
        int partition = partitionOfGroup();
        await().atMost(WAIT).until(() -> service.coordinator().isActive(partition));
        ConsumerGroupHeartbeatResponseData joined = heartbeat(0, List.of("events", "audit"));
        assertThat(joined.errorCode()).isZero();
        assertThat(joined.assignment().topicPartitions()).hasSize(2);
        assertThat(assignmentOf(service.coordinator().consumerGroupDescribe(GROUP, new ImageTopicIds(image)).join()))
                .containsOnlyKeys(events, audit);

        publish(partition(partition, OTHER, 1));
        await().atMost(WAIT).until(() -> !service.coordinator().isActive(partition));
        publish(new RemoveTopicRecord(audit));
        publish(partition(partition, SELF, 2));
        await().atMost(WAIT).until(() -> service.coordinator().isActive(partition));

        // Loaded from the records, which name topics by id: the member, its epoch and what is left of its partitions.
        ConsumerGroupDescribeResponseData.DescribedGroup loaded =
                service.coordinator().consumerGroupDescribe(GROUP, new ImageTopicIds(image)).join();
        assertThat(loaded.errorCode()).isZero();
        assertThat(loaded.members()).singleElement().satisfies(member -> {
            assertThat(member.memberId()).isEqualTo("member-1");
            assertThat(member.memberEpoch()).isEqualTo(joined.memberEpoch());
            assertThat(member.subscribedTopicNames()).containsExactlyInAnyOrder("events", "audit");
        });
        assertThat(assignmentOf(loaded)).containsOnlyKeys(events);
        assertThat(heartbeat(joined.memberEpoch(), List.of("events")).errorCode()).as("the member carries on")
                .isZero();
    }

    @Test
    void transactionalCommitsAndMarkersGoThroughTheLogAndANewLeaderRebuildsThem() {
        start(SELF, SELF);
        int partition = partitionOfGroup();
        org.apache.kafka.common.TopicPartition offsetsPartition =
                new org.apache.kafka.common.TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, partition);
        await().atMost(WAIT).until(() -> service.coordinator().isActive(partition));
        // Two batches of one producer at base sequence 0 are both written (no retry taken), then committed.
        assertThat(Errors.forCode(txnCommit(7L, 0, 10).topics().get(0).partitions().get(0).errorCode()))
                .isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(txnCommit(7L, 1, 11).topics().get(0).partitions().get(0).errorCode()))
                .isEqualTo(Errors.NONE);
        txnCommit(8L, 2, 12);
        txnCommit(9L, 3, 13);
        assertThat(Errors.forCode(fetchStable(0).errorCode())).isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);
        assertThat(service.markerWriter().writeMarker(offsetsPartition, 7L, (short) 0, 0, true).join())
                .isEqualTo(Errors.NONE);
        assertThat(service.markerWriter().writeMarker(offsetsPartition, 8L, (short) 0, 0, false).join())
                .isEqualTo(Errors.NONE);
        assertThat(fetchStable(0).committedOffset()).isEqualTo(10);
        assertThat(fetchStable(1).committedOffset()).isEqualTo(11);

        publish(partition(partition, OTHER, 1));
        await().atMost(WAIT).until(() -> !service.coordinator().isActive(partition));
        assertThat(service.markerWriter().writeMarker(offsetsPartition, 9L, (short) 0, 0, true).join())
                .as("not loaded here").isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        publish(partition(partition, SELF, 2));
        await().atMost(WAIT).until(() -> service.coordinator().isActive(partition));

        assertThat(fetchStable(0).committedOffset()).isEqualTo(10);
        assertThat(fetchStable(1).committedOffset()).isEqualTo(11);
        assertThat(fetchStable(2).committedOffset()).as("aborted").isEqualTo(-1);
        assertThat(fetchStable(2).errorCode()).isZero();
        assertThat(Errors.forCode(fetchStable(3).errorCode())).as("still open").isEqualTo(Errors.UNSTABLE_OFFSET_COMMIT);
        assertThat(service.markerWriter().writeMarker(offsetsPartition, 9L, (short) 0, 2, true).join())
                .isEqualTo(Errors.NONE);
        assertThat(fetchStable(3).committedOffset()).isEqualTo(13);
    }
}
