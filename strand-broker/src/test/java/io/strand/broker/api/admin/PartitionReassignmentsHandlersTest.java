package io.strand.broker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.junit.jupiter.api.Test;

/** AlterPartitionReassignments and ListPartitionReassignments go to the controller as they came and its answer back. */
class PartitionReassignmentsHandlersTest {

    private final List<ApiMessage> forwarded = new ArrayList<>();
    private final List<ApiKeys> apis = new ArrayList<>();
    private CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
    private final AlterPartitionReassignmentsHandler alter = new AlterPartitionReassignmentsHandler(this::send);
    private final ListPartitionReassignmentsHandler list = new ListPartitionReassignmentsHandler(this::send);

    private CompletableFuture<ApiMessage> send(ApiKeys api, ApiMessage request) {
        apis.add(api);
        forwarded.add(request);
        return answer;
    }

    private static AlterPartitionReassignmentsRequest alterRequest(int version, boolean allowRfChange,
                                                                   ReassignablePartition... partitions) {
        AlterPartitionReassignmentsRequestData data = new AlterPartitionReassignmentsRequestData()
                .setAllowReplicationFactorChange(allowRfChange);
        data.topics().add(new ReassignableTopic().setName("events").setPartitions(new ArrayList<>(Arrays.asList(partitions))));
        return new AlterPartitionReassignmentsRequest.Builder(data).build((short) version);
    }

    @Test
    void targetsAndCancelsGoToTheControllerAsTheyCame() {
        AlterPartitionReassignmentsRequest request = alterRequest(1, false,
                new ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(2, 3)),
                new ReassignablePartition().setPartitionIndex(1).setReplicas(null));
        AlterPartitionReassignmentsResponseData controllerAnswer = new AlterPartitionReassignmentsResponseData()
                .setResponses(List.of(new ReassignableTopicResponse().setName("events").setPartitions(List.of(
                        new ReassignablePartitionResponse().setPartitionIndex(0),
                        new ReassignablePartitionResponse().setPartitionIndex(1)
                                .setErrorCode(Errors.NO_REASSIGNMENT_IN_PROGRESS.code())))));
        answer.complete(controllerAnswer);

        AlterPartitionReassignmentsResponseData response = alter.handle(Requests.context(request), request).join();

        assertThat(apis).containsExactly(ApiKeys.ALTER_PARTITION_REASSIGNMENTS);
        AlterPartitionReassignmentsRequestData sent = (AlterPartitionReassignmentsRequestData) forwarded.get(0);
        assertThat(sent.allowReplicationFactorChange()).isFalse();
        assertThat(sent.topics().get(0).partitions().get(0).replicas()).containsExactly(2, 3);
        assertThat(sent.topics().get(0).partitions().get(1).replicas()).isNull();
        assertThat(response).isEqualTo(controllerAnswer);
    }

    @Test
    void versionZeroAllowsAReplicationFactorChange() {
        AlterPartitionReassignmentsRequest request = alterRequest(0, true,
                new ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(1, 2, 3)));
        answer.complete(new AlterPartitionReassignmentsResponseData());

        alter.handle(Requests.context(request), request).join();

        assertThat(((AlterPartitionReassignmentsRequestData) forwarded.get(0)).allowReplicationFactorChange()).isTrue();
    }

    @Test
    void nonsenseIsForwardedForTheControllerToRefuseEachPartition() {
        // Negative indexes, negative and repeated broker ids, an empty target: the controller's to judge
        // per partition (UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT); the handler neither
        // fails nor drops any of them.
        AlterPartitionReassignmentsRequest request = alterRequest(1, true,
                new ReassignablePartition().setPartitionIndex(-1).setReplicas(List.of(1)),
                new ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(-5, -5)),
                new ReassignablePartition().setPartitionIndex(Integer.MAX_VALUE).setReplicas(List.of()));
        answer.complete(new AlterPartitionReassignmentsResponseData());

        alter.handle(Requests.context(request), request).join();

        assertThat(((AlterPartitionReassignmentsRequestData) forwarded.get(0)).topics().get(0).partitions())
                .extracting(ReassignablePartition::partitionIndex).containsExactly(-1, 0, Integer.MAX_VALUE);
    }

    @Test
    void noControllerInTimeFailsEveryPartitionAndTheRequest() {
        AlterPartitionReassignmentsRequest request = alterRequest(1, true,
                new ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(2)),
                new ReassignablePartition().setPartitionIndex(1).setReplicas(List.of(3)));
        answer.completeExceptionally(new TimeoutException("no controller"));

        AlterPartitionReassignmentsResponseData response = alter.handle(Requests.context(request), request).join();

        assertThat(response.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
        assertThat(response.responses().get(0).partitions()).extracting(ReassignablePartitionResponse::errorCode)
                .containsOnly(Errors.REQUEST_TIMED_OUT.code());
    }

    @Test
    void everyVersionCarriesTheAlterResponseOverTheWire() {
        for (short version = AlterPartitionReassignmentsHandler.MIN_VERSION;
             version <= AlterPartitionReassignmentsHandler.MAX_VERSION; version++) {
            answer = CompletableFuture.completedFuture(new AlterPartitionReassignmentsResponseData().setResponses(
                    List.of(new ReassignableTopicResponse().setName("events").setPartitions(List.of(
                            new ReassignablePartitionResponse().setPartitionIndex(0)
                                    .setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code()).setErrorMessage("no"))))));
            AlterPartitionReassignmentsRequest request = alterRequest(version, true,
                    new ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(9)));

            AlterPartitionReassignmentsResponseData read = Requests.overWire(ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                    alter.handle(Requests.context(request), request).join(), version);

            assertThat(read.responses().get(0).partitions().get(0).errorCode())
                    .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        }
    }

    @Test
    void listingAllOrNamedPartitionsGoesToTheControllerAndComesBackOverTheWire() {
        ListPartitionReassignmentsResponseData controllerAnswer = new ListPartitionReassignmentsResponseData()
                .setTopics(List.of(new OngoingTopicReassignment().setName("events").setPartitions(List.of(
                        new OngoingPartitionReassignment().setPartitionIndex(0).setReplicas(List.of(2, 3, 1))
                                .setAddingReplicas(List.of(3)).setRemovingReplicas(List.of(1))))));
        answer.complete(controllerAnswer);
        ListPartitionReassignmentsRequest all = new ListPartitionReassignmentsRequest.Builder(
                new ListPartitionReassignmentsRequestData().setTopics(null)).build((short) 0);

        ListPartitionReassignmentsResponseData read = Requests.overWire(ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                list.handle(Requests.context(all), all).join(), (short) 0);

        assertThat(apis).containsExactly(ApiKeys.LIST_PARTITION_REASSIGNMENTS);
        assertThat(((ListPartitionReassignmentsRequestData) forwarded.get(0)).topics()).isNull();
        assertThat(read).isEqualTo(controllerAnswer);
    }

    @Test
    void listingWithoutAControllerAnswersItsError() {
        answer.completeExceptionally(new NotControllerException("closed"));
        ListPartitionReassignmentsRequest request = new ListPartitionReassignmentsRequest.Builder(
                new ListPartitionReassignmentsRequestData().setTopics(List.of(
                        new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics().setName("events")
                                .setPartitionIndexes(List.of(0))))).build((short) 0);

        ListPartitionReassignmentsResponseData response = list.handle(Requests.context(request), request).join();

        assertThat(response.errorCode()).isEqualTo(Errors.NOT_CONTROLLER.code());
        assertThat(response.topics()).flatExtracting(OngoingTopicReassignment::partitions).allSatisfy(p -> {
            assertThat(p.replicas()).isEmpty();
            assertThat(p.addingReplicas()).isEmpty();
        });
    }
}
