package io.strand.broker.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.api.TestImages;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.txn.BrokerRequestSender;
import io.strand.common.time.ManualTime;
import io.strand.coordinator.share.ShareCoordinatorConfig;
import io.strand.coordinator.share.StateBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.message.WriteShareGroupStateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The persister of a broker that does not lead the state's partition: requests to the leader, answers mapped. */
class CoordinatorSharePersisterTest {

    private static final int NODE_ID = 1;
    private static final int COORDINATOR_NODE = 2;
    private static final TopicIdPartition TIP = new TopicIdPartition(Uuid.randomUuid(), 0, "t");

    /** A request the persister sent, and the answer the test gives it. */
    private record Sent(int brokerId, ApiKeys api, ApiMessage request) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final Queue<ApiMessage> answers = new ArrayDeque<>();
    private final BrokerRequestSender sender = new BrokerRequestSender() {
        @Override
        public synchronized CompletableFuture<ApiMessage> send(int brokerId, ApiKeys api, short minVersion,
                                                               Function<Short, ApiMessage> request) {
            sent.add(new Sent(brokerId, api, request.apply(minVersion)));
            return CompletableFuture.completedFuture(answers.remove());
        }
    };
    private final ShareCoordinatorService service = new ShareCoordinatorService(NODE_ID,
            ShareCoordinatorConfig.from(Map.of(ShareCoordinatorConfig.STATE_TOPIC_PARTITIONS, "1")),
            new ReplicaManager(NODE_ID, null, null), new ManualTime());
    private final CoordinatorSharePersister persister = new CoordinatorSharePersister(service, sender, new ManualTime());

    CoordinatorSharePersisterTest() {
        service.start(request -> new CompletableFuture<>(), TestImages.builder().broker(NODE_ID).broker(COORDINATOR_NODE)
                .topic(Topic.SHARE_GROUP_STATE_TOPIC_NAME, 1, COORDINATOR_NODE).build());
    }

    @AfterEach
    void close() {
        persister.close();
        service.close();
    }

    @Test
    void aWriteGoesToTheCoordinatorsBrokerAndItsAnswerIsTheOutcome() {
        answers.add(writeAnswer(Errors.FENCED_LEADER_EPOCH));

        Errors outcome = persister.write("g", TIP, 0, 3, 12, 1,
                List.of(new StateBatch(12, 13, StateBatch.AVAILABLE, (short) 2))).join();

        assertThat(outcome).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.brokerId()).isEqualTo(COORDINATOR_NODE);
            assertThat(s.api()).isEqualTo(ApiKeys.WRITE_SHARE_GROUP_STATE);
            WriteShareGroupStateRequestData.PartitionData p = ((WriteShareGroupStateRequestData) s.request()).topics()
                    .get(0).partitions().get(0);
            assertThat(p.leaderEpoch()).isEqualTo(3);
            assertThat(p.startOffset()).isEqualTo(12);
            assertThat(p.stateBatches()).singleElement().satisfies(b -> assertThat(b.deliveryCount()).isEqualTo((short) 2));
        });
    }

    @Test
    void aReadIsTriedAgainWhileTheCoordinatorLoadsAndAStateNeverInitializedReadsAsSuch() throws Exception {
        readAnswer(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        readAnswer(Errors.NONE).setStartOffset(7).setStateEpoch(1);

        SharePersister.PersistedState state = persister.read("g", TIP, 0).get(5, TimeUnit.SECONDS);

        assertThat(sent).hasSize(2).allSatisfy(s -> assertThat(s.api()).isEqualTo(ApiKeys.READ_SHARE_GROUP_STATE));
        assertThat(((ReadShareGroupStateRequestData) sent.get(0).request()).topics().get(0).topicId())
                .isEqualTo(TIP.topicId());
        assertThat(state).isEqualTo(new SharePersister.PersistedState(1, 7, List.of()));

        readAnswer(Errors.INVALID_REQUEST);
        assertThat(persister.read("g", TIP, 0).join()).isEqualTo(SharePersister.PersistedState.UNINITIALIZED);
        readAnswer(Errors.FENCED_LEADER_EPOCH);
        assertThatThrownBy(() -> persister.read("g", TIP, 0).join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(FencedLeaderEpochException.class);
    }

    private static WriteShareGroupStateResponseData writeAnswer(Errors error) {
        WriteShareGroupStateResponseData response = new WriteShareGroupStateResponseData();
        response.results().add(new WriteShareGroupStateResponseData.WriteStateResult().setTopicId(TIP.topicId())
                .setPartitions(List.of(new WriteShareGroupStateResponseData.PartitionResult().setPartition(0)
                        .setErrorCode(error.code()))));
        return response;
    }

    /** Queues a read answer and returns its one partition result, for the caller to fill in. */
    private ReadShareGroupStateResponseData.PartitionResult readAnswer(Errors error) {
        ReadShareGroupStateResponseData.PartitionResult partition = new ReadShareGroupStateResponseData.PartitionResult()
                .setPartition(0).setErrorCode(error.code());
        ReadShareGroupStateResponseData response = new ReadShareGroupStateResponseData();
        response.results().add(new ReadShareGroupStateResponseData.ReadStateResult().setTopicId(TIP.topicId())
                .setPartitions(List.of(partition)));
        answers.add(response);
        return partition;
    }
}
