package io.strand.broker.api.txn;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.txn.TransactionCoordinator;
import io.strand.coordinator.txn.TransactionErrors;
import io.strand.coordinator.txn.TransactionVersions;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.TransactionResult;

/**
 * EndTxn (v0–5): commits or aborts, answered once the decision is durable in
 * {@code __transaction_state} (the markers follow). v5 is transactions v2 (KIP-890): the answer carries
 * the producer id and epoch to continue with. PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2.
 */
final class EndTxnHandler implements ApiHandler<EndTxnRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 5;

    private final TransactionCoordinator coordinator;

    EndTxnHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.END_TXN;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<EndTxnResponseData> handle(RequestContext context, EndTxnRequest request) {
        short version = context.apiVersion();
        TransactionResult result = TransactionResult.forId(request.data().committed());
        return coordinator.endTxn(request.data().transactionalId(), request.data().producerId(),
                        request.data().producerEpoch(), result, TransactionVersions.forEndTxnVersion(version))
                .thenApply(answer -> new EndTxnResponseData()
                        .setErrorCode(TransactionErrors.forClient(ApiKeys.END_TXN, version, answer.error()).code())
                        .setProducerId(answer.producerId()).setProducerEpoch(answer.producerEpoch()));
    }
}
