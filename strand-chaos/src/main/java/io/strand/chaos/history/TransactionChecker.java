package io.strand.chaos.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a {@link TransactionHistory} against what transactions promise a read_committed reader. The
 * readers are each reader group of the read_committed consumers (a consumer group, or one lone consumer)
 * and the final read_committed read; a transaction's records are those its values name
 * ({@link Transaction.RecordId}). The definitions:
 *
 * <ul>
 *   <li><b>ABORTED_READ</b>: a reader saw a record of an {@linkplain Transaction.Outcome#ABORTED aborted}
 *       transaction (one anomaly per reader and transaction, counting the records it saw).</li>
 *   <li><b>PARTIAL_TRANSACTION</b>: the final read holds some but not all records of a transaction that was
 *       not aborted; or a consumer's reader group read some records of such a transaction and missed
 *       another that the final read holds below the offset the group read up to on that partition (one
 *       per reader and transaction, counting the missing records). Unknown outcomes are held to it too.</li>
 *   <li><b>LOST</b>: a transaction that committed, or that a read_committed consumer saw a record of (it
 *       was committed then), of which the final read holds no record (counting its records).</li>
 *   <li><b>DUPLICATED</b>: a transactional value at more than one offset of the final read (copies - 1).</li>
 *   <li><b>INCONSISTENT</b>: a read_committed consumer, or the final read_committed read, saw value v at
 *       offset o where the final read_uncommitted read has another value or nothing (one per offset and
 *       value).</li>
 *   <li><b>UNEXPECTED</b>: a record of the final read_committed read that names no transaction of the
 *       history, or names one with another record count.</li>
 *   <li><b>SKIPPED</b>: a record of the final read below the offset a consumer's reader group read up to on
 *       its partition that no member read, of a transaction that was not aborted and that the group saw nothing
 *       of (one per reader group and partition, counting the records).</li>
 * </ul>
 *
 * <p>Stateless; thread-safe.
 */
public final class TransactionChecker {

    /** The reader name of the final read_committed read in anomalies. */
    static final String FINAL_READ = "the final read";

    /** A place in the topic. */
    private record Position(int partition, long offset) {
        @Override
        public String toString() {
            return "p" + partition + "@" + offset;
        }
    }

    /** What one reader saw: per transaction the records by index, and per partition the offset it read up to. */
    private static final class Reader {
        final Map<String, TreeMap<Integer, Position>> byTransaction = new TreeMap<>();
        final Map<Integer, Long> reach = new HashMap<>();
        final Map<Integer, Set<Long>> offsets = new HashMap<>();

        void saw(Transaction.RecordId id, Position at) {
            byTransaction.computeIfAbsent(id.transaction(), t -> new TreeMap<>()).putIfAbsent(id.index(), at);
            reach.merge(at.partition(), at.offset() + 1, Math::max);
            offsets.computeIfAbsent(at.partition(), p -> new HashSet<>()).add(at.offset());
        }
    }

    public List<Anomaly> check(TransactionHistory history) {
        List<Anomaly> anomalies = new ArrayList<>();
        Map<String, Transaction> transactions = new HashMap<>();
        history.transactions().forEach(t -> transactions.put(t.key(), t));
        String topic = history.topic();

        // The final read_committed read: where each transactional value is, and what names nothing sent.
        Reader last = new Reader();
        Map<String, List<Position>> positionsOfValue = new HashMap<>();
        Set<String> inconsistent = new HashSet<>();
        for (Map.Entry<Integer, NavigableMap<Long, String>> partition : new TreeMap<>(history.finalCommitted())
                .entrySet()) {
            for (Map.Entry<Long, String> record : partition.getValue().entrySet()) {
                Position at = new Position(partition.getKey(), record.getKey());
                Transaction.RecordId id = Transaction.RecordId.parse(record.getValue());
                Transaction transaction = id == null ? null : transactions.get(id.transaction());
                if (transaction == null || transaction.count() != id.count()) {
                    anomalies.add(new Anomaly(Anomaly.Kind.UNEXPECTED, at.partition(), 1, topic + " " + at
                            + " holds " + record.getValue() + ", which no transaction of the history wrote"));
                    continue;
                }
                positionsOfValue.computeIfAbsent(record.getValue(), v -> new ArrayList<>()).add(at);
                last.saw(id, at);
                checkAgainstLog(history, FINAL_READ, at, record.getValue(), inconsistent, anomalies);
            }
        }
        positionsOfValue.forEach((value, positions) -> {
            if (positions.size() > 1) {
                anomalies.add(new Anomaly(Anomaly.Kind.DUPLICATED, positions.get(0).partition(), positions.size() - 1,
                        topic + ": " + value + " is at " + positions));
            }
        });

        // Each consumer's reader group.
        Map<String, Reader> readers = new TreeMap<>();
        for (ConsumerEvent event : history.committedReads()) {
            if (event.kind() != ConsumerEvent.Kind.READ) {
                continue;
            }
            Position at = new Position(event.partition(), event.offset());
            checkAgainstLog(history, event.consumer(), at, event.value(), inconsistent, anomalies);
            Transaction.RecordId id = Transaction.RecordId.parse(event.value());
            if (id != null && transactions.containsKey(id.transaction())) {
                readers.computeIfAbsent(event.readerGroup(), r -> new Reader()).saw(id, at);
            }
        }

        Set<String> seenCommitted = new HashSet<>();
        readers.forEach((name, reader) -> {
            checkAborted(name, reader, transactions, topic, anomalies);
            reader.byTransaction.keySet().stream().filter(k -> transactions.get(k).outcome()
                    != Transaction.Outcome.ABORTED).forEach(seenCommitted::add);
            checkReaderWhole(name, reader, transactions, positionsOfValue, topic, anomalies);
            checkReaderSkips(name, reader, history, transactions, topic, anomalies);
        });
        checkAborted(FINAL_READ, last, transactions, topic, anomalies);
        checkFinalWhole(last, history.transactions(), seenCommitted, topic, anomalies);
        return anomalies;
    }

    private static void checkAgainstLog(TransactionHistory history, String reader, Position at, String value,
                                        Set<String> reported, List<Anomaly> anomalies) {
        NavigableMap<Long, String> log = history.finalUncommitted().get(at.partition());
        String found = log == null ? null : log.get(at.offset());
        if (!value.equals(found) && reported.add(at + "=" + value)) {
            anomalies.add(new Anomaly(Anomaly.Kind.INCONSISTENT, at.partition(), 1, reader + " read " + value + " at "
                    + history.topic() + " " + at + ", the read_uncommitted final read has "
                    + (found == null ? "nothing" : found) + " there"));
        }
    }

    private static void checkAborted(String name, Reader reader, Map<String, Transaction> transactions, String topic,
                                     List<Anomaly> anomalies) {
        reader.byTransaction.forEach((key, seen) -> {
            Transaction transaction = transactions.get(key);
            if (transaction.outcome() == Transaction.Outcome.ABORTED) {
                anomalies.add(new Anomaly(Anomaly.Kind.ABORTED_READ, seen.firstEntry().getValue().partition(),
                        seen.size(), name + " saw " + seen.size() + " of the " + transaction.count() + " records of "
                        + "aborted transaction " + key + (transaction.error() == null ? "" : " (" + transaction.error()
                        + ")") + " in " + topic + ": index to position " + seen));
            }
        });
    }

    /** A consumer's partial transactions: records it missed below what it read up to on their partitions. */
    private static void checkReaderWhole(String name, Reader reader, Map<String, Transaction> transactions,
                                         Map<String, List<Position>> positionsOfValue, String topic,
                                         List<Anomaly> anomalies) {
        reader.byTransaction.forEach((key, seen) -> {
            Transaction transaction = transactions.get(key);
            if (transaction.outcome() == Transaction.Outcome.ABORTED || seen.size() == transaction.count()) {
                return;
            }
            Map<Integer, Position> missed = new TreeMap<>();
            for (int index = 0; index < transaction.count(); index++) {
                List<Position> in = seen.containsKey(index) ? null : positionsOfValue.get(
                        Transaction.valueOf(transaction.producer(), transaction.number(), index, transaction.count()));
                if (in != null && in.get(0).offset() < reader.reach.getOrDefault(in.get(0).partition(), 0L)) {
                    missed.put(index, in.get(0));
                }
            }
            if (!missed.isEmpty()) {
                anomalies.add(new Anomaly(Anomaly.Kind.PARTIAL_TRANSACTION, missed.values().iterator().next()
                        .partition(), missed.size(), name + " read records " + seen + " of " + transaction.outcome()
                        + " transaction " + key + " in " + topic + " and passed over " + missed + " (index to position)"));
            }
        });
    }

    private static void checkReaderSkips(String name, Reader reader, TransactionHistory history,
                                         Map<String, Transaction> transactions, String topic, List<Anomaly> anomalies) {
        reader.reach.forEach((partition, reach) -> {
            Set<Long> read = reader.offsets.getOrDefault(partition, Set.of());
            List<Long> skipped = new ArrayList<>();
            history.finalCommitted().getOrDefault(partition, new TreeMap<>()).headMap(reach, false).forEach((offset,
                    value) -> {
                Transaction.RecordId id = Transaction.RecordId.parse(value);
                Transaction transaction = id == null ? null : transactions.get(id.transaction());
                // an aborted record the final read shows is reported as such, not as a skip
                if (!read.contains(offset) && transaction != null && transaction.outcome() != Transaction.Outcome.ABORTED
                        && !reader.byTransaction.containsKey(id.transaction())) {
                    skipped.add(offset);
                }
            });
            if (!skipped.isEmpty()) {
                anomalies.add(new Anomaly(Anomaly.Kind.SKIPPED, partition, skipped.size(), name + " read " + topic
                        + " p" + partition + " up to offset " + reach + " and never read offsets "
                        + skipped.subList(0, Math.min(20, skipped.size())) + (skipped.size() > 20 ? " ..." : "")));
            }
        });
    }

    private static void checkFinalWhole(Reader last, List<Transaction> transactions, Set<String> seenCommitted,
                                        String topic, List<Anomaly> anomalies) {
        for (Transaction transaction : transactions) {
            if (transaction.outcome() == Transaction.Outcome.ABORTED) {
                continue;
            }
            TreeMap<Integer, Position> found = last.byTransaction.getOrDefault(transaction.key(), new TreeMap<>());
            if (found.isEmpty() && (transaction.outcome() == Transaction.Outcome.COMMITTED
                    || seenCommitted.contains(transaction.key()))) {
                anomalies.add(new Anomaly(Anomaly.Kind.LOST, transaction.partitions().get(0), transaction.count(),
                        transaction.outcome() + " transaction " + transaction.key() + " (" + transaction.count()
                        + " records to partitions " + transaction.partitions() + ")"
                        + (transaction.outcome() == Transaction.Outcome.COMMITTED ? "" : ", which a consumer read,")
                        + " has no record in the final read of " + topic));
            } else if (!found.isEmpty() && found.size() < transaction.count()) {
                Set<Integer> missing = new TreeSet<>();
                for (int index = 0; index < transaction.count(); index++) {
                    if (!found.containsKey(index)) {
                        missing.add(index);
                    }
                }
                anomalies.add(new Anomaly(Anomaly.Kind.PARTIAL_TRANSACTION, found.firstEntry().getValue().partition(),
                        missing.size(), FINAL_READ + " of " + topic + " has records " + found + " of "
                        + transaction.outcome() + " transaction " + transaction.key() + ", not indices " + missing
                        + " (to partitions " + transaction.partitions() + ")"));
            }
        }
    }
}
