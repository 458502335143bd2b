package io.strand.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Time;

/**
 * One broker's turn in one round of the TLS workload ({@code strand-bench/run --workload tls}, issue 14:
 * Strand at least 1.3× Kafka's throughput over TLS): start it alone on fresh storage with a PLAINTEXT and
 * an SSL listener ({@link BrokerLauncher#prepareWithSsl}, the run's {@link TlsKeys}), create
 * {@value #TOPIC} ({@value #PARTITIONS} partition) over plaintext, then with kafka-tools 4.3.1 in their
 * own JVMs:
 *
 * <ol>
 *   <li>ProducerPerformance writes the workload's 1 KiB record count over TLS (acks=1,
 *       linger.ms={@value #PRODUCER_LINGER_MS}, batch.size={@value #PRODUCER_BATCH_BYTES}, unthrottled);
 *   <li>ConsumerPerformance reads every record sent once over TLS, unmeasured, to warm the broker's TLS
 *       fetch path; then again in a fresh group, measured (fetch MB/s; CPU per GB of the broker and of the
 *       consumer's JVM);
 *   <li>ConsumerPerformance reads them again over plaintext, in another fresh group (the reference);
 *   <li>librdkafka, through kcat ({@link KcatConsume}), reads them over TLS (fetch MB/s; CPU per GB of the
 *       broker and of kcat), then over plaintext (the reference). Kafka's Java consumer spends several times
 *       the broker's CPU per byte on the same cores, so its figure is the client's; librdkafka's is not.
 *       Without kcat on the machine these cells say so and the rest is measured.
 * </ol>
 *
 * Records requested, sent and read back (by each client over each listener) go to {@link Samples} as
 * {@link TopicCounts}; kcat's offsets out of sequence are a warning of the run.
 *
 * <p>Runs on the harness's main thread. The broker is always stopped and its data deleted before
 * {@link #run} returns; logs stay under {@code logDir}.
 */
final class TlsRun {

    static final String TOPIC = "bench-tls-1kib";
    /** One partition, as the first TLS measurements had: one consumer fetch stream, one producer batch queue. */
    static final int PARTITIONS = 1;
    static final int PRODUCER_LINGER_MS = 5;
    static final int PRODUCER_BATCH_BYTES = 65_536;
    private static final long ADMIN_TIMEOUT_MS = 60_000;
    static final String KCAT_NOT_FOUND = "not run (no kcat on PATH: apt-get install kcat)";

    private final Time time;
    private final BrokerLauncher launcher;
    private final Workload workload;
    private final Samples samples;
    private final int round;
    private final TlsKeys keys;
    private final LoadTools tools;
    private final Optional<KcatConsume> kcat;

    /** {@code kcat}: librdkafka's reader, empty when kcat is not installed. */
    TlsRun(Time time, BrokerLauncher launcher, Workload workload, String toolClassPath, Samples samples, int round,
            TlsKeys keys, Optional<KcatConsume> kcat) {
        this.time = time;
        this.launcher = launcher;
        this.workload = workload;
        this.samples = samples;
        this.round = round;
        this.keys = keys;
        this.tools = new LoadTools(launcher.kind(), workload, toolClassPath, samples);
        this.kcat = kcat;
    }

    /** Runs this broker's turn with data under a fresh directory in {@code dataParent}, logs in {@code logDir}. */
    void run(Path dataParent, Path logDir) throws IOException {
        int sslPort = BrokerRun.freeLoopbackPort();
        BrokerRun.StartedBroker broker = BrokerRun.start(time, launcher.kind(), dataParent, logDir,
                (dataDir, clientPort, controllerPort) -> launcher.prepareWithSsl(dataDir, clientPort, sslPort,
                        controllerPort, keys, logDir));
        try {
            progress("answered Metadata after %.0f ms (TLS on port %d)", broker.startupMs(), sslPort);
            createTopic(broker.bootstrap());
            long pid = broker.process().pid();
            String tlsBootstrap = "127.0.0.1:" + sslPort;
            OptionalLong sent = tools.produceTls(pid, tlsBootstrap, keys, TOPIC, logDir.resolve("produce-tls.log"));
            OptionalLong readTls = OptionalLong.empty();
            OptionalLong readPlain = OptionalLong.empty();
            if (sent.orElse(0) > 0) {
                tools.warmUpTls(tlsBootstrap, keys, TOPIC, sent.getAsLong(), logDir.resolve("consume-tls-warm-up.log"));
                readTls = tools.consumeTls(pid, tlsBootstrap, keys, TOPIC, sent.getAsLong(),
                        logDir.resolve("consume-tls.log"));
                readPlain = tools.consumeTlsTopicPlaintext(broker.bootstrap(), TOPIC, sent.getAsLong(),
                        logDir.resolve("consume-plaintext.log"));
            } else {
                tools.skipConsume(TOPIC, Metric.TLS_CONSUME_MB_PER_SEC, Metric.TLS_CONSUME_CPU_S_PER_GB,
                        Metric.TLS_CONSUME_CLIENT_CPU_S_PER_GB, Metric.TLS_CONSUME_PLAIN_MB_PER_SEC,
                        Metric.TLS_KCAT_CONSUME_MB_PER_SEC, Metric.TLS_KCAT_CONSUME_CPU_S_PER_GB,
                        Metric.TLS_KCAT_CONSUME_CLIENT_CPU_S_PER_GB, Metric.TLS_KCAT_CONSUME_PLAIN_MB_PER_SEC);
            }
            samples.counts(new TopicCounts(round, launcher.kind(), TOPIC + " (read over TLS)",
                    workload.largeRecords(), sent, readTls));
            samples.counts(new TopicCounts(round, launcher.kind(), TOPIC + " (read over plaintext)",
                    workload.largeRecords(), sent, readPlain));
            if (sent.orElse(0) > 0) {
                readWithKcat(pid, tlsBootstrap, broker.bootstrap(), sent, logDir);
            }
        } finally {
            ChildJvm.stop(broker.process());
            broker.deleteData();
        }
    }

    /**
     * kcat's two reads, over TLS then over plaintext, each to the partition's end; their counts go beside
     * ConsumerPerformance's. Without kcat the four cells say it was not found.
     */
    private void readWithKcat(long brokerPid, String tlsBootstrap, String plainBootstrap, OptionalLong sent,
            Path logDir) {
        if (kcat.isEmpty()) {
            for (Metric metric : List.of(Metric.TLS_KCAT_CONSUME_MB_PER_SEC, Metric.TLS_KCAT_CONSUME_CPU_S_PER_GB,
                    Metric.TLS_KCAT_CONSUME_CLIENT_CPU_S_PER_GB, Metric.TLS_KCAT_CONSUME_PLAIN_MB_PER_SEC)) {
                samples.note(metric, launcher.kind(), KCAT_NOT_FOUND);
            }
            progress("kcat: %s", KCAT_NOT_FOUND);
            return;
        }
        double brokerBeforeSeconds = ProcStats.cpuSeconds(brokerPid);
        KcatConsume.Outcome tls = kcat.get().read(tlsBootstrap, TOPIC, Optional.of(keys.certificatePem()),
                logDir.resolve("consume-tls-kcat.log"));
        double brokerSeconds = ProcStats.cpuSeconds(brokerPid) - brokerBeforeSeconds;
        if (tls.succeeded()) {
            long records = tls.offsets().records();
            samples.record(Metric.TLS_KCAT_CONSUME_MB_PER_SEC, launcher.kind(),
                    tls.fetchMbPerSec(Workload.LARGE_RECORD_BYTES));
            samples.record(Metric.TLS_KCAT_CONSUME_CPU_S_PER_GB, launcher.kind(),
                    LoadTools.cpuSecondsPerGb(brokerSeconds, records, Workload.LARGE_RECORD_BYTES));
            samples.record(Metric.TLS_KCAT_CONSUME_CLIENT_CPU_S_PER_GB, launcher.kind(),
                    LoadTools.cpuSecondsPerGb(tls.cpuSeconds(), records, Workload.LARGE_RECORD_BYTES));
            progress("kcat over TLS: %,d of %,d records read, %.2f MB/s while fetching (%.3f s of %.3f s run), "
                    + "broker CPU %.2f s, kcat CPU %.2f s", records, sent.getAsLong(),
                    tls.fetchMbPerSec(Workload.LARGE_RECORD_BYTES), tls.fetchNs() / 1e9, tls.runNs() / 1e9,
                    brokerSeconds, tls.cpuSeconds());
        } else {
            failed(tls, Metric.TLS_KCAT_CONSUME_MB_PER_SEC, Metric.TLS_KCAT_CONSUME_CPU_S_PER_GB,
                    Metric.TLS_KCAT_CONSUME_CLIENT_CPU_S_PER_GB);
        }
        countKcat(" (read over TLS by kcat)", sent, tls);

        KcatConsume.Outcome plain = kcat.get().read(plainBootstrap, TOPIC, Optional.empty(),
                logDir.resolve("consume-plaintext-kcat.log"));
        if (plain.succeeded()) {
            samples.record(Metric.TLS_KCAT_CONSUME_PLAIN_MB_PER_SEC, launcher.kind(),
                    plain.fetchMbPerSec(Workload.LARGE_RECORD_BYTES));
            progress("kcat over plaintext: %,d of %,d records read, %.2f MB/s while fetching (%.3f s of %.3f s run), "
                    + "kcat CPU %.2f s", plain.offsets().records(), sent.getAsLong(),
                    plain.fetchMbPerSec(Workload.LARGE_RECORD_BYTES), plain.fetchNs() / 1e9, plain.runNs() / 1e9,
                    plain.cpuSeconds());
        } else {
            failed(plain, Metric.TLS_KCAT_CONSUME_PLAIN_MB_PER_SEC);
        }
        countKcat(" (read over plaintext by kcat)", sent, plain);
    }

    /** kcat's count beside the producer's; offsets out of sequence or other output are a warning. */
    private void countKcat(String read, OptionalLong sent, KcatConsume.Outcome outcome) {
        OffsetCount offsets = outcome.offsets();
        samples.counts(new TopicCounts(round, launcher.kind(), TOPIC + read, workload.largeRecords(), sent,
                offsets.records() > 0 || outcome.succeeded() ? OptionalLong.of(offsets.records())
                        : OptionalLong.empty()));
        if (offsets.breaks() > 0 || offsets.malformedLines() > 0 || offsets.firstOffset().orElse(0) != 0) {
            samples.warn(String.format(Locale.ROOT, "round %d, %s, %s%s: kcat's offsets did not run 0, 1, 2 …: "
                    + "first %s, %,d out of sequence, %,d lines not an offset (see %s)", round,
                    launcher.kind().label(), TOPIC, read, offsets.firstOffset().isPresent()
                            ? Long.toString(offsets.firstOffset().getAsLong()) : "none",
                    offsets.breaks(), offsets.malformedLines(), outcome.logFile().getFileName()));
        }
    }

    private void failed(KcatConsume.Outcome outcome, Metric... metrics) {
        String reason = (outcome.timedOut() ? "timed out" : "failed") + " (see " + outcome.logFile().getFileName() + ")";
        for (Metric metric : metrics) {
            samples.note(metric, launcher.kind(), reason);
        }
        progress("%s: %s", outcome.logFile().getFileName(), reason);
    }

    private void createTopic(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all()
                    .get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic=" + TOPIC + " broker=" + launcher.kind().key(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic=" + TOPIC + " broker=" + launcher.kind().key(), e);
        }
    }

    private void progress(String format, Object... args) {
        System.out.printf("  [%s] %s%n", launcher.kind().label(), String.format(Locale.ROOT, format, args));
    }
}
