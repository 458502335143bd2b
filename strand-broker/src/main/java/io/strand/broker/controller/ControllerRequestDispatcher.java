package io.strand.broker.controller;

import io.strand.common.config.GroupConfigs;
import io.strand.metadata.controller.ControllerDefaults;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.quorum.LeaderRequestHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.AssignReplicasToDirsRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;

/**
 * The controller's end of the {@link ControllerChannel}: installed on this node's metadata quorum
 * ({@link io.strand.metadata.quorum.MetadataQuorum#setLeaderRequestHandler}), it reads each request
 * that reached the Raft leader, calls the {@link QuorumController} operation for its API and writes
 * the response data in the request's version.
 *
 * <p>Served: CreateTopics (with this controller's topic defaults), DeleteTopics, CreatePartitions,
 * IncrementalAlterConfigs, AlterConfigs, AllocateProducerIds (blocks of
 * {@link #PRODUCER_ID_BLOCK_SIZE}), BrokerRegistration, BrokerHeartbeat, UnregisterBroker,
 * AlterPartition, AssignReplicasToDirs, ElectLeaders, AlterPartitionReassignments,
 * ListPartitionReassignments, CreateAcls, DeleteAcls, and DescribeQuorum (answered from the metadata quorum's Raft state
 * while this node leads it, else NOT_LEADER_OR_FOLLOWER). Any other API fails with INVALID_REQUEST.
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
    private final GroupConfigs.Bounds groupConfigBounds;
    private final Function<DescribeQuorumRequestData, DescribeQuorumResponseData> quorumDescriber;

    /**
     * @param defaults            partition count and replication factor of topics created without them
     * @param dynamicBrokerConfig which broker properties may be changed at run time
     * @param brokerListConfig    which broker properties are lists (IncrementalAlterConfigs APPEND, SUBTRACT)
     */
    public ControllerRequestDispatcher(QuorumController controller, ControllerDefaults defaults,
                                       Predicate<String> dynamicBrokerConfig, Predicate<String> brokerListConfig) {
        this(controller, defaults, dynamicBrokerConfig, brokerListConfig,
                request -> DescribeQuorumRequest.getPartitionLevelErrorResponse(request,
                        Errors.NOT_LEADER_OR_FOLLOWER));
    }

    /** @param quorumDescriber answers DescribeQuorum from the metadata quorum this controller writes to */
    public ControllerRequestDispatcher(QuorumController controller, ControllerDefaults defaults,
                                       Predicate<String> dynamicBrokerConfig, Predicate<String> brokerListConfig,
                                       Function<DescribeQuorumRequestData, DescribeQuorumResponseData> quorumDescriber) {
        this(controller, defaults, dynamicBrokerConfig, brokerListConfig, GroupConfigs.Bounds.KAFKA_DEFAULTS,
                quorumDescriber);
    }

    /** @param groupConfigBounds what this node's {@code group.*} settings impose on group configs */
    public ControllerRequestDispatcher(QuorumController controller, ControllerDefaults defaults,
                                       Predicate<String> dynamicBrokerConfig, Predicate<String> brokerListConfig,
                                       GroupConfigs.Bounds groupConfigBounds,
                                       Function<DescribeQuorumRequestData, DescribeQuorumResponseData> quorumDescriber) {
        this.groupConfigBounds = groupConfigBounds;
        this.controller = controller;
        this.defaults = defaults;
        this.dynamicBrokerConfig = dynamicBrokerConfig;
        this.brokerListConfig = brokerListConfig;
        this.quorumDescriber = quorumDescriber;
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
        return dispatch(api, apiVersion, request).thenApply(response -> MessageBytes.write(response, apiVersion));
    }

    /** Calls the controller operation of {@code api}. */
    CompletableFuture<? extends ApiMessage> dispatch(ApiKeys api, short apiVersion, ApiMessage request) {
        return switch (api) {
            case CREATE_TOPICS -> controller.createTopics((CreateTopicsRequestData) request, defaults);
            case DELETE_TOPICS -> controller.deleteTopics((DeleteTopicsRequestData) request);
            case CREATE_PARTITIONS -> controller.createPartitions((CreatePartitionsRequestData) request);
            case INCREMENTAL_ALTER_CONFIGS -> controller.incrementalAlterConfigs(
                    (IncrementalAlterConfigsRequestData) request, dynamicBrokerConfig, brokerListConfig,
                    groupConfigBounds);
            case ALTER_CONFIGS -> controller.legacyAlterConfigs((AlterConfigsRequestData) request, dynamicBrokerConfig,
                    groupConfigBounds);
            case ALTER_CLIENT_QUOTAS -> controller.alterClientQuotas((AlterClientQuotasRequestData) request);
            case ALLOCATE_PRODUCER_IDS -> allocateProducerIds((AllocateProducerIdsRequestData) request);
            case ALTER_USER_SCRAM_CREDENTIALS -> controller.alterUserScramCredentials(
                    (AlterUserScramCredentialsRequestData) request);
            case BROKER_REGISTRATION -> controller.registerBroker((BrokerRegistrationRequestData) request);
            case BROKER_HEARTBEAT -> controller.brokerHeartbeat((BrokerHeartbeatRequestData) request);
            case UNREGISTER_BROKER -> controller.unregisterBroker((UnregisterBrokerRequestData) request);
            case ALTER_PARTITION -> controller.alterPartition((AlterPartitionRequestData) request, apiVersion);
            case ASSIGN_REPLICAS_TO_DIRS -> controller.assignReplicasToDirs((AssignReplicasToDirsRequestData) request);
            case ELECT_LEADERS -> controller.electLeaders((ElectLeadersRequestData) request);
            case ALTER_PARTITION_REASSIGNMENTS -> controller.alterPartitionReassignments(
                    (AlterPartitionReassignmentsRequestData) request);
            case LIST_PARTITION_REASSIGNMENTS -> controller.listPartitionReassignments(
                    (ListPartitionReassignmentsRequestData) request);
            case CREATE_ACLS -> controller.createAcls((CreateAclsRequestData) request);
            case DELETE_ACLS -> controller.deleteAcls((DeleteAclsRequestData) request);
            case DESCRIBE_QUORUM -> CompletableFuture.completedFuture(
                    quorumDescriber.apply((DescribeQuorumRequestData) request));
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

    private static short errorCode(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return Errors.forException(cause).code();
    }
}
