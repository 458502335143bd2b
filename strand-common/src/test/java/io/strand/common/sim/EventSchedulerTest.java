package io.strand.common.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventSchedulerTest {

    private final EventScheduler scheduler = new EventScheduler(new ManualTime(0));

    @Test
    void runsEventsInDueOrderThenScheduleOrderAndMovesTheClock() {
        List<String> ran = new ArrayList<>();
        scheduler.schedule(20, () -> ran.add("b@" + scheduler.nowMs()));
        scheduler.schedule(10, () -> ran.add("a@" + scheduler.nowMs()));
        scheduler.schedule(20, () -> ran.add("c@" + scheduler.nowMs()));
        scheduler.execute(() -> ran.add("now@" + scheduler.nowMs()));

        scheduler.runUntil(100);

        assertThat(ran).containsExactly("now@0", "a@10", "b@20", "c@20");
        assertThat(scheduler.nowMs()).isEqualTo(100);
    }

    @Test
    void cancelledEventsDoNotRunAndPeriodicEventsRepeatWhileAsked() {
        List<Long> ticks = new ArrayList<>();
        scheduler.schedule(5, () -> ticks.add(-1L)).cancel();
        scheduler.schedulePeriodic(10, 10, () -> {
            ticks.add(scheduler.nowMs());
            return ticks.size() < 3;
        });

        scheduler.runUntil(1_000);

        assertThat(ticks).containsExactly(10L, 20L, 30L);
    }

    @Test
    void anInvariantIsCheckedAfterEveryEvent() {
        int[] counter = {0};
        scheduler.addInvariant(() -> {
            if (counter[0] > 1) {
                throw new AssertionError("counter=" + counter[0]);
            }
        });
        scheduler.schedule(1, () -> counter[0]++);
        scheduler.schedule(2, () -> counter[0]++);
        scheduler.runUntil(1);

        assertThatThrownBy(() -> scheduler.runUntil(2)).isInstanceOf(AssertionError.class).hasMessage("counter=2");
    }
}
