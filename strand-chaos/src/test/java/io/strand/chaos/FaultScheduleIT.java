package io.strand.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strand.chaos.campaign.CampaignOptions;
import io.strand.chaos.campaign.CampaignRun;
import io.strand.chaos.history.Anomaly;
import io.strand.chaos.report.RunReport;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A short campaign through the campaign runner: a fresh three-node cluster in network namespaces
 * ({@link NetworkLab}), each node's data on its own filesystem ({@link DiskLab}), every fault kind
 * that can happen here once against Strand (in an order drawn from a seed; delay and reordering need
 * tc netem or the packet delayer's iptables, gcc and libnetfilter_queue, and are skipped without both), under idempotent acks=all producers (Java and
 * librdkafka), consumers alone and in a group, and two transactional producers read by read_committed
 * consumers; then healed, a final read and the history checker. Strand fails on any anomaly (an aborted
 * read or a partial transaction included) but a record the client itself sent again under a new epoch
 * ({@code RESENT}, reported).
 *
 * <p>With {@code -Dchaos.kafka=true}, Apache Kafka also runs one round of the same kinds, failing only on
 * a lost acknowledged record (what it promises with acks=all and min.insync.replicas 2), its verdict
 * printed either way; left out of the default build for time, since the recorded campaigns
 * ({@code strand-chaos/run --system both}) compare the two at length.
 *
 * <p>The seed is printed; {@code -Dchaos.seed=N} replays its schedule (the faults, their nodes and
 * lengths; not the interleaving with the load); {@code -Dchaos.transactions=N} sets the transactional
 * producers of Strand's rounds (0 leaves them out). Reports go to {@code target/chaos-results}. Needs
 * root, ip netns and nft: without them the test is skipped, or fails when {@code CI=true}.
 */
class FaultScheduleIT {

    /** The lab's names and subnet; {@code -Dchaos.lab.prefix}/{@code -Dchaos.lab.subnet} keep two runs on one machine apart. */
    private static final String LAB_PREFIX = System.getProperty("chaos.lab.prefix", "strandci");
    private static final int LAB_SUBNET = Integer.getInteger("chaos.lab.subnet", 1);
    private static final Path RESULTS = Path.of("target", "chaos-results");
    /**
     * Rounds of every kind against Strand: one, within the time CI allows (two took about 85 s more);
     * the recorded campaigns ({@code strand-chaos/run}) run many.
     */
    private static final int STRAND_ROUNDS = 1;

    @Test
    void aFaultOfEveryKindUnderLoadLeavesAHistoryWithoutAnomalies() throws Exception {
        CampaignRun.Outcome outcome = everyKind("strand", STRAND_ROUNDS);
        RunReport report = outcome.report();

        // The diagnosis first: a CI log may keep only the start of a long message.
        assertThat(report.check().failing()).as("anomalies of seed %d, %s; diagnosis:%n%s", report.seed(),
                report.verdict(), outcome.diagnosis()).isEmpty();
        assertThat(report.passed()).as(report.verdict()).isTrue();
    }

    @Test
    @EnabledIfSystemProperty(named = "chaos.kafka", matches = "true")
    void kafkaUnderTheSameScheduleLosesNoAcknowledgedRecord() throws Exception {
        RunReport report = everyKind("kafka", 1).report();

        assertThat(report.check().anomalies()).as("records Kafka acknowledged and lost, seed %d", report.seed())
                .filteredOn(a -> a.kind() == Anomaly.Kind.LOST).isEmpty();
        assertThat(report.history().acked()).isPositive();
    }

    /**
     * Runs every kind {@code times} times against {@code system} and checks that each kind ran or was
     * skipped for a reason.
     */
    private static CampaignRun.Outcome everyKind(String system, int times) throws Exception {
        requireLab(LAB_PREFIX);
        long seed = Long.getLong("chaos.seed", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2));
        System.out.println("chaos seed " + seed + " (replay with -Dchaos.seed=" + seed + ")");
        CampaignOptions options = CampaignOptions.defaults().with(o -> {
            o.system = system;
            o.seed = seed;
            o.everyKindTimes = times;
            o.rate = 50;
            o.maxQuietMs = 2_500; // short faults: both systems' runs together within about five minutes
            o.maxHoldMs = 3_500;
            o.results = RESULTS;
            o.labPrefix = LAB_PREFIX;
            o.labSubnet = LAB_SUBNET;
            // no transactional workload unless asked for (Strand's rounds only: Kafka's round checks nothing
            // but lost acknowledged records); with it the Strand round took about 20 s longer
            o.transactions = system.equals("strand") ? Integer.getInteger("chaos.transactions", 2) : 0;
        });

        CampaignRun.Outcome outcome = new CampaignRun(options, seed).run();

        RunReport report = outcome.report();
        System.out.println(report.verdict() + " report=" + outcome.dir().toAbsolutePath().resolve("report.md")
                + " skipped=" + report.skipped());
        // What may be skipped: delay and reordering where no packet delayer can be built (tc netem would
        // do instead where the kernel has it), the disk faults where no disk lab can be made.
        Set<String> maySkip = new HashSet<>();
        if (PacketDelayer.unavailableBecause() != null) {
            maySkip.addAll(Set.of("delay", "reorder"));
        }
        if (DiskLab.unusableBecause() != null) {
            maySkip.addAll(Set.of("disk-full", "disk-errors"));
        }
        assertThat(report.skipped().keySet()).as("kinds skipped").isSubsetOf(maySkip);
        assertThat(report.faults()).as("faults run")
                .hasSize(times * (options.kinds().size() - report.skipped().size()));
        return outcome;
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
