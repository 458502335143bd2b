package io.strand.broker.api.group;

import io.strand.broker.group.GroupCoordinatorService;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.share.ShareCoordinatorService;
import io.strand.broker.txn.TransactionCoordinatorService;
import io.strand.coordinator.share.ShareStateKey;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.Endpoint;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

/**
 * FindCoordinator (v0–6; v4+ batches keys): for key type GROUP, the leader of the group's
 * {@code __consumer_offsets} partition, for TRANSACTION the leader of the transactional id's
 * {@code __transaction_state} partition, at its endpoint on the listener the request came in on.
 * While the topic does not exist the answer is COORDINATOR_NOT_AVAILABLE (clients retry) and it is
 * created, once at least its replication factor of brokers are available, as in Kafka. An empty key is
 * a key like any other (Kafka answers its partition's leader). For SHARE (a partition leader looking for a
 * share-partition's coordinator; from v6, and the key must be {@code groupId:topicId:partition}, else
 * INVALID_REQUEST, as Kafka) the leader of the key's {@code __share_group_state} partition. Other key types
 * get INVALID_REQUEST.
 */
final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 6;

    private static final short FIRST_BATCH_VERSION = 4;
    private static final short FIRST_SHARE_KEY_VERSION = 6;

    private final GroupCoordinatorService service;
    private final TransactionCoordinatorService transactions;
    private final ShareCoordinatorService shares;

    /** A handler for groups only: transactional ids get COORDINATOR_NOT_AVAILABLE. */
    FindCoordinatorHandler(GroupCoordinatorService service) {
        this(service, null);
    }

    /** @param transactions null if this broker serves no transactions */
    FindCoordinatorHandler(GroupCoordinatorService service, TransactionCoordinatorService transactions) {
        this(service, transactions, null);
    }

    /** @param shares null if this broker serves no share state (SHARE keys: COORDINATOR_NOT_AVAILABLE) */
    FindCoordinatorHandler(GroupCoordinatorService service, TransactionCoordinatorService transactions,
                           ShareCoordinatorService shares) {
        this.service = service;
        this.transactions = transactions;
        this.shares = shares;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<FindCoordinatorResponseData> handle(RequestContext context, FindCoordinatorRequest request) {
        short version = context.apiVersion();
        byte keyType = request.data().keyType();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (version >= FIRST_BATCH_VERSION) {
            for (String key : request.data().coordinatorKeys()) {
                response.coordinators().add(find(context, keyType, key));
            }
            return CompletableFuture.completedFuture(response);
        }
        Coordinator found = find(context, keyType, request.data().key());
        return CompletableFuture.completedFuture(response.setErrorCode(found.errorCode())
                .setErrorMessage(found.errorMessage()).setNodeId(found.nodeId()).setHost(found.host())
                .setPort(found.port()));
    }

    private Coordinator find(RequestContext context, byte keyType, String key) {
        Coordinator none = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (keyType == CoordinatorType.GROUP.id()) {
            MetadataImage image = service.image();
            return leaderOf(context, none, image, GroupCoordinatorService.OFFSETS_TOPIC,
                    service.coordinator().partitionFor(key), service::maybeCreateOffsetsTopic);
        }
        if (keyType == CoordinatorType.TRANSACTION.id() && transactions != null) {
            MetadataImage image = transactions.image();
            return leaderOf(context, none, image, TransactionCoordinatorService.STATE_TOPIC,
                    transactions.coordinator().partitionFor(key), transactions::maybeCreateStateTopic);
        }
        if (keyType == CoordinatorType.SHARE.id()) {
            Optional<ShareStateKey> shareKey = ShareStateKey.parse(key);
            if (context.apiVersion() < FIRST_SHARE_KEY_VERSION || shareKey.isEmpty()) {
                return none.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Not a share partition key (groupId:topicId:partition): " + key);
            }
            if (shares == null) {
                return unavailable(none, "No share coordinator");
            }
            return leaderOf(context, none, shares.image(), ShareCoordinatorService.STATE_TOPIC,
                    shares.coordinator().partitionFor(key), shares::maybeCreateStateTopic);
        }
        Errors error = keyType == CoordinatorType.TRANSACTION.id() ? Errors.COORDINATOR_NOT_AVAILABLE
                : Errors.INVALID_REQUEST;
        return none.setErrorCode(error.code()).setErrorMessage("No coordinator of key type " + keyType);
    }

    /** The leader of {@code topic}'s {@code partition} at the request's listener, or why there is none. */
    private static Coordinator leaderOf(RequestContext context, Coordinator none, MetadataImage image, String topicName,
                                        int partition, Supplier<Optional<String>> maybeCreate) {
        Optional<TopicImage> topic = image.topics().byName(topicName);
        if (topic.isEmpty()) {
            return unavailable(none, maybeCreate.get().orElse(topicName + " is being created"));
        }
        Optional<PartitionRegistration> registration = topic.get().partition(partition);
        if (registration.isEmpty() || !registration.get().hasLeader()) {
            return unavailable(none, "No leader for " + topicName + "-" + partition);
        }
        int leader = registration.get().leader();
        BrokerRegistration broker = image.brokers().get(leader);
        Optional<Endpoint> endpoint = broker == null ? Optional.empty() : broker.endpoint(context.listenerName());
        if (endpoint.isEmpty()) {
            return unavailable(none, "Broker " + leader + " has no listener " + context.listenerName());
        }
        return none.setErrorCode(Errors.NONE.code()).setErrorMessage(null).setNodeId(leader)
                .setHost(endpoint.get().host()).setPort(endpoint.get().port());
    }

    private static Coordinator unavailable(Coordinator none, String message) {
        return none.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage(message);
    }
}
