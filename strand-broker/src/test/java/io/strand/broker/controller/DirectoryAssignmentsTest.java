package io.strand.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.common.time.ManualTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.AssignReplicasToDirsRequestData;
import org.apache.kafka.common.message.AssignReplicasToDirsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** AssignReplicasToDirs from the broker's side, one {@code sendPending} at a time against a scripted channel. */
class DirectoryAssignmentsTest {

    private static final Uuid TOPIC = new Uuid(1, 1);
    private static final Uuid DIR_A = new Uuid(5, 501);
    private static final Uuid DIR_B = new Uuid(5, 502);

    private final List<AssignReplicasToDirsRequestData> sent = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<ApiMessage>> answers = new CopyOnWriteArrayList<>();
    private final AtomicLong brokerEpoch = new AtomicLong(-1);
    private final ControllerChannel channel = (api, request) -> {
        assertThat(api).isEqualTo(ApiKeys.ASSIGN_REPLICAS_TO_DIRS);
        sent.add((AssignReplicasToDirsRequestData) request);
        return answers.remove(0);
    };
    private final DirectoryAssignments assignments = new DirectoryAssignments(7, new ManualTime(), channel,
            brokerEpoch::get, 100L, 1_000L);

    @Test
    void nothingIsSentBeforeTheBrokerHasAnEpoch() throws Exception {
        assignments.assign(TOPIC, 0, DIR_A);

        assertThat(assignments.sendPending()).isTrue();

        assertThat(sent).isEmpty();
        assertThat(assignments.pending()).hasSize(1);
    }

    @Test
    void queuedAssignmentsGoAsOneRequestGroupedByDirectoryAndTopic() throws Exception {
        brokerEpoch.set(11);
        assignments.assign(TOPIC, 0, DIR_A);
        assignments.assign(TOPIC, 1, DIR_B);
        assignments.assign(TOPIC, 2, DIR_A);
        answers.add(CompletableFuture.completedFuture(new AssignReplicasToDirsResponseData()));

        assertThat(assignments.sendPending()).isTrue();

        AssignReplicasToDirsRequestData request = sent.get(0);
        assertThat(request.brokerId()).isEqualTo(7);
        assertThat(request.brokerEpoch()).isEqualTo(11);
        assertThat(request.directories()).extracting(AssignReplicasToDirsRequestData.DirectoryData::id)
                .containsExactly(DIR_A, DIR_B);
        assertThat(request.directories().get(0).topics().get(0).partitions())
                .extracting(AssignReplicasToDirsRequestData.PartitionData::partitionIndex).containsExactly(0, 2);
        assertThat(assignments.pending()).isEmpty();
    }

    @Test
    void aFailedRequestIsSentAgainButALaterAssignmentWins() throws Exception {
        brokerEpoch.set(11);
        assignments.assign(TOPIC, 0, DIR_A);
        assignments.assign(TOPIC, 1, DIR_A);
        CompletableFuture<ApiMessage> failing = new CompletableFuture<>();
        answers.add(failing);
        failing.completeExceptionally(new NotControllerException("moving"));
        answers.add(CompletableFuture.completedFuture(new AssignReplicasToDirsResponseData()
                .setErrorCode(Errors.STALE_BROKER_EPOCH.code())));

        assertThat(assignments.sendPending()).isFalse();
        assignments.assign(TOPIC, 1, DIR_B);
        assertThat(assignments.pending()).isEqualTo(Map.of(new DirectoryAssignments.Replica(TOPIC, 0), DIR_A,
                new DirectoryAssignments.Replica(TOPIC, 1), DIR_B));
        assertThat(assignments.sendPending()).isFalse();
        assertThat(assignments.pending()).hasSize(2);
    }

    @Test
    void aPartitionTheControllerRefusesIsDropped() throws Exception {
        brokerEpoch.set(11);
        assignments.assign(TOPIC, 0, DIR_A);
        AssignReplicasToDirsResponseData refused = new AssignReplicasToDirsResponseData();
        refused.directories().add(new AssignReplicasToDirsResponseData.DirectoryData().setId(DIR_A).setTopics(List.of(
                new AssignReplicasToDirsResponseData.TopicData().setTopicId(TOPIC).setPartitions(List.of(
                        new AssignReplicasToDirsResponseData.PartitionData().setPartitionIndex(0)
                                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()))))));
        answers.add(CompletableFuture.completedFuture(refused));

        assertThat(assignments.sendPending()).isTrue();

        assertThat(assignments.pending()).isEmpty();
    }

    @Test
    void theThreadSendsOnceRegisteredAndStopsOnClose() throws Exception {
        answers.add(CompletableFuture.completedFuture(new AssignReplicasToDirsResponseData()));
        assignments.start();
        assignments.assign(TOPIC, 0, DIR_A);
        brokerEpoch.set(11);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> assignments.pending().isEmpty() && sent.size() == 1);
        assignments.close();

        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("strand-directory-assignments-7"));
    }
}
