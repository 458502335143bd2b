package io.strand.broker.api.produce;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.producer.ProducerIdManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId (v0–5) for idempotent producers: a fresh producer id at epoch 0, also when a
 * producer asks to bump its epoch after an error (v3+), as Kafka does without a transactional id.
 * Transactional ids need the transaction coordinator, which Strand does not have yet: they get
 * COORDINATOR_NOT_AVAILABLE.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {

    /** v6 (two-phase commit, KIP-939) is not implemented, and unstable in kafka-clients. */
    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 5;

    private final ProducerIdManager producerIds;

    public InitProducerIdHandler(ProducerIdManager producerIds) {
        this.producerIds = producerIds;
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
        if (request.data().transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setProducerId(-1).setProducerEpoch((short) -1));
        }
        return producerIds.nextProducerId().thenApply(id -> new InitProducerIdResponseData()
                .setProducerId(id).setProducerEpoch((short) 0));
    }
}
