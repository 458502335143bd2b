package io.strand.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
 *   <li>ConsumerPerformance reads them again over plaintext, in another fresh group (the reference).
 * </ol>
 *
 * Records requested, sent and read back (over each listener) go to {@link Samples} as {@link TopicCounts}.
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

    private final Time time;
    private final BrokerLauncher launcher;
    private final Workload workload;
    private final Samples samples;
    private final int round;
    private final TlsKeys keys;
    private final LoadTools tools;

    TlsRun(Time time, BrokerLauncher launcher, Workload workload, String toolClassPath, Samples samples, int round,
            TlsKeys keys) {
        this.time = time;
        this.launcher = launcher;
        this.workload = workload;
        this.samples = samples;
        this.round = round;
        this.keys = keys;
        this.tools = new LoadTools(launcher.kind(), workload, toolClassPath, samples);
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
                        Metric.TLS_CONSUME_CLIENT_CPU_S_PER_GB, Metric.TLS_CONSUME_PLAIN_MB_PER_SEC);
            }
            samples.counts(new TopicCounts(round, launcher.kind(), TOPIC + " (read over TLS)",
                    workload.largeRecords(), sent, readTls));
            samples.counts(new TopicCounts(round, launcher.kind(), TOPIC + " (read over plaintext)",
                    workload.largeRecords(), sent, readPlain));
        } finally {
            ChildJvm.stop(broker.process());
            broker.deleteData();
        }
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
