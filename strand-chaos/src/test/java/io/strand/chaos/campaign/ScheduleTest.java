package io.strand.chaos.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.chaos.Nemesis;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    /** Making faults touches neither the lab nor the cluster: only starting them does. */
    private final FaultContext context = new FaultContext(new Nemesis(null, null), 3, 3, p -> 1);

    private static List<String> described(List<Schedule.Entry> entries) {
        return entries.stream().map(e -> e.kind() + "|" + (e.kind().equals("leader-cut") ? "" : e.fault().describe())
                + "|" + e.quietBeforeMs() + "|" + e.holdMs()).toList();
    }

    @Test
    void aSeedNamesTheSameScheduleEveryTime() {
        List<FaultKind> kinds = FaultKind.networkAndProcess();

        assertThat(described(Schedule.build(7, kinds, context, 20)))
                .isEqualTo(described(Schedule.build(7, kinds, context, 20)))
                .isNotEqualTo(described(Schedule.build(8, kinds, context, 20)));
    }

    @Test
    void everyKindComesOnceBeforeAnyIsDrawnAgain() {
        List<FaultKind> kinds = FaultKind.networkAndProcess();

        List<Schedule.Entry> entries = Schedule.build(3, kinds, context, 10);

        assertThat(entries.subList(0, kinds.size())).extracting(Schedule.Entry::kind)
                .containsExactlyInAnyOrderElementsOf(kinds.stream().map(FaultKind::name).toList());
        assertThat(entries).hasSize(10).allSatisfy(e -> {
            assertThat(e.holdMs()).isBetween(Schedule.MIN_HOLD_MS, Schedule.MAX_HOLD_MS);
            assertThat(e.quietBeforeMs()).isBetween(Schedule.MIN_QUIET_MS, Schedule.MAX_QUIET_MS);
        });
    }

    @Test
    void roundsBringEveryKindOncePerRoundAndTheFirstRoundIsTheSeedsUsualSchedule() {
        List<FaultKind> kinds = FaultKind.networkAndProcess();

        List<Schedule.Entry> entries = Schedule.rounds(9, kinds, context, 3, 2_500, 3_500);

        assertThat(entries).hasSize(3 * kinds.size());
        for (int round = 0; round < 3; round++) {
            assertThat(entries.subList(round * kinds.size(), (round + 1) * kinds.size()))
                    .extracting(Schedule.Entry::kind)
                    .containsExactlyInAnyOrderElementsOf(kinds.stream().map(FaultKind::name).toList());
        }
        assertThat(entries.subList(0, kinds.size())).extracting(Schedule.Entry::kind)
                .isNotEqualTo(entries.subList(kinds.size(), 2 * kinds.size()).stream().map(Schedule.Entry::kind)
                        .toList());
        assertThat(described(Schedule.rounds(9, kinds, context, 1, 2_500, 3_500)))
                .isEqualTo(described(Schedule.build(9, kinds, context, kinds.size(), 2_500, 3_500)));
        assertThat(described(Schedule.rounds(9, kinds, context, 3, 2_500, 3_500))).isEqualTo(described(entries));
        assertThatThrownBy(() -> Schedule.rounds(9, kinds, context, 0, 2_500, 3_500)).hasMessageContaining("rounds 0");
    }

    @Test
    void everyKindOptionsSetHowManyOfEachKind() {
        assertThat(CampaignOptions.parse(new String[] {"--every-kind", "3"}).everyKindTimes()).isEqualTo(3);
        assertThat(CampaignOptions.parse(new String[] {"--every-kind-once"}).everyKindTimes()).isEqualTo(1);
        assertThat(CampaignOptions.defaults().byKind()).isFalse();
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--every-kind", "0"}))
                .hasMessageContaining("--every-kind 0");
    }

    @Test
    void aFaultThatCannotHappenHereIsDrawnAndMarkedSkipped() {
        List<Schedule.Entry> entries = Schedule.build(11, FaultKind.all().stream()
                .filter(k -> !k.name().equals("delay") && !k.name().equals("reorder")).toList(), context, 10);

        assertThat(entries).hasSize(10).filteredOn(Schedule.Entry::skipped).extracting(Schedule.Entry::kind)
                .containsExactlyInAnyOrder("disk-full", "disk-errors");
        assertThat(entries).filteredOn(Schedule.Entry::skipped).allSatisfy(e ->
                assertThat(e.skippedBecause()).contains("not on a disk lab"));
        assertThat(entries).filteredOn(e -> !e.skipped()).extracting(Schedule.Entry::kind)
                .contains("loss", "slow-link", "kill9");
    }

    @Test
    void everyKindHasAName() {
        assertThat(FaultKind.all()).extracting(FaultKind::name).containsExactly("isolate", "leader-cut", "asymmetric",
                "bridge", "kill9", "pause", "disk-full", "disk-errors", "loss", "slow-link", "delay", "reorder");
        assertThat(CampaignOptions.defaults().kinds()).isEqualTo(FaultKind.all());
    }

    @Test
    void aShortScheduleKeepsItsFaultsAndQuietStretchesWithinTheGivenMaxima() {
        CampaignOptions options = CampaignOptions.parse(new String[] {"--max-quiet-ms", "2500", "--max-hold-ms", "3500"});

        List<Schedule.Entry> entries = Schedule.build(5, FaultKind.networkAndProcess(), context, 20,
                options.maxQuietMs(), options.maxHoldMs());

        assertThat(entries).hasSize(20).allSatisfy(e -> {
            assertThat(e.holdMs()).isBetween(Schedule.MIN_HOLD_MS, 3_500L);
            assertThat(e.quietBeforeMs()).isBetween(Schedule.MIN_QUIET_MS, 2_500L);
        });
        assertThat(entries).extracting(Schedule.Entry::kind).isEqualTo(Schedule.build(5, FaultKind.networkAndProcess(),
                context, 20).stream().map(Schedule.Entry::kind).toList());
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--max-hold-ms", "1000"}))
                .hasMessageContaining("--max-hold-ms 1000");
    }

    @Test
    void bothSystemsRunStrandThenKafka() {
        assertThat(CampaignOptions.parse(new String[] {"--system", "both"}).systems()).containsExactly("strand", "kafka");
        assertThat(CampaignOptions.parse(new String[] {"--system", "kafka"}).systems()).containsExactly("kafka");
        assertThat(CampaignOptions.defaults().systems()).containsExactly("strand");
    }

    @Test
    void optionsNameTheBadValue() {
        CampaignOptions options = CampaignOptions.parse(new String[] {"--seed", "5", "--schedules", "30",
            "--duration", "90", "--faults", "kill9,pause", "--results", "/tmp/r"});

        assertThat(options.seed()).isEqualTo(5);
        assertThat(options.schedules()).isEqualTo(30);
        assertThat(options.kinds()).extracting(FaultKind::name).containsExactly("kill9", "pause");
        assertThat(options.results()).isEqualTo(Path.of("/tmp/r"));
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--faults", "flood"}))
                .hasMessageContaining("--faults flood");
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--system", "redpanda"}))
                .hasMessageContaining("--system redpanda");
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--duration", "0"}))
                .hasMessageContaining("--duration 0");
    }
}
