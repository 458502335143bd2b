package io.strand.broker.api.produce;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.producer.ProducerIdManager;
import io.strand.coordinator.txn.TransactionCoordinator;
import io.strand.coordinator.txn.TransactionErrors;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId (v0–5). Without a transactional id (an idempotent producer): a fresh producer id at
 * epoch 0, also when a producer asks to bump its epoch after an error (v3+), as Kafka does; while the
 * broker has no producer id at hand (its first block, or the next, still being fetched from the
 * controller) COORDINATOR_LOAD_IN_PROGRESS, for the client to retry, as Kafka answers. With one:
 * the transaction coordinator's answer (fencing, KIP-360 epoch bumps; NOT_COORDINATOR where another
 * broker coordinates the id), PRODUCER_FENCED as INVALID_PRODUCER_EPOCH before v4. In both, a producer
 * id without an epoch or an epoch without a producer id (one of them -1, not both) is INVALID_REQUEST,
 * as Kafka checks before anything else.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {

    /** v6 (two-phase commit, KIP-939) is not implemented, and unstable in kafka-clients. */
    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 5;

    private final ProducerIdManager producerIds;
    private final TransactionCoordinator transactions;

    public InitProducerIdHandler(ProducerIdManager producerIds, TransactionCoordinator transactions) {
        this.producerIds = producerIds;
        this.transactions = transactions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<InitProducerIdResponseData> handle(RequestContext context, InitProducerIdRequest request) {
        String transactionalId = request.data().transactionalId();
        if ((request.data().producerId() == RecordBatch.NO_PRODUCER_ID)
                != (request.data().producerEpoch() == RecordBatch.NO_PRODUCER_EPOCH)) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.INVALID_REQUEST.code()).setProducerId(RecordBatch.NO_PRODUCER_ID)
                    .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
        }
        if (transactionalId != null) {
            short version = context.apiVersion();
            return transactions.initProducerId(transactionalId, request.data().transactionTimeoutMs(),
                    request.data().producerId(), request.data().producerEpoch(), false)
                    .thenApply(result -> new InitProducerIdResponseData()
                            .setErrorCode(TransactionErrors.forClient(ApiKeys.INIT_PRODUCER_ID, version,
                                    result.error()).code())
                            .setProducerId(result.producerId()).setProducerEpoch(result.producerEpoch()));
        }
        long id = producerIds.tryNextProducerId();
        if (id < 0) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()).setProducerId(RecordBatch.NO_PRODUCER_ID)
                    .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
        }
        return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                .setProducerId(id).setProducerEpoch((short) 0));
    }
}
