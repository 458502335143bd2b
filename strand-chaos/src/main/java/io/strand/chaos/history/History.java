package io.strand.chaos.history;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * Everything a campaign's clients saw: every producer's sends and outcomes, every consumer's events
 * (each consumer's in the order it did them), and the final read of every partition (offset to value)
 * made after the faults healed. Immutable once built.
 *
 * @param sends               every send of every producer
 * @param idempotentProducers the producers that ran with idempotence on (their values may be in the log once at most)
 * @param consumerEvents      every consumer's events; one consumer's events in the order it did them
 * @param finalRead           partition to its records, offset to value, as the final read found them
 * @param transactions        the transactional workload's history, on its own topic ({@link TransactionHistory#NONE}
 *                            without it)
 */
public record History(List<Send> sends, Set<String> idempotentProducers, List<ConsumerEvent> consumerEvents,
                      Map<Integer, NavigableMap<Long, String>> finalRead, TransactionHistory transactions) {

    /** A history without the transactional workload. */
    public History(List<Send> sends, Set<String> idempotentProducers, List<ConsumerEvent> consumerEvents,
                   Map<Integer, NavigableMap<Long, String>> finalRead) {
        this(sends, idempotentProducers, consumerEvents, finalRead, TransactionHistory.NONE);
    }

    public History {
        sends = List.copyOf(sends);
        idempotentProducers = Set.copyOf(idempotentProducers);
        consumerEvents = List.copyOf(consumerEvents);
        finalRead = Map.copyOf(finalRead);
    }

    public long acked() {
        return sends.stream().filter(s -> s.outcome() == Send.Outcome.ACKED).count();
    }

    public long failed() {
        return sends.stream().filter(s -> s.outcome() == Send.Outcome.FAILED).count();
    }

    public long unknown() {
        return sends.stream().filter(s -> s.outcome() == Send.Outcome.UNKNOWN).count();
    }

    public long reads() {
        return consumerEvents.stream().filter(e -> e.kind() == ConsumerEvent.Kind.READ).count();
    }

    public long finalRecords() {
        return finalRead.values().stream().mapToLong(Map::size).sum();
    }
}
