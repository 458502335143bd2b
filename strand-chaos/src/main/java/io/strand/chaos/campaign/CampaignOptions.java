package io.strand.chaos.campaign;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A campaign's settings, from the command line ({@link #parse}); each checked here with the option
 * and the bad value named.
 *
 * <pre>
 * --system strand          the system under test: strand, kafka (see ClusterLauncher.systems()) or both
 *                          (each seed against Strand, then Kafka)
 * --seed N                 the first schedule's seed (default: random); schedule i runs seed N + i
 * --schedules N            schedules in a row (default 1)
 * --duration S             seconds of faults under load per schedule (default 60)
 * --every-kind N           N faults of each kind (round after round, each in a shuffled order), then
 *                          stop (ignores --duration)
 * --every-kind-once        the same as --every-kind 1
 * --max-quiet-ms N         the longest quiet stretch before a fault (default 5000, at least 2000)
 * --max-hold-ms N          the longest a fault is held (default 8000, at least 3000)
 * --faults a,b,...         the kinds to draw from (default: all of FaultKind.all())
 * --rate N                 sends a second of each Java producer (default 100; the Python one half)
 * --no-python              no librdkafka producer
 * --transactions N         transactional Java producers on the topic chaos-tx, read by read_committed
 *                          consumers (default 2; 0 for none); each begins at most rate / 20 transactions a
 *                          second (at least 1)
 * --results DIR            where results go (default chaos/results)
 * --lab-prefix P           the network lab's names (default chaos)
 * --lab-subnet N           the lab's subnet 10.213.N.0/24 (default 10)
 * </pre>
 */
public record CampaignOptions(String system, long seed, int schedules, int durationSeconds, int everyKindTimes,
                              List<String> faults, int rate, boolean python, Path results, String labPrefix,
                              int labSubnet, long maxQuietMs, long maxHoldMs, int transactions) {

    /** {@code --system both}: each seed against Strand, then against Kafka. */
    public static final String BOTH = "both";

    /** The systems each seed runs against, in order: the one named, or Strand then Kafka for {@link #BOTH}. */
    public List<String> systems() {
        return system.equals(BOTH) ? List.of("strand", "kafka") : List.of(system);
    }

    /** Whether the schedule is every kind {@link #everyKindTimes()} times (else as many faults as fit the duration). */
    public boolean byKind() {
        return everyKindTimes > 0;
    }

    public static CampaignOptions defaults() {
        return new CampaignOptions("strand", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2), 1, 60, 0,
                List.of(), 100, true, Path.of("chaos", "results"), "chaos", 10, Schedule.MAX_QUIET_MS,
                Schedule.MAX_HOLD_MS, 2);
    }

    public static CampaignOptions parse(String[] args) {
        CampaignOptions o = defaults();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--every-kind-once" -> o = o.with(b -> b.everyKindTimes = 1);
                case "--no-python" -> o = o.with(b -> b.python = false);
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(option + " needs a value (or is not an option)");
                    }
                    String value = args[++i];
                    o = switch (option) {
                        case "--system" -> o.with(b -> b.system = value);
                        case "--seed" -> o.with(b -> b.seed = number(option, value, Long.MIN_VALUE));
                        case "--schedules" -> o.with(b -> b.schedules = (int) number(option, value, 1));
                        case "--duration" -> o.with(b -> b.durationSeconds = (int) number(option, value, 1));
                        case "--every-kind" -> o.with(b -> b.everyKindTimes = (int) number(option, value, 1));
                        case "--faults" -> o.with(b -> b.faults = List.of(value.split(",")));
                        case "--rate" -> o.with(b -> b.rate = (int) number(option, value, 2));
                        case "--results" -> o.with(b -> b.results = Path.of(value));
                        case "--lab-prefix" -> o.with(b -> b.labPrefix = value);
                        case "--lab-subnet" -> o.with(b -> b.labSubnet = (int) number(option, value, 0));
                        case "--max-quiet-ms" -> o.with(b -> b.maxQuietMs = number(option, value,
                                Schedule.MIN_QUIET_MS));
                        case "--max-hold-ms" -> o.with(b -> b.maxHoldMs = number(option, value, Schedule.MIN_HOLD_MS));
                        case "--transactions" -> o.with(b -> b.transactions = (int) number(option, value, 0));
                        default -> throw new IllegalArgumentException("unknown option " + option);
                    };
                }
            }
        }
        if (!o.system.equals(BOTH) && !ClusterLauncher.systems().containsKey(o.system)) {
            throw new IllegalArgumentException("--system " + o.system + ": known are "
                    + new java.util.TreeSet<>(ClusterLauncher.systems().keySet()) + " and " + BOTH);
        }
        o.kinds(); // names every unknown kind now
        return o;
    }

    /** Transactions a second each transactional producer begins at most: a twentieth of {@link #rate()}, at least 1. */
    public int transactionRate() {
        return Math.max(1, rate / 20);
    }

    /** The kinds to draw from: every kind, or those {@code --faults} names. */
    public List<FaultKind> kinds() {
        List<FaultKind> all = FaultKind.all();
        if (faults.isEmpty()) {
            return all;
        }
        List<FaultKind> chosen = new ArrayList<>();
        for (String name : faults) {
            chosen.add(all.stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("--faults " + name + ": known are "
                            + all.stream().map(FaultKind::name).toList())));
        }
        return chosen;
    }

    private static long number(String option, String value, long min) {
        try {
            long number = Long.parseLong(value);
            if (number < min) {
                throw new IllegalArgumentException(option + " " + value + ": at least " + min);
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + value + " is not a number");
        }
    }

    /** A copy with the fields {@code change} sets. */
    public CampaignOptions with(java.util.function.Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return new CampaignOptions(b.system, b.seed, b.schedules, b.durationSeconds, b.everyKindTimes, b.faults, b.rate,
                b.python, b.results, b.labPrefix, b.labSubnet, b.maxQuietMs, b.maxHoldMs, b.transactions);
    }

    /** The mutable form {@link #with} hands out. */
    public static final class Builder {
        public String system;
        public long seed;
        public int schedules;
        public int durationSeconds;
        public int everyKindTimes;
        public List<String> faults;
        public int rate;
        public boolean python;
        public Path results;
        public String labPrefix;
        public int labSubnet;
        public long maxQuietMs;
        public long maxHoldMs;
        public int transactions;

        Builder(CampaignOptions o) {
            system = o.system;
            seed = o.seed;
            schedules = o.schedules;
            durationSeconds = o.durationSeconds;
            everyKindTimes = o.everyKindTimes;
            faults = o.faults;
            rate = o.rate;
            python = o.python;
            results = o.results;
            labPrefix = o.labPrefix;
            labSubnet = o.labSubnet;
            maxQuietMs = o.maxQuietMs;
            maxHoldMs = o.maxHoldMs;
            transactions = o.transactions;
        }
    }
}
