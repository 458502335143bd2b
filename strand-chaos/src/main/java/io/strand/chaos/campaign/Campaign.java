package io.strand.chaos.campaign;

import io.strand.chaos.NetworkLab;
import io.strand.chaos.report.CampaignSummary;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The campaign's command: {@code --schedules N} schedules in a row ({@link CampaignRun}) from
 * {@code --seed} on (with {@code --system both}, each seed against Strand and then Kafka), each verdict printed as it comes, then a summary across them
 * ({@code <results>/<time>-<system>-summary/}) and its verdict. Exit status 0 if every schedule
 * passed, 1 if one did not or could not run, 2 on bad options or a lab that cannot be made. Options: {@link CampaignOptions}.
 */
public final class Campaign {

    private Campaign() {
    }

    public static void main(String[] args) throws Exception {
        CampaignOptions options;
        try {
            options = CampaignOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("strand-chaos: " + e.getMessage());
            System.exit(2);
            return;
        }
        String missing = NetworkLab.unusableBecause(options.labPrefix());
        if (missing != null) {
            System.err.println("strand-chaos: " + missing);
            System.exit(2);
        }
        CampaignSummary summary = run(options);
        System.exit(summary.passed() ? 0 : 1);
    }

    /** Runs every schedule of {@code options}, writes the summary and prints every verdict. */
    public static CampaignSummary run(CampaignOptions options) throws Exception {
        CampaignSummary summary = new CampaignSummary();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        for (int i = 0; i < options.schedules(); i++) {
            long seed = options.seed() + i;
            for (String system : options.systems()) {
                CampaignOptions one = options.with(o -> o.system = system);
                try {
                    CampaignRun.Outcome outcome = new CampaignRun(one, seed).run();
                    summary.add(outcome.report(), outcome.dir());
                    System.out.println(outcome.report().verdict() + " report=" + outcome.dir().resolve("report.md"));
                } catch (Exception e) {
                    // the schedule could not be checked: the campaign fails, the next schedule still runs
                    summary.addError(system, seed, e);
                    System.out.println("ERROR " + system + " seed=" + seed + ": " + e);
                    e.printStackTrace();
                }
            }
        }
        Path dir = options.results().resolve(stamp + "-" + options.system() + "-summary");
        summary.write(dir);
        System.out.println(summary.verdict() + " summary=" + dir.resolve("summary.md"));
        return summary;
    }
}
