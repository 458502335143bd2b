package io.strand.broker.txn;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * A {@link TransactionVerifier} for handler tests: verifications and adds both answer what
 * {@link Answer} gives, and {@link #kinds()} records which of the two each call was ("verify" or
 * "add"), in order. Thread-safe.
 */
public final class ScriptedVerifier implements TransactionVerifier {

    /** The answer to one call of either kind. */
    @FunctionalInterface
    public interface Answer {
        CompletableFuture<Errors> answer(String transactionalId, long producerId, short producerEpoch,
                                         TopicPartition partition);
    }

    private final Answer answer;
    private final List<String> kinds = new CopyOnWriteArrayList<>();

    public ScriptedVerifier(Answer answer) {
        this.answer = answer;
    }

    /** "verify" or "add" per call so far, in order. */
    public List<String> kinds() {
        return kinds;
    }

    @Override
    public CompletableFuture<Errors> verify(String transactionalId, long producerId, short producerEpoch,
                                            TopicPartition partition) {
        kinds.add("verify");
        return answer.answer(transactionalId, producerId, producerEpoch, partition);
    }

    @Override
    public CompletableFuture<Errors> add(String transactionalId, long producerId, short producerEpoch,
                                         TopicPartition partition) {
        kinds.add("add");
        return answer.answer(transactionalId, producerId, producerEpoch, partition);
    }
}
