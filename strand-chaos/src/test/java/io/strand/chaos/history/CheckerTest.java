package io.strand.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * One hand-made history per anomaly: the clean history is clean, and each change that breaks one
 * promise is flagged as exactly that anomaly, on the right partition and with the right count.
 */
class CheckerTest {

    private static final String P = "p";
    private static final String G = "g";

    private final Checker checker = new Checker();

    /** Producer p sends p#0..p#3 to partition 0, all acknowledged at offsets 0..3. */
    private final List<Send> sends = new ArrayList<>(List.of(
            Send.acked(P, 0, 0, 1000, 0, 1010),
            Send.acked(P, 1, 0, 1001, 1, 1011),
            Send.acked(P, 2, 0, 1002, 2, 1012),
            Send.acked(P, 3, 0, 1003, 3, 1013)));
    private final NavigableMap<Long, String> partition0 = new TreeMap<>(Map.of(0L, "p#0", 1L, "p#1", 2L, "p#2",
            3L, "p#3"));
    private final List<ConsumerEvent> events = new ArrayList<>();

    private History history() {
        return new History(sends, Set.of(P), events, Map.of(0, partition0));
    }

    private CheckResult check() {
        return checker.check(history());
    }

    /** A lone reader and a group of two that hand partition 0 over at a commit, all as they should. */
    private void readersAsTheyShould() {
        events.add(ConsumerEvent.assigned("solo", null, 0, 0, 1100));
        for (long offset = 0; offset < 4; offset++) {
            events.add(ConsumerEvent.read("solo", null, 0, offset, "p#" + offset, 1101 + offset));
        }
        events.add(ConsumerEvent.assigned("a", G, 0, 0, 1200));
        events.add(ConsumerEvent.read("a", G, 0, 0, "p#0", 1201));
        events.add(ConsumerEvent.read("a", G, 0, 1, "p#1", 1202));
        events.add(ConsumerEvent.committed("a", G, 0, 2, 1203));
        events.add(ConsumerEvent.read("a", G, 0, 2, "p#2", 1204)); // read, not committed: b may read it again
        events.add(ConsumerEvent.revoked("a", G, 0, 3, 1205));
        events.add(ConsumerEvent.assigned("b", G, 0, 2, 1300));
        events.add(ConsumerEvent.read("b", G, 0, 2, "p#2", 1301));
        events.add(ConsumerEvent.read("b", G, 0, 3, "p#3", 1302));
        events.add(ConsumerEvent.committed("b", G, 0, 4, 1303));
    }

    @Test
    void aCleanHistoryHasNoAnomaly() {
        readersAsTheyShould();
        // a failed send that landed, and an unknown one that did not: neither lost nor required
        sends.add(new Send(P, 4, 0, "p#4", 1004, Send.Outcome.FAILED, -1, 1500, "TimeoutException"));
        sends.add(new Send(P, 5, 0, "p#5", 1005, Send.Outcome.UNKNOWN, -1, -1, null));
        partition0.put(4L, "p#4");

        assertThat(check().anomalies()).isEmpty();
    }

    @Test
    void anAcknowledgedRecordMissingFromTheFinalReadIsLost() {
        partition0.remove(3L);

        assertThat(check().anomalies()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.LOST);
            assertThat(a.partition()).isZero();
            assertThat(a.detail()).contains("p#3");
        });
    }

    @Test
    void aFailedOrUnknownSendMissingFromTheFinalReadIsNotLost() {
        sends.set(3, new Send(P, 3, 0, "p#3", 1003, Send.Outcome.FAILED, -1, 1013, "timeout"));
        partition0.remove(3L);
        sends.add(new Send(P, 4, 0, "p#4", 1004, Send.Outcome.UNKNOWN, -1, -1, null));

        assertThat(check().anomalies()).isEmpty();
    }

    @Test
    void anIdempotentProducersValueTwiceIsDuplicated() {
        partition0.put(4L, "p#3");

        CheckResult result = check();
        assertThat(result.anomalies()).extracting(Anomaly::kind).containsOnly(Anomaly.Kind.DUPLICATED);
        assertThat(result.count(Anomaly.Kind.DUPLICATED)).isEqualTo(1);
    }

    @Test
    void aCopyUnderANewerEpochOfTheSameProducerIdIsResentAndFailsNothing() {
        partition0.put(4L, "p#1");
        partition0.put(5L, "p#2");
        BatchOrigins origins = (partition, offset) -> new BatchOrigins.Origin(7, (short) (offset < 4 ? 0 : 1));

        CheckResult result = checker.check(history(), origins);

        assertThat(result.anomalies()).extracting(Anomaly::kind).containsOnly(Anomaly.Kind.RESENT);
        assertThat(result.count(Anomaly.Kind.RESENT)).isEqualTo(2);
        assertThat(result.anomalies()).first().satisfies(a -> assertThat(a.detail()).contains("pid 7 epochs [0, 1]"));
        assertThat(result.clean()).isTrue();
    }

    @Test
    void aCopyUnderTheSameEpochOrAnotherProducerIdIsDuplicated() {
        partition0.put(4L, "p#1");

        CheckResult sameEpoch = checker.check(history(), (partition, offset) -> new BatchOrigins.Origin(7, (short) 0));
        CheckResult otherPid = checker.check(history(), (partition, offset) ->
                new BatchOrigins.Origin(offset < 4 ? 7 : 8, (short) (offset < 4 ? 0 : 1)));
        CheckResult unknown = checker.check(history(), (partition, offset) -> offset < 4
                ? new BatchOrigins.Origin(7, (short) 0) : null);

        for (CheckResult result : List.of(sameEpoch, otherPid, unknown)) {
            assertThat(result.anomalies()).extracting(Anomaly::kind).containsExactly(Anomaly.Kind.DUPLICATED);
            assertThat(result.clean()).isFalse();
        }
    }

    @Test
    void aProducerWithoutIdempotenceMayWriteAValueTwice() {
        partition0.put(4L, "p#3");

        assertThat(checker.check(new History(sends, Set.of(), events, Map.of(0, partition0))).anomalies()).isEmpty();
    }

    @Test
    void sendsInTheLogInAnotherOrderThanSentAreOutOfOrder() {
        // p#2 was never acknowledged (so its offset is no one's word) but landed before p#1
        sends.set(1, new Send(P, 1, 0, "p#1", 1001, Send.Outcome.UNKNOWN, -1, -1, null));
        sends.set(2, new Send(P, 2, 0, "p#2", 1002, Send.Outcome.UNKNOWN, -1, -1, null));
        partition0.put(1L, "p#2");
        partition0.put(2L, "p#1");

        assertThat(check().anomalies()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.OUT_OF_ORDER);
            assertThat(a.detail()).contains("p#1 at offset 2 after p#2");
        });
    }

    @Test
    void aConsumerReadingAnotherValueAtAnOffsetThanTheFinalReadIsInconsistent() {
        readersAsTheyShould();
        events.add(ConsumerEvent.assigned("other", null, 0, 0, 1400));
        events.add(ConsumerEvent.read("other", null, 0, 0, "p#0", 1401));
        events.add(ConsumerEvent.read("other", null, 0, 1, "p#9", 1402));

        assertThat(check().anomalies()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.INCONSISTENT);
            assertThat(a.detail()).contains("other read p#9 at offset 1");
        });
    }

    @Test
    void aRecordAConsumerReadThatTheFinalReadLacksIsInconsistent() {
        sends.add(new Send(P, 4, 0, "p#4", 1004, Send.Outcome.FAILED, -1, 1500, "NotLeader"));
        events.add(ConsumerEvent.assigned("solo", null, 0, 0, 1100));
        for (long offset = 0; offset < 5; offset++) { // p#4 at offset 4 is read, then truncated away
            events.add(ConsumerEvent.read("solo", null, 0, offset, "p#" + offset, 1101 + offset));
        }

        assertThat(check().anomalies()).extracting(Anomaly::kind).containsExactly(Anomaly.Kind.INCONSISTENT);
    }

    @Test
    void anAcknowledgementAtAnotherOffsetThanTheFinalReadIsInconsistent() {
        sends.set(3, Send.acked(P, 3, 0, 1003, 7, 1013));

        assertThat(check().anomalies()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.INCONSISTENT);
            assertThat(a.detail()).contains("p#3 acknowledged at offset 7");
        });
    }

    @Test
    void anAcknowledgementWithoutAnOffsetIsRequiredButPinsNoOffset() {
        sends.set(3, Send.acked(P, 3, 0, 1003, -1, 1013));

        assertThat(check().anomalies()).isEmpty();
        partition0.remove(3L);
        assertThat(check().anomalies()).extracting(Anomaly::kind).containsExactly(Anomaly.Kind.LOST);
    }

    @Test
    void aRecordNoProducerSentIsUnexpected() {
        partition0.put(4L, "garbage");

        assertThat(check().anomalies()).extracting(Anomaly::kind).containsExactly(Anomaly.Kind.UNEXPECTED);
    }

    @Test
    void aGroupThatLeavesARecordBelowItsCommitUnreadSkips() {
        events.add(ConsumerEvent.assigned("a", G, 0, 0, 1200));
        events.add(ConsumerEvent.read("a", G, 0, 0, "p#0", 1201));
        events.add(ConsumerEvent.committed("a", G, 0, 1, 1202));
        events.add(ConsumerEvent.revoked("a", G, 0, 1, 1203));
        // b starts beyond the commit: offsets 1 and 2 are never read by the group
        events.add(ConsumerEvent.assigned("b", G, 0, 3, 1300));
        events.add(ConsumerEvent.read("b", G, 0, 3, "p#3", 1301));
        events.add(ConsumerEvent.committed("b", G, 0, 4, 1302));

        assertThat(check().anomalies()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.SKIPPED);
            assertThat(a.records()).isEqualTo(2);
            assertThat(a.detail()).contains("g never read offsets 1-2");
        });
    }

    @Test
    void aLoneConsumerThatJumpsSkips() {
        events.add(ConsumerEvent.assigned("solo", null, 0, 0, 1100));
        events.add(ConsumerEvent.read("solo", null, 0, 0, "p#0", 1101));
        events.add(ConsumerEvent.read("solo", null, 0, 2, "p#2", 1102));

        assertThat(check().anomalies()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Anomaly.Kind.SKIPPED);
            assertThat(a.detail()).contains("solo never read offsets 1 ");
        });
    }

    @Test
    void aMemberStartingBelowItsGroupsCommitRepeats() {
        events.add(ConsumerEvent.assigned("a", G, 0, 0, 1200));
        events.add(ConsumerEvent.read("a", G, 0, 0, "p#0", 1201));
        events.add(ConsumerEvent.read("a", G, 0, 1, "p#1", 1202));
        events.add(ConsumerEvent.read("a", G, 0, 2, "p#2", 1203));
        events.add(ConsumerEvent.committed("a", G, 0, 3, 1204));
        events.add(ConsumerEvent.revoked("a", G, 0, 3, 1205));
        // b is handed offset 1 although 3 was committed: offsets 1 and 2 are read again
        events.add(ConsumerEvent.assigned("b", G, 0, 1, 1300));
        events.add(ConsumerEvent.read("b", G, 0, 1, "p#1", 1301));
        events.add(ConsumerEvent.read("b", G, 0, 2, "p#2", 1302));
        events.add(ConsumerEvent.read("b", G, 0, 3, "p#3", 1303));

        CheckResult result = check();
        assertThat(result.anomalies()).extracting(Anomaly::kind).containsOnly(Anomaly.Kind.REPEATED);
        assertThat(result.count(Anomaly.Kind.REPEATED)).isEqualTo(2);
    }

    @Test
    void aConsumerThatRewindsWithinAnAssignmentRepeats() {
        events.add(ConsumerEvent.assigned("solo", null, 0, 0, 1100));
        events.add(ConsumerEvent.read("solo", null, 0, 0, "p#0", 1101));
        events.add(ConsumerEvent.read("solo", null, 0, 1, "p#1", 1102));
        events.add(ConsumerEvent.read("solo", null, 0, 0, "p#0", 1103));
        events.add(ConsumerEvent.read("solo", null, 0, 1, "p#1", 1104));

        CheckResult result = check();
        assertThat(result.anomalies()).extracting(Anomaly::kind).containsOnly(Anomaly.Kind.REPEATED);
        assertThat(result.count(Anomaly.Kind.REPEATED)).isEqualTo(2);
    }

    @Test
    void aCommitWithAnUnknownOutcomeAllowsNothingAndForbidsNothing() {
        events.add(ConsumerEvent.assigned("a", G, 0, 0, 1200));
        events.add(ConsumerEvent.read("a", G, 0, 0, "p#0", 1201));
        events.add(ConsumerEvent.read("a", G, 0, 1, "p#1", 1202));
        events.add(ConsumerEvent.commitUnknown("a", G, 0, 2, 1203));
        events.add(ConsumerEvent.assigned("b", G, 0, 0, 1300)); // the commit did not land: b reads 0 and 1 again
        events.add(ConsumerEvent.read("b", G, 0, 0, "p#0", 1301));
        events.add(ConsumerEvent.read("b", G, 0, 1, "p#1", 1302));

        assertThat(check().anomalies()).isEmpty();
    }

    @Test
    void countsArePerPartition() {
        partition0.remove(3L);
        partition0.remove(2L);

        CheckResult result = check();
        assertThat(result.countsByPartition()).isEqualTo(Map.of(0, Map.of(Anomaly.Kind.LOST, 2L)));
        assertThat(result.count(Anomaly.Kind.LOST)).isEqualTo(2);
    }
}
