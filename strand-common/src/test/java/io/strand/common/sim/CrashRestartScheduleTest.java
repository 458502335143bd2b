package io.strand.common.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CrashRestartScheduleTest {

    /** A process that records its crashes and restarts and how many were down at once. */
    private static final class Process implements Restartable {
        final int id;
        final int[] down;
        boolean up = true;
        int crashes;
        int restarts;
        int maxDown;

        Process(int id, int[] down) {
            this.id = id;
            this.down = down;
        }

        @Override
        public int nodeId() {
            return id;
        }

        @Override
        public boolean isUp() {
            return up;
        }

        @Override
        public void crash() {
            up = false;
            crashes++;
            down[0]++;
            maxDown = Math.max(maxDown, down[0]);
        }

        @Override
        public void restart() {
            up = true;
            restarts++;
            down[0]--;
        }
    }

    @Test
    void crashesAtMostMaxDownAtOnceAndRestartsEveryCrashedProcess() {
        EventScheduler scheduler = new EventScheduler(new ManualTime(0));
        int[] down = {0};
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            processes.add(new Process(i, down));
        }
        CrashRestartSchedule schedule = new CrashRestartSchedule(scheduler, new Random(3), processes, 2, 0.5, 10, 500);
        schedule.start(20);
        scheduler.runUntil(10_000);
        schedule.stop();
        scheduler.runUntil(11_000);

        assertThat(schedule.crashes()).isGreaterThan(10);
        assertThat(processes).allSatisfy(p -> {
            assertThat(p.up).isTrue();
            assertThat(p.restarts).isEqualTo(p.crashes);
            assertThat(p.maxDown).isLessThanOrEqualTo(2);
        });
        assertThat(processes.stream().mapToInt(p -> p.crashes).sum()).isEqualTo(schedule.crashes());
    }
}
