package io.strand.broker.txn;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Sends one request to another broker (or to this one, over its own listener) and completes with the
 * answer's data: {@link BrokerConnections} over the network; tests hand in their own. Thread-safe;
 * never blocks. Failures (no endpoint, disconnects, time-outs, an API or version the broker does not
 * serve: {@link org.apache.kafka.common.errors.UnsupportedVersionException}) complete the future
 * exceptionally.
 */
@FunctionalInterface
public interface BrokerRequestSender {

    /**
     * @param minVersion the lowest version of {@code api} the caller can use
     * @param request    builds the request for the version chosen (the highest both sides serve)
     */
    CompletableFuture<ApiMessage> send(int brokerId, ApiKeys api, short minVersion,
                                       Function<Short, ApiMessage> request);
}
