package io.strand.broker.api.txn;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.txn.TransactionCoordinator;
import io.strand.coordinator.txn.TransactionErrors;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;

/**
 * AddOffsetsToTxn (v0–4): adds the {@code __consumer_offsets} partition of the group to the transaction,
 * so the group's TxnOffsetCommits are committed or aborted with it. The group id is not checked: an
 * empty one names a partition like any other, as Kafka's {@code KafkaApis} answers it (no
 * INVALID_GROUP_ID). PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2.
 */
final class AddOffsetsToTxnHandler implements ApiHandler<AddOffsetsToTxnRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 4;

    private final TransactionCoordinator coordinator;

    AddOffsetsToTxnHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<AddOffsetsToTxnResponseData> handle(RequestContext context, AddOffsetsToTxnRequest request) {
        String groupId = request.data().groupId();
        short version = context.apiVersion();
        return coordinator.addOffsetsToTxn(request.data().transactionalId(), request.data().producerId(),
                        request.data().producerEpoch(), groupId)
                .thenApply(error -> new AddOffsetsToTxnResponseData().setErrorCode(
                        TransactionErrors.forClient(ApiKeys.ADD_OFFSETS_TO_TXN, version, error).code()));
    }
}
