package io.strand.broker.api.txn;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;

/**
 * DescribeTransactions (v0, KIP-664): the state of each transactional id asked for, each with its own
 * error (NOT_COORDINATOR where another broker coordinates it, TRANSACTIONAL_ID_NOT_FOUND, INVALID_REQUEST
 * for an empty id, …), in request order.
 */
final class DescribeTransactionsHandler implements ApiHandler<DescribeTransactionsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final TransactionCoordinator coordinator;

    DescribeTransactionsHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TRANSACTIONS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeTransactionsResponseData> handle(RequestContext context,
                                                                     DescribeTransactionsRequest request) {
        List<CompletableFuture<DescribeTransactionsResponseData.TransactionState>> states = new ArrayList<>();
        for (String id : request.data().transactionalIds()) {
            states.add(coordinator.describeTransaction(id));
        }
        return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
            states.forEach(f -> response.transactionStates().add(f.join()));
            return response;
        });
    }
}
