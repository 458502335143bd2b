package io.strand.broker.api.txn;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.txn.TransactionCoordinatorService;
import io.strand.coordinator.txn.TransactionCoordinator;
import java.util.List;

/**
 * The transaction API handlers of a broker besides FindCoordinator and InitProducerId (which serve
 * groups and idempotent producers too): AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
 * DescribeTransactions and ListTransactions. Stateless: all state is in the transaction coordinator.
 */
public final class TransactionHandlers {

    private TransactionHandlers() {
    }

    public static List<ApiHandler<?>> all(TransactionCoordinatorService service) {
        TransactionCoordinator coordinator = service.coordinator();
        return List.of(
                new AddPartitionsToTxnHandler(service),
                new AddOffsetsToTxnHandler(coordinator),
                new EndTxnHandler(coordinator),
                new DescribeTransactionsHandler(coordinator),
                new ListTransactionsHandler(coordinator));
    }
}
