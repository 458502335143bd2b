package io.strand.broker.api.admin;

import io.strand.broker.api.AdminController;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

/**
 * CreatePartitions (v0–3): forwards to the controller, which validates each topic's new count and
 * assignment (or only validates, for {@code validate_only}) and adds the partitions.
 *
 * <p>As Kafka's API layer does, a topic named twice is not forwarded and gets INVALID_REQUEST
 * ("Duplicate topic name.") once. With {@code timeout_ms} ≤ 0 and a topic left to forward, the whole
 * request is REQUEST_TIMED_OUT ({@link ControllerDeadline}). Never blocks: the response completes when the controller's future
 * does.
 */
final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 3;

    private final AdminController controller;

    CreatePartitionsHandler(AdminController controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<CreatePartitionsResponseData> handle(RequestContext context,
                                                                  CreatePartitionsRequest request) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (CreatePartitionsTopic topic : request.data().topics()) {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        }
        CreatePartitionsRequestData forwarded = request.data().duplicate();
        for (Iterator<CreatePartitionsTopic> it = forwarded.topics().iterator(); it.hasNext(); ) {
            if (duplicates.contains(it.next().name())) {
                it.remove();
            }
        }
        if (!forwarded.topics().isEmpty() && ControllerDeadline.passed(forwarded.timeoutMs())) {
            return ControllerDeadline.timedOut(request, forwarded.timeoutMs(), CreatePartitionsResponseData.class);
        }
        CompletableFuture<CreatePartitionsResponseData> created = forwarded.topics().isEmpty()
                ? CompletableFuture.completedFuture(new CreatePartitionsResponseData())
                : controller.createPartitions(forwarded);
        return created.thenApply(response -> {
            for (String name : duplicates) {
                response.results().add(new CreatePartitionsTopicResult().setName(name)
                        .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Duplicate topic name."));
            }
            return response;
        });
    }
}
