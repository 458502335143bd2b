package io.strand.broker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strand.broker.api.FakeController;
import io.strand.broker.api.Requests;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicDeletionDisabledException;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.junit.jupiter.api.Test;

class DeleteTopicsHandlerTest {

    private final FakeController controller = new FakeController();

    @Test
    void namesOfOldVersionsReachTheControllerAsTopicEntries() {
        DeleteTopicsRequest request = new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                .setTopicNames(List.of("a", "b")).setTimeoutMs(30_000)).build((short) 5);

        DeleteTopicsResponseData response = new DeleteTopicsHandler(controller, true)
                .handle(Requests.context(request), request).join();

        DeleteTopicsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.topicNames()).isEmpty();
        assertThat(forwarded.topics()).extracting(DeleteTopicState::name).containsExactly("a", "b");
        assertThat(forwarded.topics()).extracting(DeleteTopicState::topicId).containsOnly(Uuid.ZERO_UUID);
        assertThat(response.responses()).extracting(DeletableTopicResult::name).containsExactly("a", "b");
    }

    @Test
    void topicsByIdAreForwardedAsGiven() {
        Uuid id = Uuid.randomUuid();
        DeleteTopicsRequest request = new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                .setTopics(List.of(new DeleteTopicState().setTopicId(id).setName(null))).setTimeoutMs(30_000))
                .build((short) 6);

        new DeleteTopicsHandler(controller, true).handle(Requests.context(request), request).join();

        DeleteTopicsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.topics()).singleElement().satisfies(t -> {
            assertThat(t.topicId()).isEqualTo(id);
            assertThat(t.name()).isNull();
        });
    }

    @Test
    void disabledDeletionIsTopicDeletionDisabledForEveryTopic() {
        DeleteTopicsRequest request = new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                .setTopicNames(List.of("a", "b"))).build((short) 4);

        Throwable error = catchThrowable(() -> new DeleteTopicsHandler(controller, false)
                .handle(Requests.context(request), request));

        assertThat(error).isInstanceOf(TopicDeletionDisabledException.class);
        DeleteTopicsResponseData response = Requests.errorResponse(request, error);
        assertThat(response.responses()).extracting(DeletableTopicResult::errorCode)
                .containsExactly(Errors.TOPIC_DELETION_DISABLED.code(), Errors.TOPIC_DELETION_DISABLED.code());
        assertThat(controller.requests).isEmpty();
    }

    @Test
    void disabledDeletionAnswersTopicsGivenById() {
        Uuid id = Uuid.randomUuid();
        DeleteTopicsRequest request = new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                .setTopics(List.of(new DeleteTopicState().setTopicId(id).setName(null)))).build((short) 6);

        Throwable error = catchThrowable(() -> new DeleteTopicsHandler(controller, false)
                .handle(Requests.context(request), request));

        DeleteTopicsResponseData response = Requests.overWire(ApiKeys.DELETE_TOPICS,
                Requests.errorResponse(request, error), (short) 6);
        assertThat(response.responses()).singleElement().satisfies(r -> {
            assertThat(r.topicId()).isEqualTo(id);
            assertThat(r.errorCode()).isEqualTo(Errors.TOPIC_DELETION_DISABLED.code());
        });
    }

    @Test
    void disabledDeletionIsInvalidRequestBeforeVersion3() {
        DeleteTopicsRequest request = new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                .setTopicNames(List.of("a"))).build((short) 2);

        Throwable error = catchThrowable(() -> new DeleteTopicsHandler(controller, false)
                .handle(Requests.context(request), request));

        assertThat(error).isInstanceOf(InvalidRequestException.class).hasMessage("Topic deletion is disabled.");
    }

    @Test
    void aTimeoutOfZeroIsRequestTimedOutForEveryTopicWithoutTheController() {
        DeleteTopicsRequest request = new DeleteTopicsRequest.Builder(new DeleteTopicsRequestData()
                .setTopicNames(List.of("a", "b")).setTimeoutMs(0)).build((short) 5);

        DeleteTopicsResponseData response = new DeleteTopicsHandler(controller, true)
                .handle(Requests.context(request), request).join();

        assertThat(response.responses()).extracting(DeletableTopicResult::errorCode)
                .containsOnly(Errors.REQUEST_TIMED_OUT.code()).hasSize(2);
        assertThat(controller.requests).isEmpty();
    }

    @Test
    void onlyTopicsRefusedBeforeTheControllerAreNotTimedOut() {
        // A name given twice, an entry with both a name and an id, one with neither: Kafka refuses each
        // before asking its controller anything, so there is no deadline to miss.
        DeleteTopicsRequestData twice = new DeleteTopicsRequestData().setTopics(List.of(
                new DeleteTopicState().setName("a").setTopicId(Uuid.ZERO_UUID),
                new DeleteTopicState().setName("a").setTopicId(Uuid.ZERO_UUID),
                new DeleteTopicState().setName("b").setTopicId(Uuid.randomUuid()),
                new DeleteTopicState().setName(null).setTopicId(Uuid.ZERO_UUID)));
        DeleteTopicsRequestData once = twice.duplicate();
        once.topics().add(new DeleteTopicState().setName("c").setTopicId(Uuid.ZERO_UUID));

        assertThat(DeleteTopicsHandler.asksController(twice)).isFalse();
        assertThat(DeleteTopicsHandler.asksController(once)).isTrue();
    }
}
