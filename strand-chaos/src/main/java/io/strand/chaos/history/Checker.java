package io.strand.chaos.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a {@link History} against what a Kafka log promises. The final read is the reference; the
 * definitions, each per partition:
 *
 * <ul>
 *   <li><b>LOST</b>: an acknowledged send whose value is at no offset of the final read. Failed and
 *       unknown sends are never required.</li>
 *   <li><b>DUPLICATED</b>: a value of an idempotent producer found at more than one offset of the final
 *       read (counted copies - 1), whatever its send's outcome.</li>
 *   <li><b>RESENT</b>: such a value whose copies are, offset after offset, in batches of one producer id
 *       under ever newer epochs ({@link BatchOrigins}): the client wrote it again after bumping its
 *       epoch (librdkafka renumbers every record it still holds, written or not), which no broker can
 *       recognise as a retry. Reported; does not {@linkplain Anomaly.Kind#fails() fail} a run.</li>
 *   <li><b>OUT_OF_ORDER</b>: in the final read of a partition, a record of an idempotent producer
 *       whose send number is lower than that of an earlier record of the same producer (one per such
 *       record; the first copy of each value only).</li>
 *   <li><b>INCONSISTENT</b>: a reader that says offset o of a partition holds value v where the final
 *       read holds another value or nothing. Readers are every consumer's reads and every
 *       acknowledgement that names an offset (send s acknowledged at o says o holds s's value); one per
 *       (offset, value).
 *       An acknowledged send already counted LOST is not counted again.</li>
 *   <li><b>UNEXPECTED</b>: a record of the final read that no producer sent to that partition.</li>
 *   <li><b>SKIPPED</b>: for a reader group (a consumer group, or one lone consumer) and a partition,
 *       an offset of the final read below the group's frontier that no member read; the frontier is
 *       the larger of the highest offset a member read + 1 and the highest offset the group
 *       committed (answered as done).</li>
 *   <li><b>REPEATED</b>: a read by a consumer of offset o of a partition, in an assignment of that
 *       partition (ASSIGNED to REVOKED or the end), where o is below the next offset the assignment
 *       expects (it has read o already, or beyond it: a rewind), or, for a group member, below the
 *       highest offset the group had committed (answered as done) by the time of the assignment:
 *       a repeat beyond what the committed offsets allow. Commits whose outcome is unknown raise
 *       nothing. Reads outside an assignment are not checked for repeats.</li>
 * </ul>
 *
 * <p>The transactional workload's topic is checked apart, by {@link TransactionChecker}: its anomalies
 * ({@code ABORTED_READ}, {@code PARTIAL_TRANSACTION}, and the kinds above as it defines them for
 * transactions) join this check's.
 *
 * <p>Stateless; thread-safe.
 */
public final class Checker {

    public CheckResult check(History history) {
        return check(history, BatchOrigins.NONE);
    }

    /** Checks {@code history}, telling duplicates the client resent from others by {@code origins}. */
    public CheckResult check(History history, BatchOrigins origins) {
        List<Anomaly> anomalies = new ArrayList<>();
        Map<Integer, NavigableMap<Long, String>> log = history.finalRead();
        Map<String, Send> sendsByValue = new HashMap<>();
        for (Send send : history.sends()) {
            sendsByValue.put(send.value(), send);
        }
        Map<String, List<Long>> offsetsOfValue = new HashMap<>();
        for (Map.Entry<Integer, NavigableMap<Long, String>> partition : log.entrySet()) {
            for (Map.Entry<Long, String> record : partition.getValue().entrySet()) {
                offsetsOfValue.computeIfAbsent(record.getValue(), v -> new ArrayList<>()).add(record.getKey());
                Send send = sendsByValue.get(record.getValue());
                if (send == null || send.partition() != partition.getKey()) {
                    anomalies.add(new Anomaly(Anomaly.Kind.UNEXPECTED, partition.getKey(), 1, "offset "
                            + record.getKey() + " holds " + record.getValue() + ", which no producer sent to partition "
                            + partition.getKey()));
                }
            }
        }
        checkSends(history, log, offsetsOfValue, origins, anomalies);
        checkOrder(history, log, sendsByValue, anomalies);
        checkReadsAgree(history, log, anomalies);
        checkSkips(history, log, anomalies);
        checkRepeats(history, anomalies);
        anomalies.addAll(new TransactionChecker().check(history.transactions()));
        return new CheckResult(anomalies);
    }

    private static void checkSends(History history, Map<Integer, NavigableMap<Long, String>> log,
                                   Map<String, List<Long>> offsetsOfValue, BatchOrigins origins,
                                   List<Anomaly> anomalies) {
        for (Send send : history.sends()) {
            List<Long> offsets = offsetsOfValue.getOrDefault(send.value(), List.of());
            if (send.outcome() == Send.Outcome.ACKED) {
                if (offsets.isEmpty()) {
                    anomalies.add(new Anomaly(Anomaly.Kind.LOST, send.partition(), 1, send.value()
                            + " acknowledged at offset " + send.offset() + " is not in the final read"));
                } else if (send.offset() >= 0) {
                    String found = partition(log, send.partition()).get(send.offset());
                    if (!send.value().equals(found)) {
                        anomalies.add(new Anomaly(Anomaly.Kind.INCONSISTENT, send.partition(), 1, send.value()
                                + " acknowledged at offset " + send.offset() + ", the final read has "
                                + (found == null ? "nothing" : found) + " there and it at " + offsets));
                    }
                }
            }
            if (offsets.size() > 1 && history.idempotentProducers().contains(send.producer())) {
                String epochs = resentUnder(origins, send.partition(), offsets);
                anomalies.add(epochs == null
                        ? new Anomaly(Anomaly.Kind.DUPLICATED, send.partition(), offsets.size() - 1,
                                send.value() + " (" + send.outcome() + ") is at offsets " + offsets)
                        : new Anomaly(Anomaly.Kind.RESENT, send.partition(), offsets.size() - 1,
                                send.value() + " (" + send.outcome() + ") is at offsets " + offsets + ", " + epochs));
            }
        }
    }

    /**
     * If the copies at {@code offsets} (ascending) are in batches of one producer id under strictly rising
     * epochs, says so ({@code "pid 7 epochs [0, 1]"}); else null.
     */
    private static String resentUnder(BatchOrigins origins, int partition, List<Long> offsets) {
        List<Short> epochs = new ArrayList<>();
        long producerId = -1;
        for (long offset : offsets) {
            BatchOrigins.Origin origin = origins.at(partition, offset);
            if (origin == null || origin.producerId() < 0 || (producerId >= 0 && origin.producerId() != producerId)
                    || (!epochs.isEmpty() && origin.producerEpoch() <= epochs.get(epochs.size() - 1))) {
                return null;
            }
            producerId = origin.producerId();
            epochs.add(origin.producerEpoch());
        }
        return "pid " + producerId + " epochs " + epochs;
    }

    private static void checkOrder(History history, Map<Integer, NavigableMap<Long, String>> log,
                                   Map<String, Send> sendsByValue, List<Anomaly> anomalies) {
        for (Map.Entry<Integer, NavigableMap<Long, String>> partition : log.entrySet()) {
            Map<String, Send> latest = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (Map.Entry<Long, String> record : partition.getValue().entrySet()) {
                Send send = sendsByValue.get(record.getValue());
                // a second copy is reported once, as DUPLICATED or RESENT, not again as out of order
                if (send == null || !history.idempotentProducers().contains(send.producer())
                        || !seen.add(record.getValue())) {
                    continue;
                }
                Send before = latest.get(send.producer());
                if (before != null && send.seq() < before.seq()) {
                    anomalies.add(new Anomaly(Anomaly.Kind.OUT_OF_ORDER, partition.getKey(), 1, send.value()
                            + " at offset " + record.getKey() + " after " + before.value()));
                } else {
                    latest.put(send.producer(), send);
                }
            }
        }
    }

    private static void checkReadsAgree(History history, Map<Integer, NavigableMap<Long, String>> log,
                                        List<Anomaly> anomalies) {
        Map<Integer, Set<String>> reported = new HashMap<>();
        for (ConsumerEvent event : history.consumerEvents()) {
            if (event.kind() != ConsumerEvent.Kind.READ) {
                continue;
            }
            String found = partition(log, event.partition()).get(event.offset());
            if (!event.value().equals(found)
                    && reported.computeIfAbsent(event.partition(), p -> new HashSet<>())
                            .add(event.offset() + "=" + event.value())) {
                anomalies.add(new Anomaly(Anomaly.Kind.INCONSISTENT, event.partition(), 1, event.consumer()
                        + " read " + event.value() + " at offset " + event.offset() + ", the final read has "
                        + (found == null ? "nothing" : found) + " there"));
            }
        }
    }

    private static void checkSkips(History history, Map<Integer, NavigableMap<Long, String>> log,
                                   List<Anomaly> anomalies) {
        // reader group -> partition -> offsets read, and the highest commit answered as done
        Map<String, Map<Integer, Set<Long>>> read = new TreeMap<>();
        Map<String, Map<Integer, Long>> frontier = new TreeMap<>();
        for (ConsumerEvent event : history.consumerEvents()) {
            String group = event.readerGroup();
            if (event.kind() == ConsumerEvent.Kind.READ) {
                read.computeIfAbsent(group, g -> new HashMap<>())
                        .computeIfAbsent(event.partition(), p -> new HashSet<>()).add(event.offset());
                frontier.computeIfAbsent(group, g -> new TreeMap<>()).merge(event.partition(), event.offset() + 1,
                        Math::max);
            } else if (event.kind() == ConsumerEvent.Kind.COMMITTED) {
                frontier.computeIfAbsent(group, g -> new TreeMap<>()).merge(event.partition(), event.offset(),
                        Math::max);
            }
        }
        frontier.forEach((group, partitions) -> partitions.forEach((partition, end) -> {
            Set<Long> seen = read.getOrDefault(group, Map.of()).getOrDefault(partition, Set.of());
            List<Long> skipped = new ArrayList<>();
            for (Long offset : partition(log, partition).headMap(end, false).keySet()) {
                if (!seen.contains(offset)) {
                    skipped.add(offset);
                }
            }
            if (!skipped.isEmpty()) {
                anomalies.add(new Anomaly(Anomaly.Kind.SKIPPED, partition, skipped.size(), group
                        + " never read offsets " + ranges(skipped) + " below its frontier " + end));
            }
        }));
    }

    private static void checkRepeats(History history, List<Anomaly> anomalies) {
        // commits answered as done, per group and partition, in time order
        Map<String, Map<Integer, NavigableMap<Long, Long>>> commits = new HashMap<>();
        for (ConsumerEvent event : history.consumerEvents()) {
            if (event.kind() == ConsumerEvent.Kind.COMMITTED && event.group() != null) {
                commits.computeIfAbsent(event.group(), g -> new HashMap<>())
                        .computeIfAbsent(event.partition(), p -> new TreeMap<>())
                        .merge(event.atMs(), event.offset(), Math::max);
            }
        }
        // consumer -> partition -> the assignment in progress
        Map<String, Map<Integer, Assignment>> assignments = new HashMap<>();
        for (ConsumerEvent event : history.consumerEvents()) {
            Map<Integer, Assignment> mine = assignments.computeIfAbsent(event.consumer(), c -> new HashMap<>());
            switch (event.kind()) {
                case ASSIGNED -> {
                    long floor = 0;
                    if (event.group() != null) {
                        NavigableMap<Long, Long> done = commits.getOrDefault(event.group(), Map.of())
                                .getOrDefault(event.partition(), new TreeMap<>()).headMap(event.atMs(), true);
                        floor = done.values().stream().mapToLong(Long::longValue).max().orElse(0);
                    }
                    mine.put(event.partition(), new Assignment(event.offset(), floor));
                }
                case REVOKED -> mine.remove(event.partition());
                case READ -> {
                    Assignment assignment = mine.get(event.partition());
                    if (assignment != null) {
                        assignment.onRead(event, anomalies);
                    }
                }
                default -> {
                }
            }
        }
    }

    /** One consumer's hold of a partition: where it reads next, and below which a read repeats beyond commits. */
    private static final class Assignment {
        private long next;
        private final long committedFloor;

        Assignment(long position, long committedFloor) {
            this.next = position;
            this.committedFloor = committedFloor;
        }

        void onRead(ConsumerEvent read, List<Anomaly> anomalies) {
            if (read.offset() < next) {
                anomalies.add(new Anomaly(Anomaly.Kind.REPEATED, read.partition(), 1, read.consumer() + " read offset "
                        + read.offset() + " again (next expected " + next + ")"));
            } else if (read.offset() < committedFloor) {
                anomalies.add(new Anomaly(Anomaly.Kind.REPEATED, read.partition(), 1, read.consumer() + " read offset "
                        + read.offset() + " below its group's commit " + committedFloor + " made before the assignment"));
            }
            next = Math.max(next, read.offset() + 1);
        }
    }

    private static NavigableMap<Long, String> partition(Map<Integer, NavigableMap<Long, String>> log, int partition) {
        NavigableMap<Long, String> records = log.get(partition);
        return records == null ? new TreeMap<>() : records;
    }

    /** Offsets (ascending) as ranges: {@code 3-5,9}. */
    static String ranges(List<Long> offsets) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < offsets.size()) {
            int j = i;
            while (j + 1 < offsets.size() && offsets.get(j + 1) == offsets.get(j) + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(offsets.get(i));
            if (j > i) {
                out.append('-').append(offsets.get(j));
            }
            i = j + 1;
        }
        return out.toString();
    }
}
