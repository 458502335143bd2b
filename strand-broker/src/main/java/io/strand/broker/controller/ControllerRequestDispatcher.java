package io.strand.broker.controller;

import io.strand.metadata.controller.ControllerDefaults;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.quorum.LeaderRequestHandler;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * The controller's end of the {@link ControllerChannel}: installed on this node's metadata quorum
 * ({@link io.strand.metadata.quorum.MetadataQuorum#setLeaderRequestHandler}), it reads each request
 * that reached the Raft leader, calls the {@link QuorumController} operation for its API and writes
 * the response data in the request's version.
 *
 * <p>Served: CreateTopics (with this controller's topic defaults), DeleteTopics, CreatePartitions,
 * IncrementalAlterConfigs, AlterConfigs, AllocateProducerIds (blocks of
 * {@link #PRODUCER_ID_BLOCK_SIZE}) and BrokerRegistration (through today's
 * {@code registerBroker(RegisterBrokerRecord)}). BrokerHeartbeat, AlterPartition and ElectLeaders
 * are seams: they answer UNSUPPORTED_VERSION until the controller has operations for them (see
 * {@link #dispatch}). Any other API fails with INVALID_REQUEST.
 *
 * <p>Thread-safe and stateless: it runs on the Ratis thread that received the request and only
 * enqueues on the controller, whose thread completes the answer.
 */
public final class ControllerRequestDispatcher implements LeaderRequestHandler {

    /** Producer ids handed out per AllocateProducerIds, Kafka's {@code ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE}. */
    public static final int PRODUCER_ID_BLOCK_SIZE = 1000;

    private final QuorumController controller;
    private final ControllerDefaults defaults;
    private final Predicate<String> dynamicBrokerConfig;
    private final Predicate<String> brokerListConfig;

    /**
     * @param defaults            partition count and replication factor of topics created without them
     * @param dynamicBrokerConfig which broker properties may be changed at run time
     * @param brokerListConfig    which broker properties are lists (IncrementalAlterConfigs APPEND, SUBTRACT)
     */
    public ControllerRequestDispatcher(QuorumController controller, ControllerDefaults defaults,
                                       Predicate<String> dynamicBrokerConfig, Predicate<String> brokerListConfig) {
        this.controller = controller;
        this.defaults = defaults;
        this.dynamicBrokerConfig = dynamicBrokerConfig;
        this.brokerListConfig = brokerListConfig;
    }

    @Override
    public CompletableFuture<ByteBuffer> handle(short apiKey, short apiVersion, ByteBuffer requestData) {
        if (!ApiKeys.hasId(apiKey)) {
            return CompletableFuture.failedFuture(new InvalidRequestException("Unknown API key " + apiKey));
        }
        ApiKeys api = ApiKeys.forId(apiKey);
        if (!api.isVersionSupported(apiVersion)) {
            return CompletableFuture.failedFuture(new UnsupportedVersionException(
                    "Unsupported version " + apiVersion + " of " + api));
        }
        ApiMessage request = ApiMessageType.fromApiKey(apiKey).newRequest();
        try {
            request.read(new ByteBufferAccessor(requestData), apiVersion);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new InvalidRequestException("Unreadable " + api + " v" + apiVersion
                    + " request data: " + e.getMessage()));
        }
        return dispatch(api, request).thenApply(response -> MessageBytes.write(response, apiVersion));
    }

    /** Calls the controller operation of {@code api}. */
    CompletableFuture<? extends ApiMessage> dispatch(ApiKeys api, ApiMessage request) {
        return switch (api) {
            case CREATE_TOPICS -> controller.createTopics((CreateTopicsRequestData) request, defaults);
            case DELETE_TOPICS -> controller.deleteTopics((DeleteTopicsRequestData) request);
            case CREATE_PARTITIONS -> controller.createPartitions((CreatePartitionsRequestData) request);
            case INCREMENTAL_ALTER_CONFIGS -> controller.incrementalAlterConfigs(
                    (IncrementalAlterConfigsRequestData) request, dynamicBrokerConfig, brokerListConfig);
            case ALTER_CONFIGS -> controller.legacyAlterConfigs((AlterConfigsRequestData) request, dynamicBrokerConfig);
            case ALLOCATE_PRODUCER_IDS -> allocateProducerIds((AllocateProducerIdsRequestData) request);
            // Seam: becomes controller.registerBroker(BrokerRegistrationRequestData), which answers
            // with the broker epoch, once the controller has it.
            case BROKER_REGISTRATION -> registerBroker((BrokerRegistrationRequestData) request);
            // Seams: controller.brokerHeartbeat(BrokerHeartbeatRequestData),
            // controller.alterPartition(AlterPartitionRequestData, version) and
            // controller.electLeaders(ElectLeadersRequestData) answer these once the controller has them.
            case BROKER_HEARTBEAT, ALTER_PARTITION, ELECT_LEADERS -> CompletableFuture.failedFuture(
                    new UnsupportedVersionException("The controller does not serve " + api + " yet"));
            default -> CompletableFuture.failedFuture(
                    new InvalidRequestException("Not a broker-to-controller request: " + api));
        };
    }

    private CompletableFuture<AllocateProducerIdsResponseData> allocateProducerIds(
            AllocateProducerIdsRequestData request) {
        return controller.allocateProducerIds(request.brokerId(), PRODUCER_ID_BLOCK_SIZE).handle((first, error) ->
                error == null
                        ? new AllocateProducerIdsResponseData().setProducerIdStart(first)
                                .setProducerIdLen(PRODUCER_ID_BLOCK_SIZE)
                        : new AllocateProducerIdsResponseData().setErrorCode(errorCode(error)));
    }

    /**
     * Today's registration: the broker's endpoints and rack go into a {@code RegisterBrokerRecord}.
     * There is no broker epoch yet; the answer carries -1.
     */
    private CompletableFuture<BrokerRegistrationResponseData> registerBroker(BrokerRegistrationRequestData request) {
        RegisterBrokerRecord record;
        try {
            record = registerBrokerRecord(request);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(
                    new BrokerRegistrationResponseData().setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        return controller.registerBroker(record).handle((done, error) -> new BrokerRegistrationResponseData()
                .setErrorCode(error == null ? Errors.NONE.code() : errorCode(error))
                .setBrokerEpoch(-1));
    }

    static RegisterBrokerRecord registerBrokerRecord(BrokerRegistrationRequestData request) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (BrokerRegistrationRequestData.Listener listener : request.listeners()) {
            endpoints.add(new Endpoint(listener.name(), listener.host(), listener.port(),
                    SecurityProtocol.forId(listener.securityProtocol()).name));
        }
        return new RegisterBrokerRecord(request.brokerId(), request.incarnationId(), endpoints, request.rack());
    }

    private static short errorCode(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return Errors.forException(cause).code();
    }
}
