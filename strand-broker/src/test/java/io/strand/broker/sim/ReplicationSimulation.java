package io.strand.broker.sim;

import io.strand.broker.replica.Partition;
import io.strand.common.sim.CrashRestartSchedule;
import io.strand.common.sim.EventScheduler;
import io.strand.common.sim.SimNetwork;
import io.strand.common.time.ManualTime;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A deterministic simulation of replication with the real parts on top: the real
 * {@code QuorumController} ({@link SimController}), three brokers each with the real replica
 * manager, partitions and replica fetcher over logs in memory ({@link SimBroker}, {@link SimLog}),
 * and an acks=all producer ({@link SimProducer}), all on one {@link EventScheduler} over manual
 * time, every message through one {@link SimNetwork} that loses and delays them, plus network
 * partitions that cut a broker off from some or all of the others, and brokers that freeze for a
 * while (a long pause: state kept, messages waiting). Brokers and the controller crash (a kill -9:
 * in-memory state is lost, written log bytes are kept) and restart. All randomness comes from one
 * seed, so a seed replays the same run.
 *
 * <p>After every event the {@link ReplicationInvariants} are checked. A run ends by healing (no
 * more faults, every node up, producing stops) and waiting until every partition is led, its ISR
 * is whole and every replica has the leader's log; then every replica must hold the same records
 * and every acknowledged one.
 *
 * <p>The logs are in memory ({@link SimLog}) by default: the broker's file logs cost a seed most of
 * its time (files, memory maps and the log manager's threads), and the simulation is about the
 * replication protocol above them. {@link Logs#FILES} runs the brokers' real log managers instead, in
 * a directory removed at the end of the run ({@code /dev/shm} when there is one), crash recovery
 * included; a seed runs the same with either. {@code SimLogTest} holds the in-memory log to the file
 * log's contract where the simulation relies on it.
 *
 * <p>Not thread-safe: one thread runs the whole simulation.
 */
final class ReplicationSimulation {

    static final String TOPIC = "events";
    static final int BROKERS = 3;
    private static final long HEAL_DEADLINE_MS = 60_000;
    private static final long TICK_MS = 5;

    /** Where the brokers keep their logs. */
    enum Logs {
        /** {@link SimLogStore}: in memory, the default. */
        MEMORY,
        /** The broker's {@code LogManager} and file logs, in a directory of the run's own. */
        FILES
    }

    /** The shape of one run, drawn from the seed. */
    record Config(int partitions, int minInsyncReplicas, double lossRate, long maxDelayMs, long runMs,
                  double brokerCrashProbability, int maxBrokersDown, double controllerCrashProbability,
                  double netsplitProbability, double pauseProbability, InjectedBug bug) {

        static Config random(Random random, InjectedBug bug) {
            return new Config(1 + random.nextInt(2), random.nextInt(4) == 0 ? 1 : 2, random.nextDouble() * 0.1,
                    1 + random.nextInt(20), 2_000 + random.nextInt(3_000), random.nextDouble() * 0.3,
                    1 + random.nextInt(2), random.nextDouble() * 0.1, random.nextDouble() * 0.3, random.nextDouble() * 0.2, bug);
        }
    }

    /** What a run did, to show it did something (and, compared, that a seed replays). */
    record Stats(long eventsRun, long endMs, int acked, int produceFailures, int brokerCrashes, int controllerCrashes,
                 int netsplits, int pauses, int leaderEpochs, int truncations, long messagesLost, long logEnd) {
    }

    private final Config config;
    private final Random random;
    private final EventScheduler scheduler = new EventScheduler(new ManualTime(0));
    private final SimNetwork<SimMessage> network;
    /** The brokers' log directories with {@link Logs#FILES}; null in memory. */
    private final Path dir;
    private final SimController controller;
    private final List<SimBroker> brokers = new ArrayList<>();
    private final SimProducer producer;
    private final ReplicationInvariants invariants = new ReplicationInvariants(this);
    private final CrashRestartSchedule brokerCrashes;
    private final CrashRestartSchedule controllerCrashes;
    /** Links cut by a network partition, as "low-high" node id pairs; both directions are cut. */
    private final Set<String> cut = new HashSet<>();
    private boolean faultsOn = true;
    private boolean topicCreated;
    private int netsplits;
    private int pauses;

    ReplicationSimulation(long seed, InjectedBug bug) {
        this(seed, bug, Logs.MEMORY);
    }

    ReplicationSimulation(long seed, InjectedBug bug, Logs logs) {
        // Mixed first: java.util.Random's first draws from nearby seeds are alike.
        this.random = new Random(new SplittableRandom(seed).nextLong());
        this.config = Config.random(random, bug);
        this.network = new SimNetwork<>(scheduler, new Random(random.nextLong()),
                new SimNetwork.Faults(config.lossRate(), 1, config.maxDelayMs()));
        this.dir = logs == Logs.FILES ? createDir() : null;
        this.controller = new SimController(this, new Random(random.nextLong()));
        network.register(SimController.NODE_ID, e -> controller.onMessage(e.source(), e.message()));
        for (int id = 1; id <= BROKERS; id++) {
            SimBroker broker = new SimBroker(id, this, new Random(random.nextLong()),
                    dir == null ? null : dir.resolve("broker-" + id));
            brokers.add(broker);
            network.register(id, e -> broker.onMessage(e.source(), e.message()));
        }
        this.producer = new SimProducer(this, new Random(random.nextLong()));
        network.register(SimProducer.NODE_ID, e -> producer.onMessage(e.message()));
        this.brokerCrashes = new CrashRestartSchedule(scheduler, new Random(random.nextLong()), brokers,
                config.maxBrokersDown(), config.brokerCrashProbability(), 50, 1_500);
        this.controllerCrashes = new CrashRestartSchedule(scheduler, new Random(random.nextLong()), List.of(controller),
                1, config.controllerCrashProbability(), 20, 800);
        scheduler.addInvariant(invariants::verify);
    }

    // ---- what the simulation offers its parts ----

    EventScheduler scheduler() {
        return scheduler;
    }

    SimNetwork<SimMessage> network() {
        return network;
    }

    SimController controller() {
        return controller;
    }

    List<SimBroker> brokers() {
        return brokers;
    }

    SimBroker broker(int id) {
        return brokers.get(id - 1);
    }

    ReplicationInvariants invariants() {
        return invariants;
    }

    InjectedBug bug() {
        return config.bug();
    }

    /** Sends over the network unless a network partition cuts the link. */
    void send(int source, int destination, SimMessage message) {
        if (cut.contains(link(source, destination))) {
            return;
        }
        network.send(source, destination, message);
    }

    /** Whether {@code a} could reach {@code b} now (both up, the link not cut). */
    boolean reachable(int a, int b) {
        return network.isUp(a) && network.isUp(b) && !cut.contains(link(a, b));
    }

    private static String link(int a, int b) {
        return Math.min(a, b) + "-" + Math.max(a, b);
    }

    // ---- faults ----

    /** Cuts one broker off from the controller, from one peer, or from everyone, for a while. */
    private void maybeNetsplit() {
        if (!faultsOn || random.nextDouble() >= config.netsplitProbability()) {
            return;
        }
        int victim = 1 + random.nextInt(BROKERS);
        List<Integer> others = new ArrayList<>(List.of(SimController.NODE_ID, SimProducer.NODE_ID));
        for (int id = 1; id <= BROKERS; id++) {
            if (id != victim) {
                others.add(id);
            }
        }
        List<String> links = new ArrayList<>();
        switch (random.nextInt(3)) {
            case 0 -> links.add(link(victim, SimController.NODE_ID));
            case 1 -> links.add(link(victim, others.get(2 + random.nextInt(BROKERS - 1))));
            default -> others.forEach(o -> links.add(link(victim, o)));
        }
        links.removeIf(cut::contains);
        cut.addAll(links);
        netsplits++;
        scheduler.schedule(100 + random.nextInt(1_500), () -> links.forEach(cut::remove));
    }

    /** Freezes one broker for a while, often longer than its session timeout. */
    private void maybePause() {
        if (!faultsOn || random.nextDouble() >= config.pauseProbability()) {
            return;
        }
        SimBroker victim = broker(1 + random.nextInt(BROKERS));
        if (!victim.isUp() || victim.isPaused()) {
            return;
        }
        victim.pause();
        pauses++;
        scheduler.schedule(100 + random.nextInt(2_000), victim::resume);
    }

    private void maybeCreateTopic() {
        if (topicCreated || !controller.isUp()) {
            return;
        }
        long unfenced = controller.image().brokers().values().stream().filter(b -> !b.fenced()).count();
        if (unfenced < BROKERS) {
            return;
        }
        CreateTopicsRequestData.CreatableTopic topic = new CreateTopicsRequestData.CreatableTopic().setName(TOPIC)
                .setNumPartitions(config.partitions()).setReplicationFactor((short) BROKERS);
        topic.configs().add(new CreateTopicsRequestData.CreatableTopicConfig()
                .setName(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).setValue(Integer.toString(config.minInsyncReplicas())));
        topicCreated = true;
        controller.createTopic(topic).whenComplete((error, e) -> {
            if (error != Errors.NONE && error != Errors.TOPIC_ALREADY_EXISTS) {
                topicCreated = false;
            }
        });
    }

    // ---- the run ----

    Stats run() {
        try {
            scheduler.schedulePeriodic(1, TICK_MS, () -> {
                for (SimBroker broker : brokers) {
                    broker.onTick();
                }
                producer.onTick();
                maybeCreateTopic();
                return true;
            });
            scheduler.schedulePeriodic(100, 100, () -> {
                controller.onSessionCheck();
                return true;
            });
            scheduler.schedulePeriodic(200, 200, () -> {
                maybeNetsplit();
                return faultsOn;
            });
            scheduler.schedulePeriodic(250, 250, () -> {
                maybePause();
                return faultsOn;
            });
            brokerCrashes.start(200);
            controllerCrashes.start(300);
            try {
                scheduler.runUntil(config.runMs());
                heal();
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n  at nowMs=" + scheduler.nowMs() + " eventsRun="
                        + scheduler.eventsRun() + "\n  " + this, e);
            }
            return new Stats(scheduler.eventsRun(), scheduler.nowMs(), producer.acked(), producer.failed(),
                    brokerCrashes.crashes(), controllerCrashes.crashes(), netsplits, pauses, invariants.leaderEpochsSeen(),
                    brokers.stream().mapToInt(b -> partitions().stream().mapToInt(tp -> b.view(tp).truncations()).sum())
                            .sum(),
                    network.lost(), partitions().stream().mapToLong(tp -> broker(1).view(tp).logEndOffset()).sum());
        } finally {
            brokers.forEach(SimBroker::close);
            if (dir != null) {
                deleteDir();
            }
        }
    }

    private List<TopicPartition> partitions() {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < config.partitions(); p++) {
            all.add(new TopicPartition(TOPIC, p));
        }
        return all;
    }

    /** No more faults, every node up, no more records; then everything must converge. */
    private void heal() {
        faultsOn = false;
        brokerCrashes.stop();
        controllerCrashes.stop();
        cut.clear();
        network.setFaults(new SimNetwork.Faults(0, 1, config.maxDelayMs()));
        if (!controller.isUp()) {
            controller.restart();
        }
        for (SimBroker broker : brokers) {
            if (!broker.isUp()) {
                broker.restart();
            }
            broker.resume();
        }
        producer.stop();
        long deadlineMs = scheduler.nowMs() + HEAL_DEADLINE_MS;
        scheduler.runUntil(() -> topicCreated && producer.idle() && converged(), deadlineMs,
                "every partition led with its whole ISR and every replica caught up");
        invariants.verifyConverged(partitions());
    }

    private boolean converged() {
        for (BrokerRegistration b : controller.image().brokers().values()) {
            if (b.fenced()) {
                return false;
            }
        }
        TopicImage topic = controller.image().topics().byName(TOPIC).orElse(null);
        if (topic == null) {
            return false;
        }
        for (Map.Entry<Integer, PartitionRegistration> e : topic.partitions().entrySet()) {
            PartitionRegistration registration = e.getValue();
            if (registration.leader() < 0 || registration.isr().size() != BROKERS) {
                return false;
            }
            TopicPartition tp = new TopicPartition(TOPIC, e.getKey());
            Partition leader = broker(registration.leader()).partitions().get(tp);
            if (leader == null || !leader.isLeader() || leader.leaderEpoch() != registration.leaderEpoch()
                    || leader.highWatermark() != leader.replicaLog().logEndOffset()) {
                return false;
            }
            for (SimBroker broker : brokers) {
                Partition replica = broker.partitions().get(tp);
                if (replica == null || replica.replicaLog().logEndOffset() != leader.replicaLog().logEndOffset()) {
                    return false;
                }
            }
        }
        return true;
    }

    // ---- the directory of file logs ----

    private static Path createDir() {
        try {
            Path shm = Paths.get("/dev/shm");
            Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                    : Paths.get(System.getProperty("java.io.tmpdir"));
            return Files.createTempDirectory(base, "strand-replication-sim");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deleteDir() {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ReplicationSimulation(").append(config).append(")\n  ").append(controller)
                .append("\n  cut=").append(cut);
        for (SimBroker broker : brokers) {
            s.append("\n  ").append(broker);
        }
        return s.toString();
    }
}
