package io.strand.broker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.strand.broker.api.FakeController;
import io.strand.broker.api.Requests;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.junit.jupiter.api.Test;

class CreatePartitionsHandlerTest {

    private final FakeController controller = new FakeController();
    private final CreatePartitionsHandler handler = new CreatePartitionsHandler(controller);

    @Test
    void topicsAreForwardedWithTheirCountsAndValidateOnly() {
        CreatePartitionsResponseData response = handle(request(true, topic("a", 4), topic("b", 2)), 3);

        CreatePartitionsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.validateOnly()).isTrue();
        assertThat(forwarded.topics()).extracting(CreatePartitionsTopic::name, CreatePartitionsTopic::count)
                .containsExactly(tuple("a", 4), tuple("b", 2));
        assertThat(response.results()).extracting(CreatePartitionsTopicResult::name).containsExactly("a", "b");
    }

    @Test
    void topicNamedTwiceIsNotForwardedAndRejectedOnce() {
        CreatePartitionsResponseData response = handle(request(false, topic("a", 4), topic("b", 2), topic("a", 5)), 3);

        CreatePartitionsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.topics()).extracting(CreatePartitionsTopic::name).containsExactly("b");
        assertThat(response.results()).extracting(CreatePartitionsTopicResult::name).containsExactly("b", "a");
        CreatePartitionsTopicResult duplicate = response.results().get(1);
        assertThat(duplicate.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(duplicate.errorMessage()).isEqualTo("Duplicate topic name.");
    }

    @Test
    void onlyDuplicatesMeansNoControllerCall() {
        handle(request(false, topic("a", 4), topic("a", 5)), 0);

        assertThat(controller.requests).isEmpty();
    }

    @Test
    void everyVersionCarriesTheResponseOverTheWire() {
        for (short version = 0; version <= 3; version++) {
            CreatePartitionsResponseData read = Requests.overWire(ApiKeys.CREATE_PARTITIONS,
                    handle(request(false, topic("a", 4), topic("a", 4)), version), version);
            assertThat(read.results()).singleElement()
                    .satisfies(r -> assertThat(r.errorMessage()).isEqualTo("Duplicate topic name."));
        }
    }

    private CreatePartitionsResponseData handle(CreatePartitionsRequestData data, int version) {
        CreatePartitionsRequest request = new CreatePartitionsRequest.Builder(data).build((short) version);
        return handler.handle(Requests.context(request), request).join();
    }

    private static CreatePartitionsRequestData request(boolean validateOnly, CreatePartitionsTopic... topics) {
        CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(30_000)
                .setValidateOnly(validateOnly);
        for (CreatePartitionsTopic topic : topics) {
            data.topics().add(topic);
        }
        return data;
    }

    private static CreatePartitionsTopic topic(String name, int count) {
        return new CreatePartitionsTopic().setName(name).setCount(count).setAssignments(null);
    }
}
