package io.strand.broker.controller;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** Producer id blocks from the active controller through AllocateProducerIds. Stateless. */
public final class ProducerIdBlocks {

    private ProducerIdBlocks() {
    }

    /**
     * Asks for a block of {@code blockSize} ids (the controller hands out blocks of
     * {@link ControllerRequestDispatcher#PRODUCER_ID_BLOCK_SIZE}, as Kafka's does); completes with
     * its first id, or fails with the controller's error.
     *
     * @param brokerEpoch this broker's epoch as registered, -1 before the controller assigns one
     */
    public static IntFunction<CompletableFuture<Long>> allocator(ControllerChannel channel, int brokerId,
                                                                 LongSupplier brokerEpoch) {
        return blockSize -> {
            if (blockSize != ControllerRequestDispatcher.PRODUCER_ID_BLOCK_SIZE) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("The controller allocates blocks of "
                        + ControllerRequestDispatcher.PRODUCER_ID_BLOCK_SIZE + " producer ids, not " + blockSize));
            }
            AllocateProducerIdsRequestData request = new AllocateProducerIdsRequestData()
                    .setBrokerId(brokerId).setBrokerEpoch(brokerEpoch.getAsLong());
            return channel.send(ApiKeys.ALLOCATE_PRODUCER_IDS, request).thenApply(message -> {
                AllocateProducerIdsResponseData response = (AllocateProducerIdsResponseData) message;
                if (response.errorCode() != Errors.NONE.code()) {
                    throw Errors.forCode(response.errorCode()).exception();
                }
                if (response.producerIdLen() != blockSize) {
                    throw new UnknownServerException("Producer id block of " + response.producerIdLen()
                            + " ids, asked for " + blockSize + ": producerIdStart=" + response.producerIdStart());
                }
                return response.producerIdStart();
            });
        };
    }
}
