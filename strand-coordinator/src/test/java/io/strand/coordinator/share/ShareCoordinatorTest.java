package io.strand.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.common.time.ManualTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.InitializeShareGroupStateRequestData;
import org.apache.kafka.common.message.InitializeShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateSummaryResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The share coordinator over the runtime: requests answered per partition, the state surviving a reload. */
class ShareCoordinatorTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final int PARTITIONS = 3;

    private final ManualTime time = new ManualTime();
    private final InMemoryShareStateLog log = new InMemoryShareStateLog();
    private final ShareCoordinatorConfig config = ShareCoordinatorConfig.from(Map.of(
            ShareCoordinatorConfig.STATE_TOPIC_PARTITIONS, Integer.toString(PARTITIONS)));
    private ShareCoordinator coordinator = started();

    private ShareCoordinator started() {
        ShareCoordinator started = new ShareCoordinator(config, 1, log, time, (topicId, partition) -> true);
        started.onLeadership(Map.of(0, 0, 1, 0, 2, 0));
        await().atMost(10, TimeUnit.SECONDS).until(() -> IntStream.range(0, 10).allMatch(g ->
                readSummary(started, "probe" + g).results().get(0).partitions().get(0).errorCode() == 0));
        return started;
    }

    @AfterEach
    void tearDown() {
        coordinator.close();
    }

    @Test
    void aKeyLivesInThePartitionOfTheHashOfGroupTopicAndPartition() {
        String key = "g:" + TOPIC_ID + ":4";
        assertThat(coordinator.partitionFor(new ShareStateKey("g", TOPIC_ID, 4))).isEqualTo(coordinator.partitionFor(key))
                .isEqualTo(Math.abs(key.hashCode()) % PARTITIONS);
        assertThat(IntStream.range(0, 30).map(p -> coordinator.partitionFor(new ShareStateKey("g", TOPIC_ID, p)))
                .boxed().distinct().toList()).as("keys spread over the partitions").hasSize(PARTITIONS);
    }

    @Test
    void stateWrittenForManyPartitionsIsReadBackAfterAReload() throws Exception {
        InitializeShareGroupStateRequestData init = new InitializeShareGroupStateRequestData().setGroupId("g");
        init.topics().add(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(TOPIC_ID)
                .setPartitions(IntStream.range(0, 6).mapToObj(p -> new InitializeShareGroupStateRequestData.PartitionData()
                        .setPartition(p).setStateEpoch(0).setStartOffset(10)).toList()));
        assertThat(coordinator.initialize(init).get(10, TimeUnit.SECONDS).results().get(0).partitions())
                .allSatisfy(p -> assertThat(p.errorCode()).isZero()).hasSize(6);
        WriteShareGroupStateRequestData write = new WriteShareGroupStateRequestData().setGroupId("g");
        write.topics().add(new WriteShareGroupStateRequestData.WriteStateData().setTopicId(TOPIC_ID).setPartitions(
                IntStream.range(0, 6).mapToObj(p -> new WriteShareGroupStateRequestData.PartitionData().setPartition(p)
                        .setStateEpoch(0).setLeaderEpoch(1).setStartOffset(12).setDeliveryCompleteCount(1)
                        .setStateBatches(List.of(new WriteShareGroupStateRequestData.StateBatch().setFirstOffset(12)
                                .setLastOffset(12).setDeliveryState(StateBatch.AVAILABLE).setDeliveryCount((short) 2),
                                new WriteShareGroupStateRequestData.StateBatch().setFirstOffset(13).setLastOffset(13)
                                        .setDeliveryState(StateBatch.ACKNOWLEDGED).setDeliveryCount((short) 1))))
                        .toList()));
        assertThat(coordinator.write(write).get(10, TimeUnit.SECONDS).results().get(0).partitions())
                .allSatisfy(p -> assertThat(p.errorCode()).isZero());

        coordinator.close();
        coordinator = started(); // loads every partition from the log again

        ReadShareGroupStateRequestData read = new ReadShareGroupStateRequestData().setGroupId("g");
        read.topics().add(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(TOPIC_ID).setPartitions(
                IntStream.range(0, 6).mapToObj(p -> new ReadShareGroupStateRequestData.PartitionData().setPartition(p)
                        .setLeaderEpoch(1)).toList()));
        List<ReadShareGroupStateResponseData.PartitionResult> results = coordinator.read(read).get(10, TimeUnit.SECONDS)
                .results().get(0).partitions();
        assertThat(results).extracting(ReadShareGroupStateResponseData.PartitionResult::partition)
                .containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(results).allSatisfy(p -> {
            assertThat(p.errorCode()).isZero();
            assertThat(p.startOffset()).isEqualTo(12);
            assertThat(p.stateBatches()).containsExactly(
                    new ReadShareGroupStateResponseData.StateBatch().setFirstOffset(12).setLastOffset(12)
                            .setDeliveryState(StateBatch.AVAILABLE).setDeliveryCount((short) 2),
                    new ReadShareGroupStateResponseData.StateBatch().setFirstOffset(13).setLastOffset(13)
                            .setDeliveryState(StateBatch.ACKNOWLEDGED).setDeliveryCount((short) 1));
        });
        ReadShareGroupStateSummaryResponseData.PartitionResult summary = readSummary(coordinator, "g").results().get(0)
                .partitions().get(0);
        assertThat(summary.startOffset()).isEqualTo(12);
        assertThat(summary.leaderEpoch()).isEqualTo(1);
        assertThat(summary.deliveryCompleteCount()).isEqualTo(1);
    }

    @Test
    void aPartitionNotLedHereAnswersNotCoordinator() throws Exception {
        coordinator.onLeadership(Map.of());
        ReadShareGroupStateRequestData read = new ReadShareGroupStateRequestData().setGroupId("g");
        read.topics().add(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(TOPIC_ID).setPartitions(
                List.of(new ReadShareGroupStateRequestData.PartitionData().setPartition(0).setLeaderEpoch(0))));

        await().atMost(10, TimeUnit.SECONDS).until(() -> coordinator.read(read).get().results().get(0).partitions()
                .get(0).errorCode() == Errors.NOT_COORDINATOR.code());
        assertThat(readSummary(coordinator, "g").results().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NOT_COORDINATOR.code());
    }

    @Test
    void requestsWithoutGroupTopicsOrPartitionsGetAnEmptyAnswer() throws Exception {
        ReadShareGroupStateSummaryRequestData noGroup = new ReadShareGroupStateSummaryRequestData().setGroupId("");
        noGroup.topics().add(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(TOPIC_ID)
                .setPartitions(List.of(new ReadShareGroupStateSummaryRequestData.PartitionData().setPartition(0))));
        assertThat(coordinator.readSummary(noGroup).get(10, TimeUnit.SECONDS).results()).isEmpty();

        ReadShareGroupStateRequestData oneTopicEmpty = new ReadShareGroupStateRequestData().setGroupId("g");
        oneTopicEmpty.topics().add(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(Uuid.ZERO_UUID));
        oneTopicEmpty.topics().add(new ReadShareGroupStateRequestData.ReadStateData().setTopicId(TOPIC_ID)
                .setPartitions(List.of(new ReadShareGroupStateRequestData.PartitionData().setPartition(0))));
        assertThat(coordinator.read(oneTopicEmpty).get(10, TimeUnit.SECONDS).results()).isEmpty();

        assertThat(coordinator.write(new WriteShareGroupStateRequestData().setGroupId("g")).get(10, TimeUnit.SECONDS)
                .results()).isEmpty();

        // InitializeShareGroupState alone answers the other topics when one names no partitions.
        InitializeShareGroupStateRequestData init = new InitializeShareGroupStateRequestData().setGroupId("g");
        init.topics().add(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(Uuid.ZERO_UUID));
        init.topics().add(new InitializeShareGroupStateRequestData.InitializeStateData().setTopicId(TOPIC_ID)
                .setPartitions(List.of(new InitializeShareGroupStateRequestData.PartitionData().setPartition(0)
                        .setStateEpoch(0).setStartOffset(0))));
        assertThat(coordinator.initialize(init).get(10, TimeUnit.SECONDS).results())
                .extracting(InitializeShareGroupStateResponseData.InitializeStateResult::topicId)
                .containsExactly(TOPIC_ID);
    }

    @Test
    void answersAreGatheredByTopicAndPartitionInHashMapOrder() throws Exception {
        Uuid other = new Uuid(0x5EED5EEDL, 0x5EED5EEDL);
        ReadShareGroupStateSummaryRequestData request = new ReadShareGroupStateSummaryRequestData().setGroupId("g");
        request.topics().add(summaryTopic(other, 99, 2147483647));
        request.topics().add(summaryTopic(Uuid.ZERO_UUID, 2, -1, 2));
        request.topics().add(summaryTopic(other, 1));

        List<ReadShareGroupStateSummaryResponseData.ReadStateSummaryResult> results =
                coordinator.readSummary(request).get(10, TimeUnit.SECONDS).results();

        Map<Uuid, Map<Integer, Boolean>> expected = new java.util.HashMap<>();
        request.topics().forEach(t -> t.partitions().forEach(p ->
                expected.computeIfAbsent(t.topicId(), id -> new java.util.HashMap<>()).put(p.partition(), true)));
        assertThat(results).extracting(ReadShareGroupStateSummaryResponseData.ReadStateSummaryResult::topicId)
                .containsExactlyElementsOf(expected.keySet());
        results.forEach(r -> assertThat(r.partitions())
                .extracting(ReadShareGroupStateSummaryResponseData.PartitionResult::partition)
                .as("once each, in the map's order").containsExactlyElementsOf(expected.get(r.topicId()).keySet()));
    }

    private static ReadShareGroupStateSummaryRequestData.ReadStateSummaryData summaryTopic(Uuid topicId,
                                                                                          int... partitions) {
        return new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(topicId).setPartitions(
                IntStream.of(partitions).mapToObj(p -> new ReadShareGroupStateSummaryRequestData.PartitionData()
                        .setPartition(p)).toList());
    }

    private static ReadShareGroupStateSummaryResponseData readSummary(ShareCoordinator coordinator, String groupId) {
        ReadShareGroupStateSummaryRequestData request = new ReadShareGroupStateSummaryRequestData().setGroupId(groupId);
        request.topics().add(new ReadShareGroupStateSummaryRequestData.ReadStateSummaryData().setTopicId(TOPIC_ID)
                .setPartitions(List.of(new ReadShareGroupStateSummaryRequestData.PartitionData().setPartition(0)
                        .setLeaderEpoch(0))));
        return coordinator.readSummary(request).join();
    }
}
