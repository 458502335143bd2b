package io.strand.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The harness's command line, as {@code strand-bench/run} passes it on:
 *
 * <pre>
 *   --strand-classpath CP     Strand's jars (strand-server/target/strand-server.jar:…/lib/*)   required
 *   --kafka-classpath CP      Apache Kafka, kafka-tools and their dependencies                   required
 *   --results DIR             where the Markdown and JSON go                                      required
 *   --logs DIR                where each broker's and tool's output goes                          required
 *   --quick                   one round with small record counts
 *   --rounds N                rounds in full mode (default 3, at least 1)
 *   --broker-jvm-options S    JVM options of both brokers (default: those of ./strand)
 *   --strand-revision S       the source revision of the Strand build, recorded with the results
 *   --workload W              single (default: one node each), replicated (three-node clusters), all
 *                             (both), transactions (one node each, the transactional produce figure only),
 *                             tls (one node each with an SSL listener: produce and consume over TLS),
 *                             or metrics (Strand alone, its metrics served and scraped vs no HTTP listener)
 * </pre>
 */
record BenchOptions(String strandClassPath, String kafkaClassPath, Path resultsDir, Path logsDir,
        Workload workload, List<String> brokerJvmOptions, String strandRevision, Scenarios scenarios) {

    /** Which workloads a run measures; a run of other than single-node ones says so in its mode. */
    enum Scenarios {
        SINGLE("single", ""),
        REPLICATED("replicated", "-replicated"),
        ALL("all", "-all"),
        /** One node each, started only for {@link TransactionalProduce} (which {@link #SINGLE} includes). */
        TRANSACTIONS("transactions", "-transactions"),
        /** One node each with an SSL listener, for {@link TlsRun} alone. */
        TLS("tls", "-tls"),
        /** Strand alone, with its metrics served and scraped and without them, for {@link MetricsRun}. */
        METRICS("metrics", "-metrics"),
        /** One node each, started only for {@link ShareConsume}. */
        SHARE("share", "-share");

        private final String option;
        private final String modeSuffix;

        Scenarios(String option, String modeSuffix) {
            this.option = option;
            this.modeSuffix = modeSuffix;
        }

        /** The whole single-node workload, transactional produce included. */
        boolean single() {
            return this == SINGLE || this == ALL;
        }

        boolean replicated() {
            return this == REPLICATED || this == ALL;
        }

        /** One node each with an SSL listener: produce and consume over TLS ({@link TlsRun}). */
        boolean tls() {
            return this == TLS;
        }

        /** Strand alone, metrics on vs off ({@link MetricsRun}); no Kafka. */
        boolean metrics() {
            return this == METRICS;
        }

        /** One node each for the share-group consume figure alone. */
        boolean shareOnly() {
            return this == SHARE;
        }

        /** One node each for the transactional produce figure alone. */
        boolean transactionsOnly() {
            return this == TRANSACTIONS;
        }

        static Scenarios of(String option) {
            for (Scenarios scenarios : values()) {
                if (scenarios.option.equals(option)) {
                    return scenarios;
                }
            }
            throw new IllegalArgumentException("--workload must be single, replicated, all, transactions, tls, metrics or share, got " + option);
        }
    }

    /** {@code ./strand}'s default JVM options; both brokers get the same. */
    static final String DEFAULT_BROKER_JVM_OPTIONS =
            "-Xms128m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError";
    static final int DEFAULT_ROUNDS = 3;

    static BenchOptions parse(String... args) {
        String strandClassPath = null;
        String kafkaClassPath = null;
        Path resultsDir = null;
        Path logsDir = null;
        boolean quick = false;
        int rounds = DEFAULT_ROUNDS;
        String jvmOptions = DEFAULT_BROKER_JVM_OPTIONS;
        String strandRevision = "unknown";
        Scenarios scenarios = Scenarios.SINGLE;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> quick = true;
                case "--strand-classpath" -> strandClassPath = value(args, ++i, arg);
                case "--kafka-classpath" -> kafkaClassPath = value(args, ++i, arg);
                case "--results" -> resultsDir = Path.of(value(args, ++i, arg));
                case "--logs" -> logsDir = Path.of(value(args, ++i, arg));
                case "--broker-jvm-options" -> jvmOptions = value(args, ++i, arg);
                case "--strand-revision" -> strandRevision = value(args, ++i, arg);
                case "--workload" -> scenarios = Scenarios.of(value(args, ++i, arg));
                case "--rounds" -> {
                    String value = value(args, ++i, arg);
                    try {
                        rounds = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--rounds needs a number, got " + value);
                    }
                    if (rounds < 1) {
                        throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        require(strandClassPath, "--strand-classpath");
        require(kafkaClassPath, "--kafka-classpath");
        require(resultsDir, "--results");
        require(logsDir, "--logs");
        List<String> brokerJvmOptions = Arrays.stream(jvmOptions.trim().split("\\s+"))
                .filter(option -> !option.isEmpty()).toList();
        Workload workload = quick ? Workload.quick() : Workload.full(rounds);
        return new BenchOptions(strandClassPath, kafkaClassPath, resultsDir, logsDir,
                workload.withMode(workload.mode() + scenarios.modeSuffix), brokerJvmOptions, strandRevision,
                scenarios);
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static void require(Object value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " is required");
        }
    }
}
