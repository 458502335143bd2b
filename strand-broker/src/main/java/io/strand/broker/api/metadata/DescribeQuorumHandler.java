package io.strand.broker.api.metadata;

import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.TopicData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeQuorumRequest;

/**
 * DescribeQuorum (v0–2, as Kafka 4.3 advertises) on every broker: forwarded through the
 * {@link ControllerChannel} to the active controller, whose node leads the metadata quorum and
 * describes it from its Raft state (see {@code io.strand.metadata.quorum.QuorumDescription}): leader,
 * term as leader epoch, high watermark, voters' progress and, from v2, the voters' endpoints. A
 * Kafka broker forwards it to the controller likewise; a follower's own view would lack the voters'
 * progress, which only the leader has.
 *
 * <p>Fields a version does not carry are cleared before answering: below v2 the nodes and error
 * messages. When the request as a whole fails (no active controller in time, the channel closed)
 * the answer is that top-level error, as Kafka's error response is. Never blocks.
 */
public final class DescribeQuorumHandler implements ApiHandler<DescribeQuorumRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    private static final short FIRST_NODES_VERSION = 2;

    private final ControllerChannel controller;

    public DescribeQuorumHandler(ControllerChannel controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_QUORUM;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeQuorumResponseData> handle(RequestContext context,
                                                                DescribeQuorumRequest request) {
        return controller.forward(request, DescribeQuorumResponseData.class)
                .thenApply(response -> forVersion(response, request.version()));
    }

    private static DescribeQuorumResponseData forVersion(DescribeQuorumResponseData response, short version) {
        if (version < FIRST_NODES_VERSION) {
            response.nodes().clear();
            response.setErrorMessage(null);
            for (TopicData topic : response.topics()) {
                for (PartitionData partition : topic.partitions()) {
                    partition.setErrorMessage(null);
                }
            }
        }
        return response;
    }
}
