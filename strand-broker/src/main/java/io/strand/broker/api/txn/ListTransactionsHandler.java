package io.strand.broker.api.txn;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.coordinator.txn.TransactionCoordinator;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ListTransactionsRequest;

/**
 * ListTransactions (v0–2, KIP-664): the transactional ids this broker coordinates that match every
 * filter: producer ids, states (unknown state names are reported back), v1+ a minimum running time,
 * v2+ an RE2 pattern on the id (INVALID_REGULAR_EXPRESSION if it does not compile).
 */
final class ListTransactionsHandler implements ApiHandler<ListTransactionsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 2;

    private final TransactionCoordinator coordinator;

    ListTransactionsHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_TRANSACTIONS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ListTransactionsResponseData> handle(RequestContext context,
                                                                 ListTransactionsRequest request) {
        return coordinator.listTransactions(new HashSet<>(request.data().producerIdFilters()),
                new HashSet<>(request.data().stateFilters()), request.data().durationFilter(),
                request.data().transactionalIdPattern());
    }
}
