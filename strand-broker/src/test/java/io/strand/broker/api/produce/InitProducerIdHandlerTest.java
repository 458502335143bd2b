package io.strand.broker.api.produce;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.broker.producer.ProducerIdManager;
import io.strand.broker.replica.ReplicaManager;
import io.strand.broker.txn.TransactionCoordinatorService;
import io.strand.coordinator.txn.TransactionCoordinatorConfig;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InitProducerIdHandlerTest {

    private static final int NODE_ID = 1;

    private final TransactionCoordinatorService transactions = new TransactionCoordinatorService(NODE_ID,
            TransactionCoordinatorConfig.from(Map.of(TransactionCoordinatorConfig.STATE_LOG_PARTITIONS, "2")),
            new ReplicaManager(NODE_ID, null, null), () -> 1L, (markers, completion) -> { }, group -> 0, Time.SYSTEM);
    private final InitProducerIdHandler handler = new InitProducerIdHandler(
            new ProducerIdManager(size -> CompletableFuture.completedFuture(4000L)), transactions.coordinator());

    @AfterEach
    void close() {
        transactions.close();
    }

    private InitProducerIdResponseData init(short version, InitProducerIdRequestData data) {
        ByteBuffer bytes = MessageUtil.toByteBufferAccessor(data, version).buffer();
        InitProducerIdRequest request = (InitProducerIdRequest) AbstractRequest.parseRequest(ApiKeys.INIT_PRODUCER_ID,
                version, new ByteBufferAccessor(bytes)).request;
        return Requests.overWire(ApiKeys.INIT_PRODUCER_ID, handler.handle(Requests.context(request), request).join(),
                version);
    }

    @Test
    void anIdempotentProducerGetsAnIdFromTheBlocks() {
        // As Kafka: the first call finds no block yet (it asks for one) and is to be retried.
        InitProducerIdResponseData first = init((short) 5,
                new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000));
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        assertThat(first.producerId()).isEqualTo(-1L);
        assertThat(first.producerEpoch()).isEqualTo((short) -1);

        InitProducerIdResponseData response = init((short) 5,
                new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000));

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.NONE);
        assertThat(response.producerId()).isEqualTo(4000L);
        assertThat(response.producerEpoch()).isZero();
    }

    @Test
    void anIdempotentProducerWithAnIdButNoEpochOrTheReverseIsAnInvalidRequest() {
        InitProducerIdResponseData noEpoch = init((short) 3, new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(60_000).setProducerId(Long.MIN_VALUE).setProducerEpoch((short) -1));
        InitProducerIdResponseData noId = init((short) 3, new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) 3));

        for (InitProducerIdResponseData response : java.util.List.of(noEpoch, noId)) {
            assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(response.producerId()).isEqualTo(-1L);
            assertThat(response.producerEpoch()).isEqualTo((short) -1);
        }
    }

    @Test
    void aTransactionalIdGoesToItsCoordinator() {
        transactions.start(request -> new CompletableFuture<>(), TestImages.builder().broker(NODE_ID).broker(2)
                .topic(Topic.TRANSACTION_STATE_TOPIC_NAME, 2, 2).build());

        InitProducerIdResponseData elsewhere = init((short) 4,
                new InitProducerIdRequestData().setTransactionalId("txn").setTransactionTimeoutMs(60_000));
        InitProducerIdResponseData empty = init((short) 4,
                new InitProducerIdRequestData().setTransactionalId("").setTransactionTimeoutMs(60_000));
        InitProducerIdResponseData badTimeout = init((short) 4,
                new InitProducerIdRequestData().setTransactionalId("txn").setTransactionTimeoutMs(0));
        InitProducerIdResponseData halfKnown = init((short) 3,
                new InitProducerIdRequestData().setTransactionalId("txn").setTransactionTimeoutMs(60_000)
                        .setProducerId(17).setProducerEpoch((short) -1));

        assertThat(Errors.forCode(elsewhere.errorCode())).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(elsewhere.producerId()).isEqualTo(-1);
        assertThat(Errors.forCode(empty.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(Errors.forCode(badTimeout.errorCode())).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(Errors.forCode(halfKnown.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
    }
}
