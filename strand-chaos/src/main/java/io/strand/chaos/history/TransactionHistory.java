package io.strand.chaos.history;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * What the transactional workload's clients saw, on the transactions' own topic: every transaction and its
 * outcome, every read_committed consumer's events (logged as {@link ConsumerEvent}s, partitions of that
 * topic), and two final reads made after the producers stopped: one with isolation.level=read_committed
 * (the reference of what is committed) and one with read_uncommitted (what the log holds, aborted records
 * included). Immutable once built.
 *
 * @param topic           the transactions' topic
 * @param transactions    every transaction of every transactional producer
 * @param committedReads  every read_committed consumer's events; one consumer's in the order it logged them
 * @param finalCommitted  partition to offset to value, read with read_committed
 * @param finalUncommitted partition to offset to value, read with read_uncommitted
 */
public record TransactionHistory(String topic, List<Transaction> transactions, List<ConsumerEvent> committedReads,
                                 Map<Integer, NavigableMap<Long, String>> finalCommitted,
                                 Map<Integer, NavigableMap<Long, String>> finalUncommitted) {

    /** A campaign without the transactional workload. */
    public static final TransactionHistory NONE = new TransactionHistory("", List.of(), List.of(), Map.of(), Map.of());

    public TransactionHistory {
        transactions = List.copyOf(transactions);
        committedReads = List.copyOf(committedReads);
        finalCommitted = Map.copyOf(finalCommitted);
        finalUncommitted = Map.copyOf(finalUncommitted);
    }

    public long count(Transaction.Outcome outcome) {
        return transactions.stream().filter(t -> t.outcome() == outcome).count();
    }

    /** Reads by read_committed consumers. */
    public long reads() {
        return committedReads.stream().filter(e -> e.kind() == ConsumerEvent.Kind.READ).count();
    }
}
