package io.strand.metadata.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControllerSimulationTest {

    @Test
    void aSeedReplaysTheSameRun() {
        ControllerSimulation.Stats first = new ControllerSimulation(42, InjectedBug.NONE).run();
        ControllerSimulation.Stats second = new ControllerSimulation(42, InjectedBug.NONE).run();
        ControllerSimulation.Stats other = new ControllerSimulation(43, InjectedBug.NONE).run();

        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void runsExerciseEveryFault() {
        List<ControllerSimulation.Stats> runs = new ArrayList<>();
        for (long seed = 1; seed <= 10; seed++) {
            runs.add(new ControllerSimulation(seed, InjectedBug.NONE).run());
        }

        assertThat(runs).allSatisfy(s -> assertThat(s.acks()).isPositive());
        assertThat(runs.stream().mapToInt(ControllerSimulation.Stats::topicsCreated).sum()).isGreaterThan(50);
        assertThat(runs.stream().mapToInt(ControllerSimulation.Stats::crashes).sum()).isPositive();
        assertThat(runs.stream().mapToInt(ControllerSimulation.Stats::leaderChanges).sum()).isGreaterThan(runs.size());
        assertThat(runs.stream().mapToInt(ControllerSimulation.Stats::snapshotsInstalled).sum()).isPositive();
        assertThat(runs.stream().mapToLong(ControllerSimulation.Stats::messagesLost).sum()).isPositive();
        assertThat(runs.stream().mapToInt(ControllerSimulation.Stats::brokersFenced).sum()).isGreaterThan(runs.size());
        assertThat(runs.stream().mapToInt(ControllerSimulation.Stats::controlledShutdowns).sum()).isPositive();
        assertThat(runs.stream().mapToInt(ControllerSimulation.Stats::partitionLeaderChanges).sum())
                .isGreaterThan(runs.size());
    }
}
