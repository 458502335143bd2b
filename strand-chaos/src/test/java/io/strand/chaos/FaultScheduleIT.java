package io.strand.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strand.chaos.campaign.CampaignOptions;
import io.strand.chaos.campaign.CampaignRun;
import io.strand.chaos.report.RunReport;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * A short campaign through the campaign runner: a fresh three-node cluster in network namespaces
 * ({@link NetworkLab}), every fault kind once in an order drawn from a seed, under idempotent acks=all
 * producers (Java and librdkafka) and consumers alone and in a group; then healed, a final read and
 * the history checker. Fails on any anomaly, printing the verdict and the report's path.
 *
 * <p>The seed is printed; {@code -Dchaos.seed=N} replays its schedule (the faults, their nodes and
 * lengths; not the interleaving with the load). Reports go to {@code target/chaos-results}. Needs
 * root, ip netns and nft: without them the test is skipped, or fails when {@code CI=true}.
 */
class FaultScheduleIT {

    /** The lab's names and subnet; {@code -Dchaos.lab.prefix}/{@code -Dchaos.lab.subnet} keep two runs on one machine apart. */
    private static final String LAB_PREFIX = System.getProperty("chaos.lab.prefix", "strandci");
    private static final int LAB_SUBNET = Integer.getInteger("chaos.lab.subnet", 1);
    private static final Path RESULTS = Path.of("target", "chaos-results");

    @Test
    void everyFaultKindOnceUnderLoadLeavesAHistoryWithoutAnomalies() throws Exception {
        requireLab(LAB_PREFIX);
        long seed = Long.getLong("chaos.seed", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2));
        System.out.println("chaos seed " + seed + " (replay with -Dchaos.seed=" + seed + ")");
        CampaignOptions options = CampaignOptions.defaults().with(o -> {
            o.seed = seed;
            o.everyKindOnce = true;
            o.rate = 50;
            o.results = RESULTS;
            o.labPrefix = LAB_PREFIX;
            o.labSubnet = LAB_SUBNET;
        });

        CampaignRun.Outcome outcome = new CampaignRun(options, seed).run();

        RunReport report = outcome.report();
        System.out.println(report.verdict() + " report=" + outcome.dir().toAbsolutePath().resolve("report.md"));
        assertThat(report.faults()).as("faults run").hasSize(options.kinds().size());
        assertThat(report.check().anomalies()).as("anomalies of seed %d (report %s)", seed, outcome.dir()).isEmpty();
        assertThat(report.passed()).as(report.verdict()).isTrue();
    }

    /** Skips (or fails, on CI) without what a lab needs. */
    static void requireLab(String prefix) {
        String missing = NetworkLab.unusableBecause(prefix);
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(missing + " (CI=true: the fault lab must run)");
        }
        assumeThat(missing).as(missing + " (set CI=true to fail instead of skipping)").isNull();
    }
}
