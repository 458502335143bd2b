package io.strand.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Hand-made transactional histories: the clean one is clean, and each change that breaks a promise of
 * read_committed is flagged as exactly that anomaly, with the right count.
 *
 * <p>The clean history, producer {@code tx} on three partitions (control records leave the gaps):
 * <pre>
 *   tx:0 COMMITTED  p0@0 p1@0 p2@0
 *   tx:1 ABORTED    p1@1 p2@1          (in the log, not visible read_committed)
 *   tx:2 UNKNOWN    p2@2 p0@2          (visible: it committed)
 *   tx:3 UNKNOWN    p0@4 p1@3          (not visible: it did not)
 *   tx:4 COMMITTED  p1@5 p2@4
 * </pre>
 * A lone reader {@code solo} reads every visible record; group {@code g}'s member {@code a} reads p0 and
 * p1, member {@code b} p2.
 */
class TransactionCheckerTest {

    private static final String T = "tx";

    private final TransactionChecker checker = new TransactionChecker();
    private final List<Transaction> transactions = new ArrayList<>(List.of(
            transaction(0, Transaction.Outcome.COMMITTED, 0, 1, 2),
            transaction(1, Transaction.Outcome.ABORTED, 1, 2),
            transaction(2, Transaction.Outcome.UNKNOWN, 2, 0),
            transaction(3, Transaction.Outcome.UNKNOWN, 0, 1),
            transaction(4, Transaction.Outcome.COMMITTED, 1, 2)));
    private final Map<Integer, NavigableMap<Long, String>> log = new HashMap<>();
    private final Map<Integer, NavigableMap<Long, String>> visible = new HashMap<>();
    private final List<ConsumerEvent> events = new ArrayList<>();

    TransactionCheckerTest() {
        for (int p = 0; p < 3; p++) {
            log.put(p, new TreeMap<>());
            visible.put(p, new TreeMap<>());
        }
        write(0, 0, 0, 3, true);
        write(0, 1, 0, 3, true);
        write(0, 2, 0, 3, true);
        write(1, 0, 1, 2, false);
        write(1, 1, 1, 2, false);
        write(2, 0, 2, 2, true);
        write(2, 1, 2, 2, true);
        write(3, 0, 4, 2, false);
        write(3, 1, 3, 2, false);
        write(4, 0, 5, 2, true);
        write(4, 1, 4, 2, true);
        visible.forEach((p, records) -> records.forEach((offset, value) -> {
            events.add(ConsumerEvent.read("solo", null, p, offset, value, 2000));
            events.add(ConsumerEvent.read(p == 2 ? "b" : "a", "g", p, offset, value, 2000));
        }));
    }

    private static Transaction transaction(long number, Transaction.Outcome outcome, Integer... partitions) {
        return new Transaction(T, number, List.of(partitions), outcome, 1000 + number, 1100 + number,
                outcome == Transaction.Outcome.COMMITTED ? null : "test");
    }

    /** Puts record {@code index} of transaction {@code number} at {@code offset} of its partition. */
    private void write(long number, int index, long offset, int count, boolean committed) {
        int partition = transactions.get((int) number).partitions().get(index);
        String value = Transaction.valueOf(T, number, index, count);
        log.get(partition).put(offset, value);
        if (committed) {
            visible.get(partition).put(offset, value);
        }
    }

    private List<Anomaly> check() {
        return checker.check(new TransactionHistory("chaos-tx", transactions, events, visible, log));
    }

    private static String value(long number, int index, int count) {
        return Transaction.valueOf(T, number, index, count);
    }

    @Test
    void aCleanHistoryHasNoAnomaly() {
        assertThat(check()).isEmpty();
    }

    @Test
    void aConsumerReadingARecordOfAnAbortedTransactionIsAnAbortedRead() {
        events.add(ConsumerEvent.read("solo", null, 1, 1, value(1, 0, 2), 2100));

        assertThat(check()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.ABORTED_READ);
            assertThat(a.records()).isEqualTo(1);
            assertThat(a.detail()).startsWith("solo saw 1 of the 2 records of aborted transaction tx:1");
        });
    }

    @Test
    void theFinalReadHoldingAnAbortedTransactionIsAnAbortedRead() {
        visible.get(1).put(1L, value(1, 0, 2));
        visible.get(2).put(1L, value(1, 1, 2));

        assertThat(check()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.ABORTED_READ);
            assertThat(a.records()).isEqualTo(2);
            assertThat(a.detail()).startsWith(TransactionChecker.FINAL_READ + " saw 2 of the 2");
        });
    }

    @Test
    void theFinalReadHoldingPartOfACommittedTransactionIsPartial() {
        visible.get(2).remove(0L);
        removeReads(0, 2);

        assertThat(check()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.PARTIAL_TRANSACTION);
            assertThat(a.partition()).isEqualTo(0);
            assertThat(a.records()).isEqualTo(1);
            assertThat(a.detail()).contains("COMMITTED transaction tx:0, not indices [2]");
        });
    }

    @Test
    void anUnknownTransactionIsHeldToAllOrNothing() {
        visible.get(1).put(3L, value(3, 1, 2)); // half of tx:3, which may have committed or not
        events.add(ConsumerEvent.read("solo", null, 1, 3, value(3, 1, 2), 2100));
        events.add(ConsumerEvent.read("a", "g", 1, 3, value(3, 1, 2), 2100));

        assertThat(check()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.PARTIAL_TRANSACTION);
            assertThat(a.detail()).contains("UNKNOWN transaction tx:3, not indices [0]");
        });
    }

    @Test
    void aConsumerPassingOverARecordOfATransactionItReadIsPartial() {
        events.removeIf(e -> e.consumer().equals("solo") && e.partition() == 1 && e.offset() == 0);

        assertThat(check()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.PARTIAL_TRANSACTION);
            assertThat(a.partition()).isEqualTo(1);
            assertThat(a.detail()).startsWith("solo read records").contains("tx:0").contains("{1=p1@0}");
        });
    }

    @Test
    void aConsumerThatHasNotReachedTheRestOfATransactionIsNotPartial() {
        // the group stopped before p2 got to tx:4's second record: beyond what it read there, not passed over
        events.removeIf(e -> e.consumer().equals("b") && e.offset() == 4);

        assertThat(check()).isEmpty();
    }

    @Test
    void aGroupMissingAWholeTransactionBelowWhatItReadSkipped() {
        // p2@2 lies below the group's last read there (p2@4), p0@2 beyond its last read of p0 (p0@0)
        events.removeIf(e -> "g".equals(e.group()) && e.value().startsWith("tx:2:"));

        assertThat(check()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.SKIPPED);
            assertThat(a.partition()).isEqualTo(2);
            assertThat(a.detail()).isEqualTo("g read chaos-tx p2 up to offset 5 and never read offsets [2]");
        });
    }

    @Test
    void aCommittedTransactionMissingEntirelyIsLost() {
        visible.get(1).remove(5L);
        visible.get(2).remove(4L);
        removeReads(4, 0);
        removeReads(4, 1);

        assertThat(check()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.LOST);
            assertThat(a.partition()).isEqualTo(1);
            assertThat(a.records()).isEqualTo(2);
        });
    }

    @Test
    void anUnknownTransactionAConsumerSawMustBeInTheFinalRead() {
        visible.get(2).remove(2L);
        visible.get(0).remove(2L);

        // the consumers read tx:2 (so it committed); the final read lost it
        assertThat(check()).extracting(Anomaly::kind).containsExactly(Anomaly.Kind.LOST);
    }

    @Test
    void anUnknownTransactionMissingEntirelyIsFine() {
        assertThat(check()).isEmpty();
        assertThat(visible.values()).allSatisfy(records -> assertThat(records.values())
                .noneMatch(v -> v.startsWith("tx:3:")));
    }

    @Test
    void aValueTwiceInTheFinalReadIsDuplicated() {
        log.get(0).put(7L, value(0, 0, 3));
        visible.get(0).put(7L, value(0, 0, 3));

        assertThat(check()).extracting(Anomaly::kind).containsExactly(Anomaly.Kind.DUPLICATED);
    }

    @Test
    void aReadTheLogDoesNotHoldIsInconsistent() {
        events.add(ConsumerEvent.read("solo", null, 0, 1, value(4, 0, 2), 2100));

        assertThat(check()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.INCONSISTENT);
            assertThat(a.detail()).contains("the read_uncommitted final read has nothing there");
        });
    }

    @Test
    void aRecordOfNoTransactionIsUnexpected() {
        log.get(0).put(9L, "stranger");
        visible.get(0).put(9L, "stranger");
        log.get(0).put(10L, value(0, 0, 4)); // tx:0 has three records, not four
        visible.get(0).put(10L, value(0, 0, 4));

        assertThat(check()).extracting(Anomaly::kind).containsExactly(Anomaly.Kind.UNEXPECTED,
                Anomaly.Kind.UNEXPECTED);
    }

    @Test
    void theCheckerReportsTransactionalAnomaliesWithTheOthers() {
        events.add(ConsumerEvent.read("solo", null, 1, 1, value(1, 0, 2), 2100));
        History history = new History(List.of(), Set.of(), List.of(), Map.of(),
                new TransactionHistory("chaos-tx", transactions, events, visible, log));

        CheckResult result = new Checker().check(history);

        assertThat(result.count(Anomaly.Kind.ABORTED_READ)).isEqualTo(1);
        assertThat(result.clean()).isFalse();
    }

    private void removeReads(long number, int index) {
        String value = transactions.get((int) number).partitions().size() == 3 ? value(number, index, 3)
                : value(number, index, 2);
        events.removeIf(e -> value.equals(e.value()));
    }
}
