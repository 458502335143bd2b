package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetKey;
import io.strand.coordinator.group.record.CoordinatorRecord.OffsetValue;
import io.strand.coordinator.runtime.CoordinatorLog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link OffsetsTopicRecordLog} writes for each kind of append and hands back when a shard loads. */
class OffsetsTopicRecordLogTest {

    private final InMemoryOffsetsTopicLog log = new InMemoryOffsetsTopicLog();
    private final OffsetsTopicRecordLog records = new OffsetsTopicRecordLog(log, new ManualTime(), DerivedTopicIds.INSTANCE);

    private static CoordinatorRecord offset(String topic, long committed) {
        return new CoordinatorRecord(new OffsetKey("g", topic, 0), new OffsetValue(committed, -1, "", 0L, -1L));
    }

    @Test
    void loadHandsBackPlainAndTransactionalRecordsAndMarkersInLogOrder() {
        records.append(0, List.of(offset("a", 1))).join();
        records.appendTransactional(0, 7L, (short) 2, List.of(offset("b", 2), offset("c", 3))).join();
        records.appendMarker(0, 7L, (short) 2, 5, true).join();
        records.appendTransactional(0, 8L, (short) 0, List.of(offset("d", 4))).join();
        records.appendMarker(0, 8L, (short) 0, 5, false).join();
        List<String> seen = new ArrayList<>();

        long end = records.load(0, new CoordinatorLog.RecordVisitor<>() {
            @Override
            public void visit(long offset, CoordinatorRecord record) {
                seen.add(offset + " plain " + ((OffsetKey) record.key()).topic());
            }

            @Override
            public void visitTransactional(long offset, long producerId, short producerEpoch,
                                           CoordinatorRecord record) {
                seen.add(offset + " p" + producerId + "/" + producerEpoch + " " + ((OffsetKey) record.key()).topic());
            }

            @Override
            public void visitMarker(long offset, long producerId, short producerEpoch, boolean commit) {
                seen.add(offset + " " + (commit ? "commit" : "abort") + " p" + producerId + "/" + producerEpoch);
            }
        });

        assertThat(end).isEqualTo(6L);
        assertThat(seen).containsExactly("0 plain a", "1 p7/2 b", "2 p7/2 c", "3 commit p7/2", "4 p8/0 d",
                "5 abort p8/0");
    }
}
