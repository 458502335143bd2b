package io.strand.broker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.junit.jupiter.api.Test;

class ElectLeadersHandlerTest {

    private final List<ApiMessage> forwarded = new ArrayList<>();
    private CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
    private final ElectLeadersHandler handler = new ElectLeadersHandler((api, request) -> {
        assertThat(api).isEqualTo(ApiKeys.ELECT_LEADERS);
        forwarded.add(request);
        return answer;
    });

    @Test
    void theRequestGoesToTheControllerAndItsAnswerBack() {
        ElectLeadersRequest request = request(ElectionType.PREFERRED, List.of(new TopicPartition("events", 0)), 2);
        ElectLeadersResponseData controllerAnswer = new ElectLeadersResponseData().setReplicaElectionResults(
                List.of(new ReplicaElectionResult().setTopic("events").setPartitionResult(
                        List.of(new PartitionResult().setPartitionId(0)
                                .setErrorCode(Errors.ELECTION_NOT_NEEDED.code())))));
        answer.complete(controllerAnswer);

        ElectLeadersResponseData response = handler.handle(Requests.context(request), request).join();

        ElectLeadersRequestData sent = (ElectLeadersRequestData) forwarded.get(0);
        assertThat(sent.electionType()).isEqualTo(ElectionType.PREFERRED.value);
        assertThat(sent.topicPartitions()).hasSize(1);
        assertThat(response).isEqualTo(controllerAnswer);
    }

    @Test
    void allPartitionsAreForwardedAsNull() {
        ElectLeadersRequest request = request(ElectionType.UNCLEAN, null, 1);
        answer.complete(new ElectLeadersResponseData());

        handler.handle(Requests.context(request), request).join();

        ElectLeadersRequestData sent = (ElectLeadersRequestData) forwarded.get(0);
        assertThat(sent.topicPartitions()).isNull();
        assertThat(sent.electionType()).isEqualTo(ElectionType.UNCLEAN.value);
    }

    @Test
    void noControllerInTimeFailsEveryPartitionNamedAndTheRequest() {
        ElectLeadersRequest request = request(ElectionType.PREFERRED,
                List.of(new TopicPartition("events", 0), new TopicPartition("events", 1)), 2);
        answer.completeExceptionally(new TimeoutException("no controller"));

        ElectLeadersResponseData response = handler.handle(Requests.context(request), request).join();

        assertThat(response.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
        assertThat(response.replicaElectionResults().get(0).partitionResult())
                .extracting(PartitionResult::errorCode)
                .containsOnly(Errors.REQUEST_TIMED_OUT.code());
    }

    @Test
    void everyVersionCarriesTheResponseOverTheWire() {
        for (short version = 0; version <= 2; version++) {
            answer = new CompletableFuture<>();
            answer.complete(new ElectLeadersResponseData().setReplicaElectionResults(List.of(
                    new ReplicaElectionResult().setTopic("events").setPartitionResult(List.of(
                            new PartitionResult().setPartitionId(0))))));
            ElectLeadersRequest request = request(ElectionType.PREFERRED, List.of(new TopicPartition("events", 0)),
                    version);

            ElectLeadersResponseData read = Requests.overWire(ApiKeys.ELECT_LEADERS,
                    handler.handle(Requests.context(request), request).join(), version);

            assertThat(read.replicaElectionResults()).hasSize(1);
        }
    }

    @Test
    void aTimeoutOfZeroIsRequestTimedOutWithoutTheController() {
        ElectLeadersRequest request = new ElectLeadersRequest.Builder(ElectionType.PREFERRED,
                List.of(new TopicPartition("events", 0)), 0).build((short) 2);

        ElectLeadersResponseData response = handler.handle(Requests.context(request), request).join();

        assertThat(forwarded).isEmpty();
        assertThat(response.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
        assertThat(response.replicaElectionResults().get(0).partitionResult().get(0).errorCode())
                .isEqualTo(Errors.REQUEST_TIMED_OUT.code());
    }

    @Test
    void noPartitionsIsAnsweredAtOnceAndAnUnknownElectionTypeForEveryPartition() {
        ElectLeadersRequest none = request(ElectionType.PREFERRED, List.of(), 2);
        ElectLeadersRequest unknown = request(ElectionType.PREFERRED,
                List.of(new TopicPartition("events", 0), new TopicPartition("events", 1)), 2);
        unknown.data().setElectionType((byte) 3);

        ElectLeadersResponseData nothing = handler.handle(Requests.context(none), none).join();
        ElectLeadersResponseData refused = handler.handle(Requests.context(unknown), unknown).join();

        assertThat(forwarded).isEmpty();
        assertThat(nothing.errorCode()).isZero();
        assertThat(nothing.replicaElectionResults()).isEmpty();
        assertThat(refused.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(refused.replicaElectionResults().get(0).partitionResult()).extracting(PartitionResult::errorCode)
                .containsOnly(Errors.INVALID_REQUEST.code()).hasSize(2);
    }

    private static ElectLeadersRequest request(ElectionType type, List<TopicPartition> partitions, int version) {
        return new ElectLeadersRequest.Builder(type, partitions, 30_000).build((short) version);
    }
}
