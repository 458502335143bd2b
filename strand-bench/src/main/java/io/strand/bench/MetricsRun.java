package io.strand.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Time;

/**
 * The metrics workload ({@code strand-bench/run --workload metrics}, issue 15: metrics cost no
 * measurable produce or fetch throughput): Strand alone, started twice per round on fresh storage,
 * the order alternating between rounds:
 *
 * <ul>
 *   <li><b>on</b>: with its HTTP listener ({@code strand.http.listener} on a loopback port) and so its
 *       Prometheus metrics, {@code /metrics} scraped every {@value #SCRAPE_INTERVAL_MS} ms by a thread of
 *       the harness for the whole turn (fifteen times Prometheus' default rate);</li>
 *   <li><b>off</b>: {@code strand.http.listener} empty: no listener, and the broker records into no
 *       metrics at all.</li>
 * </ul>
 *
 * Each turn creates {@value Workload#PARTITIONS} partitions, warms the broker up (a third as many
 * records written to another topic and read back, measuring nothing, the scraper already running in
 * the on turn: a fresh node's first scrapes load and compile the metrics' code, about 0.3 s of CPU
 * once in its life, which would otherwise fall into a measured turn of a few seconds), then runs the
 * single-node workload's 100 B acks=1 produce (ProducerPerformance) and its read-back
 * (ConsumerPerformance, fresh group), with kafka-tools 4.3.1 in their own JVMs. The report gives each round's figures, the medians, the
 * ratio on/off of the medians, and the median of each round's on/off (a paired comparison: the two
 * turns of a round run back to back). Runs on the harness's main thread.
 */
final class MetricsRun {

    static final String TOPIC = "bench-metrics-100b";
    /** Written and read before the measured turn, so both variants are measured warm. */
    static final String WARM_UP_TOPIC = "bench-metrics-warm-up";
    static final long SCRAPE_INTERVAL_MS = 1_000;
    private static final long ADMIN_TIMEOUT_MS = 60_000;
    /** The figures compared, with whether higher is better. */
    static final List<Metric> FIGURES = List.of(Metric.PRODUCE_SMALL_MB_PER_SEC, Metric.PRODUCE_SMALL_RECORDS_PER_SEC,
            Metric.PRODUCE_SMALL_P99_MS, Metric.PRODUCE_SMALL_CPU_S_PER_GB, Metric.CONSUME_MB_PER_SEC,
            Metric.CONSUME_RECORDS_PER_SEC);

    /** Which turn: the node with metrics served and scraped, or without its HTTP side. */
    enum Variant {
        ON("metrics on (HTTP listener, /metrics scraped every " + SCRAPE_INTERVAL_MS + " ms)"),
        OFF("metrics off (no HTTP listener)");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private final Time time;
    private final StrandLauncher launcher;
    private final Workload workload;
    private final String toolClassPath;
    /** One {@link Samples} per variant, each under {@link BrokerKind#STRAND}. */
    final Samples on = new Samples();
    final Samples off = new Samples();
    private final List<String> scrapeNotes = new ArrayList<>();

    MetricsRun(Time time, StrandLauncher launcher, Workload workload, String toolClassPath) {
        this.time = time;
        this.launcher = launcher;
        this.workload = workload;
        this.toolClassPath = toolClassPath;
    }

    /** Runs round {@code round}'s two turns, data under {@code dataParent}, logs under {@code logsDir}. */
    void runRound(int round, Path dataParent, Path logsDir) throws IOException {
        List<Variant> order = round % 2 == 1 ? List.of(Variant.ON, Variant.OFF) : List.of(Variant.OFF, Variant.ON);
        for (Variant variant : order) {
            System.out.printf("round %d/%d: Strand, %s%n", round, workload.rounds(), variant.label);
            Path logDir = Files.createDirectories(logsDir.resolve("round-" + round + "-strand-metrics-"
                    + variant.name().toLowerCase(Locale.ROOT)));
            runTurn(round, variant, dataParent, logDir);
        }
    }

    private void runTurn(int round, Variant variant, Path dataParent, Path logDir) throws IOException {
        Samples samples = variant == Variant.ON ? on : off;
        int httpPort = BrokerRun.freeLoopbackPort();
        String httpListener = variant == Variant.ON ? "http://127.0.0.1:" + httpPort : "";
        BrokerRun.StartedBroker broker = BrokerRun.start(time, BrokerKind.STRAND, dataParent, logDir,
                (dataDir, clientPort, controllerPort) -> launcher.prepareWithHttp(dataDir, clientPort, controllerPort,
                        httpListener));
        Scraper scraper = variant == Variant.ON ? Scraper.start(URI.create(httpListener + "/metrics")) : null;
        try {
            createTopics(broker.bootstrap());
            LoadTools tools = new LoadTools(BrokerKind.STRAND, workload, toolClassPath, samples);
            tools.warmUp(broker.bootstrap(), WARM_UP_TOPIC, warmUpRecords(workload), logDir.resolve("warm-up.log"));
            long pid = broker.process().pid();
            OptionalLong sent = tools.produceSmall(pid, broker.bootstrap(), TOPIC, logDir.resolve("produce.log"));
            OptionalLong read = OptionalLong.empty();
            if (sent.orElse(0) > 0) {
                read = tools.consumeSmall(broker.bootstrap(), TOPIC, sent.getAsLong(), logDir.resolve("consume.log"));
            } else {
                tools.skipConsume(TOPIC, Metric.CONSUME_MB_PER_SEC, Metric.CONSUME_RECORDS_PER_SEC);
            }
            samples.counts(new TopicCounts(round, BrokerKind.STRAND, TOPIC + " (" + variant.name().toLowerCase(Locale.ROOT)
                    + ")", workload.smallRecords(), sent, read));
        } finally {
            if (scraper != null) {
                Scraper.Result result = scraper.stop();
                String note = String.format(Locale.ROOT, "round %d: %d scrapes, %d failed, %.0f KiB each, %.1f ms "
                        + "each on average", round, result.scrapes(), result.failures(),
                        result.scrapes() == 0 ? 0.0 : result.bytes() / 1024.0 / result.scrapes(),
                        result.scrapes() == 0 ? 0.0 : result.nanos() / 1e6 / result.scrapes());
                scrapeNotes.add(note);
                System.out.println("  [Strand] " + note);
                if (result.scrapes() == 0 || result.failures() > 0) {
                    on.warn("round " + round + ": /metrics was not scraped as planned (" + note + ")");
                }
            }
            ChildJvm.stop(broker.process());
            broker.deleteData();
        }
    }

    /** on/off of the medians; empty when either has no value. */
    OptionalDouble ratio(Metric metric) {
        OptionalDouble a = on.median(metric, BrokerKind.STRAND);
        OptionalDouble b = off.median(metric, BrokerKind.STRAND);
        return a.isPresent() && b.isPresent() && b.getAsDouble() > 0
                ? OptionalDouble.of(a.getAsDouble() / b.getAsDouble()) : OptionalDouble.empty();
    }

    /**
     * on/off within each round (the two turns of a round run back to back, so drift on a shared machine
     * hits both), in round order; empty unless both variants have a value for every round.
     */
    List<Double> pairedRatios(Metric metric) {
        List<Double> a = on.values(metric, BrokerKind.STRAND);
        List<Double> b = off.values(metric, BrokerKind.STRAND);
        List<Double> ratios = new ArrayList<>();
        if (a.size() != workload.rounds() || b.size() != workload.rounds()) {
            return ratios;
        }
        for (int i = 0; i < a.size(); i++) {
            if (b.get(i) > 0) {
                ratios.add(a.get(i) / b.get(i));
            }
        }
        return ratios.size() == a.size() ? ratios : List.of();
    }

    /** Every count that does not add up and every warning, of both variants. */
    List<String> problems() {
        List<String> all = new ArrayList<>(on.problems());
        all.addAll(off.problems());
        return all;
    }

    /** The report: setup, medians and ratio per figure, each round's values, the scrapes. */
    String markdown(String startedAt, MachineInfo machine, String jvmOptions, String strandRevision) {
        StringBuilder md = new StringBuilder();
        md.append("# strand-bench: metrics on vs off\n\n");
        md.append("- started: ").append(startedAt).append('\n');
        md.append("- Strand revision: ").append(strandRevision).append('\n');
        md.append(String.format(Locale.ROOT, "- machine: %d cores, %.1f GiB, %s, %s; load average at start %s%n",
                machine.cores(), machine.memoryBytes() / (double) (1L << 30), machine.cpuModel(), machine.jdk(),
                machine.loadAverage()));
        md.append("- broker JVM: ").append(jvmOptions).append('\n');
        md.append(String.format(Locale.ROOT, "- workload: %s, %d round(s); per turn, after a warm-up of %,d records "
                + "written and read back (not measured; the scraper already running in the on turn), "
                + "%,d records of %d B, acks=1, %d partitions (ProducerPerformance), read back once "
                + "(ConsumerPerformance, fresh group)%n",
                workload.mode(), workload.rounds(), warmUpRecords(workload), workload.smallRecords(),
                Workload.SMALL_RECORD_BYTES, Workload.PARTITIONS));
        md.append("- on: ").append(Variant.ON.label).append("; off: ").append(Variant.OFF.label)
                .append("; the order alternates between rounds\n\n");
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            md.append("**Problems with this run:**\n\n");
            problems.forEach(p -> md.append("- ").append(p).append('\n'));
            md.append('\n');
        }
        md.append("| figure | unit | on (median) | off (median) | on/off | on/off per round: median (each) "
                + "| on, per round | off, per round |\n");
        md.append("|---|---|---:|---:|---:|---|---|---|\n");
        for (Metric metric : FIGURES) {
            md.append("| ").append(metric.label()).append(" | ").append(metric.unit()).append(" | ")
                    .append(format(on.median(metric, BrokerKind.STRAND))).append(" | ")
                    .append(format(off.median(metric, BrokerKind.STRAND))).append(" | ")
                    .append(ratio(metric).isPresent() ? String.format(Locale.ROOT, "%.3f", ratio(metric).getAsDouble())
                            : "n/a").append(" | ")
                    .append(paired(pairedRatios(metric))).append(" | ")
                    .append(perRound(on.values(metric, BrokerKind.STRAND))).append(" | ")
                    .append(perRound(off.values(metric, BrokerKind.STRAND))).append(" |\n");
        }
        md.append("\nScrapes (metrics on):\n\n");
        scrapeNotes.forEach(note -> md.append("- ").append(note).append('\n'));
        return md.toString();
    }

    /** The same figures as JSON: medians, ratio and every round's value per variant. */
    String json(String startedAt, String strandRevision) {
        StringBuilder json = new StringBuilder("{\n  \"workload\": \"metrics\",\n");
        json.append("  \"started\": \"").append(startedAt).append("\",\n");
        json.append("  \"strand_revision\": \"").append(strandRevision.replace("\"", "'")).append("\",\n");
        json.append("  \"mode\": \"").append(workload.mode()).append("\",\n  \"rounds\": ").append(workload.rounds())
                .append(",\n  \"scrape_interval_ms\": ").append(SCRAPE_INTERVAL_MS).append(",\n  \"figures\": {\n");
        for (int i = 0; i < FIGURES.size(); i++) {
            Metric metric = FIGURES.get(i);
            json.append("    \"").append(metric.key()).append("\": {\"unit\": \"").append(metric.unit())
                    .append("\", \"on\": ").append(on.values(metric, BrokerKind.STRAND))
                    .append(", \"off\": ").append(off.values(metric, BrokerKind.STRAND))
                    .append(", \"on_over_off\": ").append(ratio(metric).isPresent()
                            ? String.format(Locale.ROOT, "%.4f", ratio(metric).getAsDouble()) : "null")
                    .append(", \"on_over_off_per_round\": ").append(pairedRatios(metric))
                    .append('}').append(i + 1 < FIGURES.size() ? ",\n" : "\n");
        }
        json.append("  }\n}\n");
        return json.toString();
    }

    private static String format(OptionalDouble value) {
        return value.isPresent() ? String.format(Locale.ROOT, "%,.2f", value.getAsDouble()) : "n/a";
    }

    private static String paired(List<Double> ratios) {
        if (ratios.isEmpty()) {
            return "n/a";
        }
        List<String> cells = new ArrayList<>();
        ratios.forEach(r -> cells.add(String.format(Locale.ROOT, "%.2f", r)));
        return String.format(Locale.ROOT, "%.3f (%s)", Samples.median(ratios).getAsDouble(), String.join(", ", cells));
    }

    private static String perRound(List<Double> values) {
        List<String> cells = new ArrayList<>();
        values.forEach(v -> cells.add(String.format(Locale.ROOT, "%,.2f", v)));
        return String.join(", ", cells);
    }

    /** A third of the measured turn's records. */
    static long warmUpRecords(Workload workload) {
        return Math.max(1, workload.smallRecords() / 3);
    }

    private void createTopics(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Workload.PARTITIONS, (short) 1),
                    new NewTopic(WARM_UP_TOPIC, Workload.PARTITIONS, (short) 1))).all()
                    .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic=" + TOPIC, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic=" + TOPIC, e);
        }
    }

    /**
     * GETs a node's /metrics every {@link #SCRAPE_INTERVAL_MS} on its own daemon thread until stopped,
     * as Prometheus would, reading each body whole. Its counters are written by that thread only.
     */
    static final class Scraper {
        record Result(long scrapes, long failures, long bytes, long nanos) {
        }

        private final Thread thread;
        private final AtomicLong scrapes = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong nanos = new AtomicLong();
        private volatile boolean stopped;

        private Scraper(URI metrics) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build();
            thread = new Thread(() -> {
                while (!stopped) {
                    long startNs = System.nanoTime();
                    try {
                        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (response.statusCode() == 200) {
                            scrapes.incrementAndGet();
                            bytes.addAndGet(response.body().length);
                            nanos.addAndGet(System.nanoTime() - startNs);
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failures.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        Thread.sleep(SCRAPE_INTERVAL_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "metrics-scraper");
            thread.setDaemon(true);
        }

        static Scraper start(URI metrics) {
            Scraper scraper = new Scraper(metrics);
            scraper.thread.start();
            return scraper;
        }

        Result stop() {
            stopped = true;
            thread.interrupt();
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Result(scrapes.get(), failures.get(), bytes.get(), nanos.get());
        }
    }
}
