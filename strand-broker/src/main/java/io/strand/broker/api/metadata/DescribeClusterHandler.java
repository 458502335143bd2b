package io.strand.broker.api.metadata;

import io.strand.broker.api.AuthorizedOperations;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.Endpoint;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.EndpointType;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/**
 * DescribeCluster (v0–2): the cluster id, a controller id and the registered brokers with their
 * endpoint on the listener the request came in on, from the current metadata image.
 *
 * <p>As a Kafka broker does, this node only describes brokers: asking for controllers (v1+) gets
 * MISMATCHED_ENDPOINT_TYPE, an unknown endpoint type UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST at
 * v0). Clients cannot talk to the controller quorum directly: the controller id given is the active
 * controller's (the metadata quorum's leader) when that node is also a broker on this listener, else
 * the lowest registered broker id, as Metadata reports it; any broker forwards controller requests,
 * so either serves the client. As Kafka's broker does, fenced brokers are left out unless the request
 * sets {@code include_fenced_brokers} (v2), which lists them with {@code is_fenced} true; a broker in
 * controlled shutdown is not fenced and stays listed. Answers at once on the event loop; stateless.
 */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    private final Supplier<MetadataImage> image;
    private final IntSupplier activeControllerId;

    /** Reports the lowest registered broker id as controller. */
    public DescribeClusterHandler(Supplier<MetadataImage> image) {
        this(image, () -> -1);
    }

    /** @param activeControllerId the metadata quorum leader's node id, -1 when unknown */
    public DescribeClusterHandler(Supplier<MetadataImage> image, IntSupplier activeControllerId) {
        this.image = image;
        this.activeControllerId = activeControllerId;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeClusterResponseData> handle(RequestContext context, DescribeClusterRequest request) {
        return CompletableFuture.completedFuture(respond(context, request.data()));
    }

    private DescribeClusterResponseData respond(RequestContext context, DescribeClusterRequestData data) {
        EndpointType wanted = EndpointType.fromId(data.endpointType());
        if (wanted == EndpointType.UNKNOWN) {
            return new DescribeClusterResponseData()
                    .setErrorCode(errorAtVersion(context, Errors.UNSUPPORTED_ENDPOINT_TYPE))
                    .setErrorMessage("Unsupported endpoint type " + data.endpointType());
        }
        if (wanted != EndpointType.BROKER) {
            return new DescribeClusterResponseData()
                    .setErrorCode(errorAtVersion(context, Errors.MISMATCHED_ENDPOINT_TYPE))
                    .setErrorMessage("The request was sent to an endpoint of type " + EndpointType.BROKER
                            + ", but we wanted an endpoint of type " + wanted);
        }
        MetadataImage current = image.get();
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setEndpointType(EndpointType.BROKER.id())
                .setClusterId(current.clusterId() == null ? "" : current.clusterId())
                .setClusterAuthorizedOperations(data.includeClusterAuthorizedOperations()
                        ? AuthorizedOperations.CLUSTER : AuthorizedOperations.NOT_REQUESTED);
        for (BrokerRegistration broker : current.brokers().values()) {
            if (broker.fenced() && !data.includeFencedBrokers()) {
                continue;
            }
            Optional<Endpoint> endpoint = broker.endpoint(context.listenerName());
            endpoint.ifPresent(e -> response.brokers().add(new DescribeClusterBroker()
                    .setBrokerId(broker.brokerId()).setHost(e.host()).setPort(e.port()).setRack(broker.rack())
                    .setIsFenced(broker.fenced())));
        }
        int active = activeControllerId.getAsInt();
        boolean activeIsListed = response.brokers().stream().anyMatch(b -> b.brokerId() == active && !b.isFenced());
        response.setControllerId(activeIsListed ? active
                : response.brokers().stream().filter(b -> !b.isFenced())
                        .mapToInt(DescribeClusterBroker::brokerId).min().orElse(-1));
        return response;
    }

    /** The error for a bad endpoint type; v0 had no endpoint-type errors and says INVALID_REQUEST. */
    private static short errorAtVersion(RequestContext context, Errors error) {
        return context.apiVersion() == 0 ? Errors.INVALID_REQUEST.code() : error.code();
    }
}
