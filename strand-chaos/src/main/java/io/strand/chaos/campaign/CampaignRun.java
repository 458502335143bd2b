package io.strand.chaos.campaign;

import io.strand.chaos.ChaosCluster;
import io.strand.chaos.DiskLab;
import io.strand.chaos.Nemesis;
import io.strand.chaos.NetworkLab;
import io.strand.chaos.history.Checker;
import io.strand.chaos.history.ConsumerEvent;
import io.strand.chaos.history.History;
import io.strand.chaos.history.ReplicaAudit;
import io.strand.chaos.history.Send;
import io.strand.chaos.history.Transaction;
import io.strand.chaos.history.TransactionHistory;
import io.strand.chaos.report.FaultWindow;
import io.strand.chaos.report.ClientTrouble;
import io.strand.chaos.report.RunReport;
import io.strand.chaos.workload.ConsumerWorkload;
import io.strand.chaos.workload.FinalRead;
import io.strand.chaos.workload.GroupConsumerWorkload;
import io.strand.chaos.workload.JavaProducerWorkload;
import io.strand.chaos.workload.LoneConsumerWorkload;
import io.strand.chaos.workload.ProducerWorkload;
import io.strand.chaos.workload.PythonProducerWorkload;
import io.strand.chaos.workload.TransactionalProducerWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;

/**
 * One schedule, start to end: a fresh three-node cluster in a fresh {@link NetworkLab}, each node's
 * data on its own filesystem of a fresh {@link DiskLab} of {@value #DISK_BYTES} bytes a node (where a
 * disk lab can be made; else the disk faults are skipped), a topic of
 * {@value #PARTITIONS} partitions with three replicas and min.insync.replicas 2, the workloads (two
 * idempotent acks=all Java producers, one librdkafka producer, a lone consumer and a group of two),
 * and, unless {@code --transactions 0}, the transactional workload on a topic of its own
 * ({@value #TX_TOPIC}, {@value #PARTITIONS} partitions, as {@value #TOPIC}): transactional Java producers
 * whose transactions span its partitions, a read_committed consumer alone and a read_committed group of two;
 * the schedule's faults one after the other under load, a heal, the consumers caught up, the final
 * reads (of {@value #TX_TOPIC} both read_committed and read_uncommitted), the check and the report in {@code <results>/<time>-<system>-<seed>/} (with the nodes'
 * logs under {@code nodes/}).
 *
 * <p>Not thread-safe: the calling thread is the schedule's.
 */
public final class CampaignRun {

    static final String TOPIC = "chaos";
    static final int PARTITIONS = 3;
    static final int NODES = 3;
    static final String GROUP = "chaos-group";
    static final String TX_TOPIC = "chaos-tx";
    static final String TX_GROUP = "chaos-tx-group";
    private static final Map<String, Object> READ_COMMITTED = Map.of("isolation.level", "read_committed");
    /** Each node's filesystem: room for a run's records (a few MiB a minute) and the logs, with margin. */
    static final long DISK_BYTES = 256L << 20;
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(90);
    /** Lines of each kind of finding kept in a report and a diagnosis. */
    private static final int AUDIT_LINES = 30;
    /**
     * librdkafka's debug lines about its idempotence state (epoch bumps, PID changes, sequence errors)
     * and its own time-outs (a request unanswered for socket.timeout.ms, a message past message.timeout.ms).
     */
    private static final Pattern CLIENT_EVENTS = Pattern.compile("epoch bump|ERRSEQ|DUPSEQ|UNKPID|FATAL|fatal|NEWPID"
            + "|RESETSEQ|implicit|rewound|desynchronization|Local: Timed out|Message timed out|timed out in queue");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final CampaignOptions options;
    private final long seed;

    public CampaignRun(CampaignOptions options, long seed) {
        this.options = options;
        this.seed = seed;
    }

    /**
     * The run's results: the report, where it was written, and what explains an anomaly: the replicas'
     * divergences and idempotent sequence breaks ({@link ReplicaAudit}) and the librdkafka producer's
     * idempotence events, a few dozen lines at most (empty when there is nothing to say).
     */
    public record Outcome(RunReport report, Path dir, String diagnosis) {
    }

    public Outcome run() throws Exception {
        Path dir = options.results().resolve(STAMP.format(Instant.now()) + "-" + options.system() + "-" + seed);
        Path work = Files.createTempDirectory("chaos-" + seed + "-");
        Files.createDirectories(dir);
        log("seed " + seed + ": results in " + dir);
        List<FaultWindow> windows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        notes.add("reproduce: strand-chaos/run --system " + options.system() + " --seed " + seed
                + (options.byKind() ? " --every-kind " + options.everyKindTimes() : " --duration " + options.durationSeconds())
                + (options.faults().isEmpty() ? "" : " --faults " + String.join(",", options.faults()))
                + (options.maxQuietMs() == Schedule.MAX_QUIET_MS ? "" : " --max-quiet-ms " + options.maxQuietMs())
                + (options.maxHoldMs() == Schedule.MAX_HOLD_MS ? "" : " --max-hold-ms " + options.maxHoldMs())
                + (options.transactions() == CampaignOptions.defaults().transactions() ? ""
                        : " --transactions " + options.transactions()));
        List<ProducerWorkload> producers = new ArrayList<>();
        List<ConsumerWorkload> consumers = new ArrayList<>();
        List<TransactionalProducerWorkload> txProducers = new ArrayList<>();
        List<ConsumerWorkload> txConsumers = new ArrayList<>();
        Map<String, String> skipped = new TreeMap<>();
        String noDisks = DiskLab.unusableBecause();
        if (noDisks != null) {
            notes.add("no disk lab: " + noDisks);
        }
        try (NetworkLab lab = NetworkLab.create(options.labPrefix(), options.labSubnet(), NODES);
             DiskLab disks = noDisks == null ? DiskLab.create(options.labPrefix(), work.resolve("disks"), NODES,
                     DISK_BYTES) : null;
             ChaosCluster cluster = ClusterLauncher.systems().get(options.system()).start(lab, disks,
                     work.resolve("nodes"));
             Admin admin = admin(cluster.bootstrapServers())) {
            try {
                List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(TOPIC, PARTITIONS, (short) NODES)
                        .configs(Map.of("min.insync.replicas", "2"))));
                if (options.transactions() > 0) {
                    topics.add(new NewTopic(TX_TOPIC, PARTITIONS, (short) NODES)
                            .configs(Map.of("min.insync.replicas", "2")));
                }
                admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
                Nemesis nemesis = new Nemesis(lab, cluster, disks);
                FaultContext context = new FaultContext(nemesis, NODES, PARTITIONS, p -> leaderOf(admin, p));
                List<FaultKind> kinds = options.kinds();
                List<Schedule.Entry> schedule = options.byKind()
                        ? Schedule.rounds(seed, kinds, context, options.everyKindTimes(), options.maxQuietMs(),
                                options.maxHoldMs())
                        : Schedule.build(seed, kinds, context, Schedule.maxEntries(options.durationSeconds() * 1000L),
                                options.maxQuietMs(), options.maxHoldMs());
                startWorkloads(cluster.bootstrapServers(), work, producers, consumers, notes);
                startTransactions(cluster.bootstrapServers(), txProducers, txConsumers);
                awaitAcks(producers, "the first acknowledgements");
                awaitCommits(txProducers, "the first committed transactions", notes);
                long startMs = System.currentTimeMillis();
                long deadlineMs = startMs + options.durationSeconds() * 1000L;
                for (Schedule.Entry entry : schedule) {
                    if (entry.skipped()) {
                        skipped.putIfAbsent(entry.kind(), entry.skippedBecause());
                        continue;
                    }
                    if (!options.byKind() && System.currentTimeMillis() + entry.quietBeforeMs()
                            + entry.holdMs() > deadlineMs) {
                        break;
                    }
                    Thread.sleep(entry.quietBeforeMs()); // the schedule's quiet stretch, not a wait for a condition
                    restartExited(cluster, notes);
                    long faultStartMs = System.currentTimeMillis();
                    entry.fault().start();
                    Thread.sleep(entry.holdMs()); // the fault's length, part of the schedule
                    entry.fault().stop();
                    windows.add(new FaultWindow(entry.kind(), entry.fault().describe(), faultStartMs,
                            System.currentTimeMillis()));
                }
                if (!options.byKind()) {
                    Thread.sleep(Math.max(0, deadlineMs - System.currentTimeMillis()));
                }
                lab.healAll();
                restartExited(cluster, notes);
                awaitAcks(producers, "acknowledgements after the heal");
                awaitCommits(txProducers, "committed transactions after the heal", notes);
                long endMs = System.currentTimeMillis();
                List<Send> sends = new ArrayList<>();
                Set<String> idempotent = new HashSet<>();
                for (ProducerWorkload producer : producers) {
                    producer.stop();
                    sends.addAll(producer.sends());
                    if (producer instanceof PythonProducerWorkload python && python.badLines() > 0) {
                        notes.add(python.badLines() + " lines of " + python.name() + " could not be read (see "
                                + python.errors() + ")");
                    }
                    if (producer.idempotent()) {
                        idempotent.add(producer.name());
                    }
                }
                awaitConsumersCaughtUp(cluster.bootstrapServers(), consumers, notes);
                List<ConsumerEvent> events = new ArrayList<>();
                for (ConsumerWorkload consumer : consumers) {
                    consumer.stop();
                    events.addAll(consumer.events());
                    if (consumer.failure() != null) {
                        notes.add("consumer " + consumer.name() + " ended early: " + consumer.failure());
                    }
                }
                History history = new History(sends, idempotent, events,
                        FinalRead.read(cluster.bootstrapServers(), TOPIC, PARTITIONS, Duration.ofSeconds(120)),
                        transactionHistory(cluster.bootstrapServers(), txProducers, txConsumers, notes));
                // The load has stopped: every node's copy of the topic, read from its files.
                Map<Integer, Path> logDirs = new TreeMap<>();
                for (int node = 1; node <= NODES; node++) {
                    logDirs.put(node, cluster.logDir(node));
                }
                ReplicaAudit audit = ReplicaAudit.read(logDirs, TOPIC, PARTITIONS);
                audit.writeTsv(dir.resolve("replicas.tsv"));
                List<String> findings = new ArrayList<>();
                audit.divergences(AUDIT_LINES).forEach(d -> findings.add("replicas diverge: " + d));
                audit.sequenceBreaks(AUDIT_LINES).forEach(b -> findings.add("idempotent sequence break: " + b));
                notes.addAll(findings);
                RunReport report = new RunReport(options.system(), seed, startMs, endMs, windows, history,
                        new Checker().check(history, audit), notes, skipped, clientTrouble(producers, txProducers));
                report.write(dir);
                return new Outcome(report, dir, diagnosis(findings, producers));
            } finally {
                producers.forEach(ProducerWorkload::close);
                consumers.forEach(ConsumerWorkload::close);
                txProducers.forEach(TransactionalProducerWorkload::close);
                txConsumers.forEach(ConsumerWorkload::close);
                Files.writeString(dir.resolve("nemesis.log"), String.join("\n", windows.stream()
                        .map(FaultWindow::toString).toList()) + "\n");
                cluster.copyNodeLogs(dir.resolve("nodes"));
                copyClientLogs(producers, dir.resolve("clients"));
            }
        } finally {
            deleteQuietly(work);
        }
    }

    private void startWorkloads(String bootstrap, Path work, List<ProducerWorkload> producers,
                                List<ConsumerWorkload> consumers, List<String> notes) {
        for (int i = 0; i < 2; i++) {
            producers.add(JavaProducerWorkload.start("java" + i, bootstrap, TOPIC, PARTITIONS, options.rate(), 100,
                    Map.of()));
        }
        if (options.python()) {
            String missing = PythonProducerWorkload.unusableBecause();
            if (missing == null) {
                producers.add(PythonProducerWorkload.start("python0", bootstrap, TOPIC, PARTITIONS,
                        Math.max(1, options.rate() / 2), 100, work.resolve("python")));
            } else {
                notes.add("no librdkafka producer: " + missing);
            }
        }
        consumers.add(LoneConsumerWorkload.start("alone0", bootstrap, TOPIC, PARTITIONS));
        for (int i = 0; i < 2; i++) {
            consumers.add(GroupConsumerWorkload.start("member" + i, GROUP, bootstrap, TOPIC));
        }
    }

    private void startTransactions(String bootstrap, List<TransactionalProducerWorkload> txProducers,
                                   List<ConsumerWorkload> txConsumers) {
        for (int i = 0; i < options.transactions(); i++) {
            txProducers.add(TransactionalProducerWorkload.start("tx" + i, bootstrap, TX_TOPIC, PARTITIONS,
                    options.transactionRate()));
        }
        if (options.transactions() > 0) {
            txConsumers.add(LoneConsumerWorkload.start("txalone0", bootstrap, TX_TOPIC, PARTITIONS, READ_COMMITTED));
            for (int i = 0; i < 2; i++) {
                txConsumers.add(GroupConsumerWorkload.start("txmember" + i, TX_GROUP, bootstrap, TX_TOPIC,
                        READ_COMMITTED));
            }
        }
    }

    /**
     * Stops the transactional producers, reads {@value #TX_TOPIC} in full both read_committed and
     * read_uncommitted, waits until each read_committed reader group has read up to the last committed
     * record of every partition (noted if not), stops the readers and gathers it all.
     */
    private static TransactionHistory transactionHistory(String bootstrap, List<TransactionalProducerWorkload> producers,
                                                         List<ConsumerWorkload> readers, List<String> notes)
            throws InterruptedException {
        if (producers.isEmpty()) {
            return TransactionHistory.NONE;
        }
        List<Transaction> transactions = new ArrayList<>();
        for (TransactionalProducerWorkload producer : producers) {
            producer.stop();
            transactions.addAll(producer.transactions());
        }
        Map<Integer, java.util.NavigableMap<Long, String>> committed = FinalRead.read(bootstrap, TX_TOPIC, PARTITIONS,
                Duration.ofSeconds(120), "read_committed");
        Map<Integer, java.util.NavigableMap<Long, String>> uncommitted = FinalRead.read(bootstrap, TX_TOPIC,
                PARTITIONS, Duration.ofSeconds(120));
        BooleanSupplier caughtUp = () -> {
            Map<String, Map<Integer, Long>> byReader = new TreeMap<>();
            for (ConsumerWorkload reader : readers) {
                String group = reader instanceof GroupConsumerWorkload ? TX_GROUP : reader.name();
                reader.nextToRead().forEach((p, next) -> byReader.computeIfAbsent(group, r -> new TreeMap<>())
                        .merge(p, next, Math::max));
            }
            return byReader.size() == 2 && byReader.values().stream().allMatch(next -> committed.entrySet().stream()
                    .allMatch(p -> p.getValue().isEmpty()
                            || next.getOrDefault(p.getKey(), 0L) > p.getValue().lastKey()));
        };
        try {
            await("read_committed consumers at the last committed records of " + TX_TOPIC, caughtUp,
                    Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            notes.add(e.getMessage());
        }
        List<ConsumerEvent> events = new ArrayList<>();
        for (ConsumerWorkload reader : readers) {
            reader.stop();
            events.addAll(reader.events());
            if (reader.failure() != null) {
                notes.add("consumer " + reader.name() + " ended early: " + reader.failure());
            }
        }
        return new TransactionHistory(TX_TOPIC, transactions, events, committed, uncommitted);
    }

    /** Waits for 5 more committed transactions (noted, not thrown, if they do not come). */
    private static void awaitCommits(List<TransactionalProducerWorkload> producers, String what, List<String> notes)
            throws InterruptedException {
        if (producers.isEmpty()) {
            return;
        }
        long before = producers.stream().mapToLong(TransactionalProducerWorkload::committed).sum();
        try {
            await(what, () -> producers.stream().mapToLong(TransactionalProducerWorkload::committed).sum() >= before + 5,
                    PROGRESS_TIMEOUT);
        } catch (IllegalStateException e) {
            notes.add(e.getMessage());
        }
    }

    /**
     * Restarts every node that exited on its own since the last fault stopped (a node may halt on a disk
     * fault only after the fault was undone, the exit still under way when its stop looked), so that
     * the next fault finds the cluster whole; each restart is noted in the report.
     */
    private static void restartExited(ChaosCluster cluster, List<String> notes) {
        for (int node = 1; node <= cluster.size(); node++) {
            if (!cluster.isAlive(node)) {
                log("node " + node + " exited on its own: restarted");
                notes.add("node " + node + " had exited on its own at " + Instant.now() + "; restarted");
                cluster.restart(node);
            }
        }
    }

    private static void awaitAcks(List<ProducerWorkload> producers, String what) throws InterruptedException {
        long before = producers.stream().mapToLong(ProducerWorkload::acked).sum();
        await(what, () -> producers.stream().mapToLong(ProducerWorkload::acked).sum() >= before + 20,
                PROGRESS_TIMEOUT);
    }

    /** Waits until the lone consumer and the group have read every partition to its end; notes it if not. */
    private static void awaitConsumersCaughtUp(String bootstrap, List<ConsumerWorkload> consumers, List<String> notes)
            throws InterruptedException {
        Map<Integer, Long> ends;
        try {
            ends = FinalRead.endOffsets(bootstrap, TOPIC, PARTITIONS, Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            notes.add("consumers not awaited: no end offsets: " + e);
            return;
        }
        BooleanSupplier caughtUp = () -> {
            Map<String, Map<Integer, Long>> byReader = new TreeMap<>();
            for (ConsumerWorkload consumer : consumers) {
                String reader = consumer instanceof GroupConsumerWorkload ? GROUP : consumer.name();
                consumer.nextToRead().forEach((p, next) -> byReader.computeIfAbsent(reader, r -> new TreeMap<>())
                        .merge(p, next, Math::max));
            }
            return byReader.size() == 2 && byReader.values().stream().allMatch(next -> ends.entrySet().stream()
                    .allMatch(end -> end.getValue() == 0 || next.getOrDefault(end.getKey(), 0L) >= end.getValue()));
        };
        try {
            await("consumers at the end offsets " + ends, caughtUp, Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            notes.add(e.getMessage());
        }
    }

    private static void await(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadlineMs = System.currentTimeMillis() + timeout.toMillis();
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadlineMs) {
                throw new IllegalStateException("no " + what + " within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    private static int leaderOf(Admin admin, int partition) {
        try {
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(TOPIC);
            Node leader = topic.partitions().get(partition).leader();
            return leader == null || leader.id() < 1 ? 1 : leader.id();
        } catch (Exception e) {
            throw new IllegalStateException("cannot find the leader of " + TOPIC + "-" + partition, e);
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    private static void log(String line) {
        System.out.println(Instant.now() + " chaos " + line);
    }

    /**
     * The findings of the replica audit and the librdkafka producer's idempotence events (epoch bumps,
     * sequence errors, PID changes, fatal errors): what tells a duplicate the broker wrote from one the
     * client sent again.
     */
    private static String diagnosis(List<String> findings, List<ProducerWorkload> producers) throws IOException {
        StringBuilder out = new StringBuilder();
        findings.forEach(f -> out.append(f).append('\n'));
        for (ProducerWorkload producer : producers) {
            if (producer instanceof PythonProducerWorkload python && Files.exists(python.errors())) {
                try (Stream<String> lines = Files.lines(python.errors())) {
                    lines.filter(l -> CLIENT_EVENTS.matcher(l).find()).limit(AUDIT_LINES)
                            .forEach(l -> out.append(python.name()).append(": ").append(l).append('\n'));
                }
            }
        }
        return out.toString();
    }

    /** What the producers did on their own: their epoch bumps, and which ended early, with their last words. */
    private static ClientTrouble clientTrouble(List<ProducerWorkload> producers,
                                               List<TransactionalProducerWorkload> txProducers) {
        List<String> endedEarly = new ArrayList<>();
        int bumps = 0;
        for (ProducerWorkload producer : producers) {
            bumps += producer.epochBumps();
            if (producer.endedEarly() != null) {
                endedEarly.add(producer.name() + " " + producer.endedEarly());
            }
        }
        for (TransactionalProducerWorkload producer : txProducers) {
            if (producer.endedEarly() != null) {
                endedEarly.add(producer.name() + " " + producer.endedEarly());
            }
        }
        return new ClientTrouble(bumps, endedEarly);
    }

    /** Keeps the librdkafka producers' debug output (their standard error) with the results. */
    private static void copyClientLogs(List<ProducerWorkload> producers, Path to) throws IOException {
        for (ProducerWorkload producer : producers) {
            if (producer instanceof PythonProducerWorkload python && Files.exists(python.errors())) {
                Files.createDirectories(to);
                Files.copy(python.errors(), to.resolve(python.name() + ".log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
