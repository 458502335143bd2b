package io.strand.broker.api.admin;

import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ElectLeadersRequest;

/**
 * ElectLeaders (v0–2, as Kafka 4.3 advertises): forwarded as it is to the active controller through
 * the {@link ControllerChannel}, as Kafka's brokers forward it; the controller elects preferred or
 * unclean leaders and answers per partition (with no partitions named, every partition is tried and
 * ELECTION_NOT_NEEDED is left out). v0 carries no election type and means PREFERRED, which the
 * request data's default already says.
 *
 * <p>As Kafka answers before its controller starts: no partitions named (an empty list, not null)
 * is answered at once with no results; {@code timeout_ms} ≤ 0 is REQUEST_TIMED_OUT for the whole
 * request ({@link ControllerDeadline}); an unknown election type is INVALID_REQUEST for the whole
 * request, every partition named included.
 *
 * <p>When the request as a whole fails (no active controller in time, the channel closed), every
 * partition named gets that error, and from v1 the top-level error too, as Kafka's error response
 * does. Never blocks: the response completes when the controller's future does.
 */
public final class ElectLeadersHandler implements ApiHandler<ElectLeadersRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    private final ControllerChannel controller;

    public ElectLeadersHandler(ControllerChannel controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ELECT_LEADERS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ElectLeadersResponseData> handle(RequestContext context, ElectLeadersRequest request) {
        ElectLeadersRequestData data = request.data();
        if (data.topicPartitions() != null && data.topicPartitions().isEmpty()) {
            return CompletableFuture.completedFuture(new ElectLeadersResponseData()); // nothing to elect
        }
        if (ControllerDeadline.passed(data.timeoutMs())) {
            return ControllerDeadline.timedOut(request, data.timeoutMs(), ElectLeadersResponseData.class);
        }
        try {
            ElectionType.valueOf(data.electionType());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture((ElectLeadersResponseData) request.getErrorResponse(0,
                    new InvalidRequestException("Unknown election type " + data.electionType())).data());
        }
        return controller.forward(request, ElectLeadersResponseData.class);
    }
}
