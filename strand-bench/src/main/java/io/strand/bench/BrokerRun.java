package io.strand.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Time;

/**
 * One broker's turn in one round: start it alone on fresh storage, time its start-up, read its idle
 * memory, then run the load generators against it one after another (ProducerPerformance 100 B acks=1,
 * ProducerPerformance 1 KiB acks=all, EndToEndLatency, {@link NoisyNeighbour} and
 * {@link TransactionalProduce} in this JVM, then ConsumerPerformance reading each ProducerPerformance
 * topic back) while reading its CPU time and memory from {@code /proc}; stop it and delete its data.
 * Every value goes into {@link Samples}, with the records requested, sent and read per topic
 * ({@link TopicCounts}); a load generator that fails leaves a note naming its log instead, and the
 * turn goes on ({@link LoadTools}). {@link #runStartOnly} is the short turn that only times start-up;
 * {@link #runTransactionsOnly} the one that only measures transactional produce.
 *
 * <p>Runs on the harness's main thread. The broker process is always stopped (SIGTERM, then SIGKILL)
 * and its data directory deleted before {@link #run} returns; logs stay under {@code logDir}.
 */
final class BrokerRun {

    static final String SMALL_TOPIC = "bench-100b";
    static final String LARGE_TOPIC = "bench-1kib";
    static final String LATENCY_TOPIC = "bench-e2e";
    private static final long START_TIMEOUT_MS = 120_000;
    private static final long IDLE_SETTLE_MS = 2_000;
    private static final long RSS_SAMPLE_PERIOD_MS = 100;
    private static final long ADMIN_TIMEOUT_MS = 60_000;
    private static final double BYTES_PER_MIB = 1024.0 * 1024.0;

    /** A broker that has answered its first Metadata request, and the data directory it owns. */
    record StartedBroker(Process process, String bootstrap, double startupMs, Path dataDir) {

        void deleteData() throws IOException {
            deleteRecursively(dataDir);
        }
    }

    private final Time time;
    private final BrokerLauncher launcher;
    private final Workload workload;
    private final Samples samples;
    private final BrokerKind kind;
    private final int round;
    private final LoadTools tools;

    BrokerRun(Time time, BrokerLauncher launcher, Workload workload, String toolClassPath, Samples samples,
            int round) {
        this.time = time;
        this.launcher = launcher;
        this.workload = workload;
        this.samples = samples;
        this.kind = launcher.kind();
        this.round = round;
        this.tools = new LoadTools(kind, workload, toolClassPath, samples);
    }

    /** Runs this broker's turn with data under a fresh directory in {@code dataParent}, logs in {@code logDir}. */
    void run(Path dataParent, Path logDir) throws IOException {
        StartedBroker broker = start(time, launcher, dataParent, logDir);
        try {
            samples.record(Metric.STARTUP_MS, kind, broker.startupMs());
            if (kind == BrokerKind.STRAND) {
                // The AppCDS row sets Kafka started from its own archive beside Strand as it ships.
                samples.record(Metric.STARTUP_KAFKA_APPCDS_MS, kind, broker.startupMs());
            }
            progress("answered Metadata after %.0f ms", broker.startupMs());
            checkArchiveMapped(broker.process(), "");
            time.sleep(IDLE_SETTLE_MS);
            samples.record(Metric.IDLE_RSS_MIB, kind, ProcStats.residentBytes(broker.process().pid()) / BYTES_PER_MIB);
            measureLoad(broker.process().pid(), broker.bootstrap(), logDir);
        } finally {
            ChildJvm.stop(broker.process());
            broker.deleteData();
        }
    }

    /** Starts the broker, records its start-up as {@code metric}, stops it: no load. */
    void runStartOnly(Path dataParent, Path logDir, Metric metric, String what) throws IOException {
        StartedBroker broker = start(time, launcher, dataParent, logDir);
        try {
            samples.record(metric, kind, broker.startupMs());
            progress("%s: answered Metadata after %.0f ms", what, broker.startupMs());
            checkArchiveMapped(broker.process(), " (" + what + ")");
        } finally {
            ChildJvm.stop(broker.process());
            broker.deleteData();
        }
    }

    /** Starts the broker, measures {@link TransactionalProduce} on it alone, stops it. */
    void runTransactionsOnly(Path dataParent, Path logDir) throws IOException {
        StartedBroker broker = start(time, launcher, dataParent, logDir);
        try {
            progress("answered Metadata after %.0f ms", broker.startupMs());
            createTopics(broker.bootstrap(), List.of(transactionalTopic()));
            measureTransactions(broker.bootstrap());
        } finally {
            ChildJvm.stop(broker.process());
            broker.deleteData();
        }
    }

    /** This broker's turn for {@link ShareConsume} alone: start, the share-group figure, stop. */
    void runShareOnly(Path dataParent, Path logDir) throws IOException {
        StartedBroker broker = start(time, launcher, dataParent, logDir);
        try {
            progress("answered Metadata after %.0f ms", broker.startupMs());
            createTopics(broker.bootstrap(), List.of(new NewTopic(ShareConsume.TOPIC, 1, (short) 1)));
            ShareConsume.measure(new ShareConsume(time, broker.bootstrap(), broker.process().pid(),
                    workload.shareRecords(), workload.toolTimeoutMs()), samples, kind);
        } finally {
            ChildJvm.stop(broker.process());
            broker.deleteData();
        }
    }

    /**
     * Starts {@code launcher}'s broker on a fresh data directory in {@code dataParent} and waits for its
     * first Metadata answer; the caller stops it and deletes its data. On failure nothing is left running.
     */
    static StartedBroker start(Time time, BrokerLauncher launcher, Path dataParent, Path logDir) throws IOException {
        return start(time, launcher.kind(), dataParent, logDir,
                (dataDir, clientPort, controllerPort) -> launcher.prepare(dataDir, clientPort, controllerPort, logDir));
    }

    /** How a broker's data directory and command are laid out for the ports {@link #start} picked. */
    @FunctionalInterface
    interface Preparation {
        List<String> command(Path dataDir, int clientPort, int controllerPort);
    }

    /**
     * As {@link #start(Time, BrokerLauncher, Path, Path)}, with the command {@code preparation} lays out
     * (e.g. one with a further listener on a port of its own).
     */
    static StartedBroker start(Time time, BrokerKind kind, Path dataParent, Path logDir, Preparation preparation)
            throws IOException {
        Path dataDir = Files.createTempDirectory(dataParent, "strand-bench-" + kind.key() + "-");
        try {
            int clientPort = freeLoopbackPort();
            int controllerPort = freeLoopbackPort();
            List<String> command = preparation.command(dataDir, clientPort, controllerPort);
            long startNs = time.nanoseconds();
            Process process = ChildJvm.start(command, logDir.resolve("broker.log"));
            try {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), clientPort);
                long answeredNs = new MetadataProbe(time, address)
                        .awaitFirstAnswerNs(process, startNs + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS));
                return new StartedBroker(process, "127.0.0.1:" + clientPort, (answeredNs - startNs) / 1e6, dataDir);
            } catch (RuntimeException e) {
                ChildJvm.stop(process);
                throw e;
            }
        } catch (RuntimeException e) {
            deleteRecursively(dataDir);
            throw e;
        }
    }

    /** A JVM given an archive it cannot use starts without it, silently: say so when that happens. */
    private void checkArchiveMapped(Process process, String what) {
        launcher.classDataArchive().ifPresent(archive -> {
            if (!ProcStats.mapsFile(process.pid(), archive)) {
                samples.warn(String.format(Locale.ROOT, "round %d, %s%s: the JVM did not map its class-data archive %s"
                        + " (it ignores an archive recorded from other jars), so it started without it",
                        round, kind.label(), what, archive.getFileName()));
            }
        });
    }

    private void measureLoad(long pid, String bootstrap, Path logDir) {
        createTopics(bootstrap);
        OptionalLong smallSent;
        OptionalLong largeSent;
        try (RssSampler sampler = new RssSampler(pid, RSS_SAMPLE_PERIOD_MS)) {
            smallSent = tools.produceSmall(pid, bootstrap, SMALL_TOPIC, logDir.resolve("produce-100b.log"));
            largeSent = tools.produceLarge(pid, bootstrap, LARGE_TOPIC, logDir.resolve("produce-1kib.log"));
            samples.record(Metric.LOAD_RSS_MIB, kind, sampler.maxResidentBytes() / BYTES_PER_MIB);
        }
        tools.endToEnd(bootstrap, LATENCY_TOPIC, logDir.resolve("end-to-end-latency.log"));
        measureNoisyNeighbour(bootstrap);
        measureTransactions(bootstrap);
        OptionalLong smallRead = OptionalLong.empty();
        if (smallSent.orElse(0) > 0) {
            smallRead = tools.consumeSmall(bootstrap, SMALL_TOPIC, smallSent.getAsLong(), logDir.resolve("consume-100b.log"));
        } else {
            tools.skipConsume(SMALL_TOPIC, Metric.CONSUME_MB_PER_SEC, Metric.CONSUME_RECORDS_PER_SEC);
        }
        OptionalLong largeRead = OptionalLong.empty();
        if (largeSent.orElse(0) > 0) {
            largeRead = tools.consumeLarge(bootstrap, LARGE_TOPIC, largeSent.getAsLong(), logDir.resolve("consume-1kib.log"));
        } else {
            tools.skipConsume(LARGE_TOPIC, Metric.CONSUME_LARGE_MB_PER_SEC, Metric.CONSUME_LARGE_RECORDS_PER_SEC);
        }
        samples.counts(new TopicCounts(round, kind, SMALL_TOPIC, workload.smallRecords(), smallSent, smallRead));
        samples.counts(new TopicCounts(round, kind, LARGE_TOPIC, workload.largeRecords(), largeSent, largeRead));
    }

    /** Runs {@link NoisyNeighbour} in this JVM; a failure leaves a note in its cells and the turn goes on. */
    private void measureNoisyNeighbour(String bootstrap) {
        try {
            NoisyNeighbour.Result result = new NoisyNeighbour(time, bootstrap, workload.noisyNeighbourMs()).run();
            samples.record(Metric.NOISY_LIGHT_P50_MS, kind, result.lightP50Ms());
            samples.record(Metric.NOISY_LIGHT_P99_MS, kind, result.lightP99Ms());
            samples.record(Metric.NOISY_HEAVY_RECORDS_PER_SEC, kind, result.heavyRecordsPerSec());
            progress("noisy neighbour: light p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d sends; heavy %.0f records/s",
                    result.lightP50Ms(), result.lightP99Ms(), result.lightMaxMs(), result.lightSends(),
                    result.heavyRecordsPerSec());
        } catch (RuntimeException e) {
            String reason = "failed (" + e.getMessage() + ")";
            samples.note(Metric.NOISY_LIGHT_P50_MS, kind, reason);
            samples.note(Metric.NOISY_LIGHT_P99_MS, kind, reason);
            samples.note(Metric.NOISY_HEAVY_RECORDS_PER_SEC, kind, reason);
            progress("noisy neighbour failed: %s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in the noisy-neighbour scenario broker=" + kind.key(), e);
        }
    }

    /**
     * Runs {@link TransactionalProduce} in this JVM; a broker that fails transactions leaves a note in the
     * figure's cells and the turn goes on.
     */
    private void measureTransactions(String bootstrap) {
        TransactionalProduce.measure(TransactionalProduce.against(time, bootstrap, workload.transactionalMs()),
                samples, kind);
    }

    private static NewTopic transactionalTopic() {
        return new NewTopic(TransactionalProduce.TOPIC, Workload.PARTITIONS, (short) 1);
    }

    private void createTopics(String bootstrap) {
        createTopics(bootstrap, List.of(
                new NewTopic(SMALL_TOPIC, Workload.PARTITIONS, (short) 1),
                new NewTopic(LARGE_TOPIC, Workload.PARTITIONS, (short) 1),
                new NewTopic(LATENCY_TOPIC, Workload.LATENCY_PARTITIONS, (short) 1),
                transactionalTopic()));
    }

    private void createTopics(String bootstrap, List<NewTopic> topics) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(topics).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create benchmark topics broker=" + kind.key(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topics broker=" + kind.key(), e);
        }
    }

    private void progress(String format, Object... args) {
        System.out.printf("  [%s] %s%n", kind.label(), String.format(Locale.ROOT, format, args));
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * Settings both brokers run with, Kafka's names: partitions of auto-created topics, group settings,
     * the transaction state topic's replicas.
     */
    static Map<String, String> sharedBrokerProps() {
        // Group settings a single node needs, the same for both: one offsets partition, no replicas
        // to wait for, and a first rebalance that starts at once. The transaction state topic gets one
        // replica too (Kafka's launcher also sets it; Strand defines both properties, default 3 and 2);
        // its partition count (Kafka: 1) is not shared, as Strand's configuration does not define
        // transaction.state.log.num.partitions yet and refuses a property it does not know.
        return Map.of("num.partitions", Integer.toString(Workload.PARTITIONS),
                "offsets.topic.num.partitions", "1",
                "offsets.topic.replication.factor", "1",
                "group.initial.rebalance.delay.ms", "0",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1");
    }
}
