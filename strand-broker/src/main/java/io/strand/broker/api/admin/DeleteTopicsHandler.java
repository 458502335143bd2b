package io.strand.broker.api.admin;

import io.strand.broker.api.AdminController;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicDeletionDisabledException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/**
 * DeleteTopics (v1–6): forwards to the controller, which resolves names and ids (v6), reports
 * UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID per topic, and removes the topics.
 *
 * <p>Requests before v6 name topics in a plain list; they are handed on as the v6 list of
 * {name, zero id} entries, so the controller reads one shape. With {@code delete.topic.enable=false}
 * the whole request fails as in Kafka: TOPIC_DELETION_DISABLED for every topic from v3, and
 * INVALID_REQUEST before (those clients do not know the newer code). With {@code timeout_ms} ≤ 0 and a
 * topic for the controller to look up, the whole request is REQUEST_TIMED_OUT
 * ({@link ControllerDeadline}).
 *
 * <p>Never blocks: the response completes when the controller's future does.
 */
final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 6;

    private final AdminController controller;
    private final boolean deleteTopicEnable;

    DeleteTopicsHandler(AdminController controller, boolean deleteTopicEnable) {
        this.controller = controller;
        this.deleteTopicEnable = deleteTopicEnable;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DeleteTopicsResponseData> handle(RequestContext context, DeleteTopicsRequest request) {
        if (!deleteTopicEnable) {
            if (request.version() < 3) {
                throw new InvalidRequestException("Topic deletion is disabled.");
            }
            throw new TopicDeletionDisabledException();
        }
        DeleteTopicsRequestData forwarded = request.data().duplicate();
        for (String name : forwarded.topicNames()) {
            forwarded.topics().add(new DeleteTopicState().setName(name).setTopicId(Uuid.ZERO_UUID));
        }
        forwarded.topicNames().clear();
        if (ControllerDeadline.passed(forwarded.timeoutMs()) && asksController(forwarded)) {
            return ControllerDeadline.timedOut(request, forwarded.timeoutMs(), DeleteTopicsResponseData.class);
        }
        return controller.deleteTopics(forwarded);
    }

    /**
     * Whether Kafka's controller would be asked to look anything up: some name (without an id) or
     * some id (without a name) given once. Duplicates and entries naming both or neither are refused
     * before it.
     */
    static boolean asksController(DeleteTopicsRequestData request) {
        Map<Object, Integer> counts = new HashMap<>();
        for (DeleteTopicState topic : request.topics()) {
            boolean byName = topic.name() != null && Uuid.ZERO_UUID.equals(topic.topicId());
            boolean byId = topic.name() == null && !Uuid.ZERO_UUID.equals(topic.topicId());
            if (byName || byId) {
                counts.merge(byName ? topic.name() : topic.topicId(), 1, Integer::sum);
            }
        }
        return counts.containsValue(1);
    }
}
