package io.strand.coordinator.txn;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeTransactions and ListTransactions (KIP-664) over one shard's transactional ids. Reads only.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class TransactionAdminOps {

    private final TxnShardContext context;
    private final TransactionStore store;

    TransactionAdminOps(TxnShardContext context, TransactionStore store) {
        this.context = context;
        this.store = store;
    }

    /** One transactional id's state; TRANSACTIONAL_ID_NOT_FOUND if it is unknown here. */
    DescribeTransactionsResponseData.TransactionState describe(String transactionalId) {
        DescribeTransactionsResponseData.TransactionState answer =
                new DescribeTransactionsResponseData.TransactionState().setTransactionalId(transactionalId);
        TransactionMetadata txn = store.get(transactionalId);
        if (txn == null) {
            return answer.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        }
        for (TopicPartition tp : txn.partitions().stream()
                .sorted((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                        : a.topic().compareTo(b.topic())).toList()) {
            DescribeTransactionsResponseData.TopicData topic = answer.topics().find(tp.topic());
            if (topic == null) {
                topic = new DescribeTransactionsResponseData.TopicData().setTopic(tp.topic());
                answer.topics().add(topic);
            }
            topic.partitions().add(tp.partition());
        }
        return answer.setErrorCode(Errors.NONE.code()).setProducerId(txn.producerId())
                .setProducerEpoch(txn.producerEpoch()).setTransactionState(txn.state().stateName())
                .setTransactionTimeoutMs(txn.transactionTimeoutMs())
                .setTransactionStartTimeMs(txn.startTimestampMs());
    }

    /**
     * The transactional ids matching every filter given: producer ids, states ({@code null} for no state
     * filter; empty when only unknown state names were given, which then match nothing), a minimum running time ({@code durationFilterMs} ≥ 0: only those
     * started more than that long ago) and a pattern the whole id must match (RE2 syntax, as Kafka).
     */
    List<ListTransactionsResponseData.TransactionState> list(Set<Long> producerIds, Set<TransactionState> states,
                                                             long durationFilterMs, Pattern idPattern) {
        long nowMs = context.nowMs();
        List<ListTransactionsResponseData.TransactionState> listed = new ArrayList<>();
        for (Map.Entry<String, TransactionMetadata> e : store.entries()) {
            TransactionMetadata txn = e.getValue();
            if ((!producerIds.isEmpty() && !producerIds.contains(txn.producerId()))
                    || (states != null && !states.contains(txn.state()))
                    || (durationFilterMs >= 0 && nowMs - txn.startTimestampMs() <= durationFilterMs)
                    || (idPattern != null && !idPattern.matcher(e.getKey()).matches())) {
                continue;
            }
            listed.add(new ListTransactionsResponseData.TransactionState().setTransactionalId(e.getKey())
                    .setProducerId(txn.producerId()).setTransactionState(txn.state().stateName()));
        }
        return listed;
    }
}
