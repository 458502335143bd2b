package io.strand.broker.txn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifications and adds for transactional ids another broker coordinates, as Kafka's
 * {@code AddPartitionsToTxnManager} sends them: one AddPartitionsToTxn v4+ request in flight per
 * coordinator broker, carrying every verification ({@code verify_only}) and add (transactions v2
 * producers) that waited for it, several transactions in one request. A transactional id appears once
 * per request: a verification or add of the same id under another producer id, epoch or kind waits for
 * the next request.
 *
 * <p>Answers are the coordinator's per partition, the request's top-level error for all its partitions,
 * or NETWORK_EXCEPTION when the request failed (no answer, disconnect, time-out). Never exceptional.
 *
 * <p>Thread-safe: one monitor over the waiting and in-flight state, never held while sending or
 * completing.
 */
final class VerificationBatcher {

    private static final Logger LOG = LoggerFactory.getLogger(VerificationBatcher.class);

    private final BrokerRequestSender sender;
    private final short minVersion;
    /** Guarded by this: per coordinator broker, verifications not yet sent. */
    private final Map<Integer, List<Pending>> waiting = new HashMap<>();
    /** Guarded by this: brokers with a request in flight. */
    private final Set<Integer> inFlight = new HashSet<>();

    private record Pending(String transactionalId, long producerId, short producerEpoch, boolean verifyOnly,
                           TopicPartition partition, CompletableFuture<Errors> answer) {
    }

    VerificationBatcher(BrokerRequestSender sender, short minVersion) {
        this.sender = sender;
        this.minVersion = minVersion;
    }

    /** The coordinator's answer for {@code partition} in the transaction, from broker {@code brokerId}. */
    CompletableFuture<Errors> verify(int brokerId, String transactionalId, long producerId, short producerEpoch,
                                     TopicPartition partition) {
        return enqueue(brokerId, new Pending(transactionalId, producerId, producerEpoch, true, partition,
                new CompletableFuture<>()));
    }

    /** The coordinator's answer to adding {@code partition} to the transaction, from broker {@code brokerId}. */
    CompletableFuture<Errors> add(int brokerId, String transactionalId, long producerId, short producerEpoch,
                                  TopicPartition partition) {
        return enqueue(brokerId, new Pending(transactionalId, producerId, producerEpoch, false, partition,
                new CompletableFuture<>()));
    }

    private CompletableFuture<Errors> enqueue(int brokerId, Pending pending) {
        List<Pending> batch;
        synchronized (this) {
            waiting.computeIfAbsent(brokerId, id -> new ArrayList<>()).add(pending);
            batch = maybeTakeBatch(brokerId);
        }
        if (batch != null) {
            send(brokerId, batch);
        }
        return pending.answer();
    }

    /** Under the monitor: the next request's verifications, if none is in flight to the broker. */
    private List<Pending> maybeTakeBatch(int brokerId) {
        List<Pending> queue = waiting.get(brokerId);
        if (inFlight.contains(brokerId) || queue == null || queue.isEmpty()) {
            return null;
        }
        Map<String, Pending> firstOfId = new HashMap<>();
        List<Pending> batch = new ArrayList<>();
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            Pending first = firstOfId.putIfAbsent(p.transactionalId(), p);
            if (first == null || (first.producerId() == p.producerId() && first.producerEpoch() == p.producerEpoch()
                    && first.verifyOnly() == p.verifyOnly())) {
                batch.add(p);
                it.remove();
            }
        }
        if (queue.isEmpty()) {
            waiting.remove(brokerId);
        }
        inFlight.add(brokerId);
        return batch;
    }

    private void send(int brokerId, List<Pending> batch) {
        AddPartitionsToTxnRequestData request = request(batch);
        CompletableFuture<ApiMessage> sent;
        try {
            sent = sender.send(brokerId, ApiKeys.ADD_PARTITIONS_TO_TXN, minVersion, version -> request);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                LOG.debug("Verifying {} partitions at broker {} failed: {}", batch.size(), brokerId, cause.toString());
            }
            for (Pending p : batch) {
                p.answer().complete(failure != null ? Errors.NETWORK_EXCEPTION
                        : errorFor((AddPartitionsToTxnResponseData) response, p));
            }
            List<Pending> next;
            synchronized (this) {
                inFlight.remove(brokerId);
                next = maybeTakeBatch(brokerId);
            }
            if (next != null) {
                send(brokerId, next);
            }
        });
    }

    private static AddPartitionsToTxnRequestData request(List<Pending> batch) {
        Map<String, AddPartitionsToTxnTransaction> byId = new LinkedHashMap<>();
        for (Pending p : batch) {
            AddPartitionsToTxnTransaction txn = byId.computeIfAbsent(p.transactionalId(), id ->
                    new AddPartitionsToTxnTransaction().setTransactionalId(id).setProducerId(p.producerId())
                            .setProducerEpoch(p.producerEpoch()).setVerifyOnly(p.verifyOnly()));
            AddPartitionsToTxnTopic topic = txn.topics().find(p.partition().topic());
            if (topic == null) {
                topic = new AddPartitionsToTxnTopic().setName(p.partition().topic());
                txn.topics().add(topic);
            }
            if (!topic.partitions().contains(p.partition().partition())) {
                topic.partitions().add(p.partition().partition());
            }
        }
        AddPartitionsToTxnRequestData request = new AddPartitionsToTxnRequestData();
        byId.values().forEach(request.transactions()::add);
        return request;
    }

    private static Errors errorFor(AddPartitionsToTxnResponseData response, Pending p) {
        if (response.errorCode() != Errors.NONE.code()) {
            return Errors.forCode(response.errorCode());
        }
        AddPartitionsToTxnResult result = response.resultsByTransaction().find(p.transactionalId());
        Errors error = result == null ? null
                : AddPartitionsToTxnResponse.errorsForTransaction(result.topicResults()).get(p.partition());
        return error == null ? Errors.UNKNOWN_SERVER_ERROR : error;
    }
}
