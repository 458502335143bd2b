package io.strand.metadata.sim;

import io.strand.common.sim.CrashRestartSchedule;
import io.strand.common.sim.EventScheduler;
import io.strand.common.sim.SimNetwork;
import io.strand.common.time.ManualTime;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.kafka.common.Uuid;

/**
 * A deterministic simulation of the metadata quorum with the real controller on top: controller
 * nodes replicating a committed log over a lossy, delaying network, snapshots, crashes and
 * restarts, leader changes, and clients and brokers sending controller operations with retries.
 * Everything runs on one {@link EventScheduler} over manual time and draws its randomness from one
 * seed, so a seed replays the same run.
 *
 * <p>Consensus itself is not simulated: the {@link CommittedLog} stands for what Ratis guarantees.
 * An append commits after a random delay while its leader still leads; when leadership ends
 * (the leader crashes or steps down) a random prefix of its uncommitted appends still commits
 * (they had reached a majority) and the rest are lost, and either way the client does not learn
 * the outcome. A new leader is elected among the nodes that are up, once a majority is, holding
 * every committed entry (Raft's vote rule), and starts a new {@code QuorumController} after
 * applying them.
 *
 * <p>After every event the {@link ClusterInvariants} are checked. A run ends
 * by healing the cluster (no more faults, every node up) and checking that all nodes converge on
 * the reference image and that a last operation succeeds.
 *
 * <p>Not thread-safe: one thread runs the whole simulation.
 */
final class ControllerSimulation {

    static final int CLIENT_ID_BASE = 100;
    static final int BROKER_ID_BASE = 200;
    /** The broker id of the single-node style registration that checks, after healing, that the controller still answers. */
    private static final int LAST_BROKER_ID = 99;
    private static final String[] TOPICS = {"t0", "t1", "t2", "t3", "t4", "t5"};
    private static final long MAX_COMMIT_DELAY_MS = 15;
    private static final long FETCH_INTERVAL_MS = 10;
    private static final long ELECTION_CHECK_MS = 50;
    private static final long HEAL_DEADLINE_MS = 60_000;
    /** The controllers' broker.session.timeout.ms. */
    static final long SESSION_TIMEOUT_MS = 1_000;
    /** How often the active controller looks for expired sessions, as its own thread would. */
    private static final long SESSION_CHECK_MS = 100;
    /** How often the active controller moves leaderships back to preferred replicas. */
    private static final long BALANCE_LEADERS_MS = 1_500;

    /** The shape of one run, drawn from the seed. */
    record Config(int nodes, int clients, int brokers, double lossRate, long maxDelayMs, long runMs,
                  double crashProbability, double stepDownProbability, long snapshotIntervalMs, InjectedBug bug) {

        static Config random(Random random, InjectedBug bug) {
            return new Config(random.nextBoolean() ? 3 : 5, 1 + random.nextInt(3), 3 + random.nextInt(2),
                    random.nextDouble() * 0.2, 1 + random.nextInt(40), 5_000 + random.nextInt(5_000),
                    random.nextDouble() * 0.3, random.nextDouble() * 0.2, 200 + random.nextInt(1_000), bug);
        }
    }

    /** What a run did, to show it did something. */
    record Stats(long eventsRun, long endMs, long committed, int acks, int topicsCreated, int crashes,
                 int leaderChanges, int snapshotsInstalled, long messagesLost, int historyHash, int brokersFenced,
                 int controlledShutdowns, int partitionLeaderChanges) {
    }

    private final Config config;
    private final Random random;
    private final EventScheduler scheduler = new EventScheduler(new ManualTime(0));
    private final SimNetwork<SimMessage> network;
    private final CommittedLog committed = new CommittedLog();
    private final ReferenceReplay reference = new ReferenceReplay(committed);
    private final AckLedger acks = new AckLedger(reference);
    private final List<ControllerNode> nodes = new ArrayList<>();
    private final List<SimClient> clients = new ArrayList<>();
    private final CrashRestartSchedule crashes;
    private int leaderId = -1;
    private int epoch;
    private int leaderChanges;
    private long nextAttemptId;
    private boolean faultsOn = true;

    ControllerSimulation(long seed, InjectedBug bug) {
        // Mixed first: java.util.Random's first draws from nearby seeds are alike.
        this.random = new Random(new SplittableRandom(seed).nextLong());
        this.config = Config.random(random, bug);
        this.network = new SimNetwork<>(scheduler, new Random(random.nextLong()),
                new SimNetwork.Faults(config.lossRate(), 1, config.maxDelayMs()));
        for (int i = 0; i < config.nodes(); i++) {
            ControllerNode node = new ControllerNode(i, this, bug);
            nodes.add(node);
            network.register(i, e -> node.onMessage(e.source(), e.message()));
        }
        for (int i = 0; i < config.clients(); i++) {
            Random clientRandom = new Random(random.nextLong());
            addClient(new SimClient(CLIENT_ID_BASE + i, this, () -> randomOp(clientRandom), clientRandom, 100));
        }
        boolean racks = random.nextBoolean();
        for (int i = 0; i < config.brokers(); i++) {
            Random brokerRandom = new Random(random.nextLong());
            SimBroker broker = new SimBroker(i, racks ? "rack-" + (i % 2) : null, this, brokerRandom);
            addClient(new SimClient(BROKER_ID_BASE + i, this, broker::nextOp, brokerRandom, 200, broker::onResponse));
        }
        this.crashes = new CrashRestartSchedule(scheduler, new Random(random.nextLong()), nodes,
                (config.nodes() - 1) / 2, config.crashProbability(), 50, 1_500);
        ClusterInvariants invariants = new ClusterInvariants(nodes, committed, reference, acks);
        scheduler.addInvariant(invariants::verify);
    }

    private void addClient(SimClient client) {
        clients.add(client);
        network.register(client.networkId(), e -> client.onResponse((SimMessage.Response) e.message()));
    }

    // ---- what the simulation offers its parts ----

    EventScheduler scheduler() {
        return scheduler;
    }

    SimNetwork<SimMessage> network() {
        return network;
    }

    Random random() {
        return random;
    }

    CommittedLog committed() {
        return committed;
    }

    AckLedger acks() {
        return acks;
    }

    int epoch() {
        return epoch;
    }

    int leaderId() {
        return leaderId;
    }

    int nodeCount() {
        return nodes.size();
    }

    long nextAttemptId() {
        return nextAttemptId++;
    }

    /** The committed image at {@code offset}, or at the last committed offset if that is lower. */
    MetadataImage committedImageAt(long offset) {
        reference.catchUp();
        return reference.imageAt(Math.min(offset, reference.lastOffset()));
    }

    long commitDelayMs() {
        return 1 + random.nextInt((int) MAX_COMMIT_DELAY_MS);
    }

    // ---- operations the clients send ----

    private static SimMessage.Op randomOp(Random random) {
        String topic = TOPICS[random.nextInt(TOPICS.length)];
        int kind = random.nextInt(10);
        if (kind < 4) {
            return new SimMessage.CreateTopic(topic, 1 + random.nextInt(3), (short) (1 + random.nextInt(3)));
        } else if (kind < 6) {
            return new SimMessage.DeleteTopic(topic);
        } else if (kind < 8) {
            return new SimMessage.CreatePartitions(topic, 2 + random.nextInt(5));
        } else if (kind < 9) {
            return new SimMessage.AlterTopicConfig(topic, "unclean.leader.election.enable",
                    Boolean.toString(random.nextBoolean()));
        }
        return new SimMessage.AlterTopicConfig(topic, random.nextBoolean() ? "retention.ms" : "segment.ms",
                Long.toString(60_000L * (1 + random.nextInt(1_000))));
    }

    // ---- leadership ----

    private void maybeElect() {
        if (leaderId >= 0) {
            return;
        }
        List<ControllerNode> up = nodes.stream().filter(ControllerNode::isUp).toList();
        if (up.size() <= nodes.size() / 2) {
            return;
        }
        ControllerNode winner = up.get(random.nextInt(up.size()));
        long upTo = committed.lastOffset();
        if (config.bug() == InjectedBug.NEW_LEADER_MISSES_LAST_ENTRY && winner.logEndOffset() < upTo) {
            upTo--;
        }
        winner.catchUpFrom(committed, upTo);
        epoch++;
        leaderId = winner.nodeId();
        leaderChanges++;
        winner.becomeLeader(epoch);
    }

    private void maybeStepDown() {
        if (faultsOn && leaderId >= 0 && random.nextDouble() < config.stepDownProbability()) {
            onLeaderLost(nodes.get(leaderId));
        }
    }

    /**
     * The leader crashed or stepped down: a random prefix of its uncommitted appends commits (they
     * had reached a majority), the rest are lost; then there is no leader until the next election.
     */
    void onLeaderLost(ControllerNode leader) {
        List<ControllerNode.PendingAppend> inFlight = leader.stepDown();
        int committedCount = inFlight.isEmpty() ? 0 : random.nextInt(inFlight.size() + 1);
        for (int i = 0; i < committedCount; i++) {
            leader.appendCommitted(committed.append(inFlight.get(i).epoch(), inFlight.get(i).batch()));
        }
        leaderId = -1;
    }

    // ---- the run ----

    Stats run() {
        for (ControllerNode node : nodes) {
            scheduler.schedulePeriodic(random.nextInt((int) FETCH_INTERVAL_MS) + 1, FETCH_INTERVAL_MS, () -> {
                node.maybeFetch();
                return true;
            });
            scheduler.schedulePeriodic(config.snapshotIntervalMs() / 2 + random.nextInt((int) config.snapshotIntervalMs()),
                    config.snapshotIntervalMs(), () -> {
                        node.maybeSnapshot();
                        return true;
                    });
        }
        scheduler.schedulePeriodic(0, ELECTION_CHECK_MS, () -> {
            maybeElect();
            return true;
        });
        scheduler.schedulePeriodic(500, 500, () -> {
            maybeStepDown();
            return faultsOn;
        });
        scheduler.schedulePeriodic(SESSION_CHECK_MS, SESSION_CHECK_MS, () -> {
            if (leaderId >= 0) {
                nodes.get(leaderId).onSessionCheck();
            }
            return true;
        });
        scheduler.schedulePeriodic(BALANCE_LEADERS_MS, BALANCE_LEADERS_MS, () -> {
            if (leaderId >= 0) {
                nodes.get(leaderId).onBalanceLeaders();
            }
            return faultsOn;
        });
        crashes.start(200);
        for (SimClient client : clients) {
            client.start(random.nextInt(100));
        }

        try {
            scheduler.runUntil(config.runMs());
            heal();
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n  at nowMs=" + scheduler.nowMs() + " eventsRun="
                    + scheduler.eventsRun() + " epoch=" + epoch + " leaderId=" + leaderId + " committedUpTo="
                    + committed.lastOffset() + " " + this, e);
        }
        int historyHash = 1;
        for (long offset = 1; offset <= committed.lastOffset(); offset++) {
            historyHash = 31 * historyHash + Arrays.hashCode(committed.get(offset).batch());
        }
        return new Stats(scheduler.eventsRun(), scheduler.nowMs(), committed.lastOffset(), acks.size(),
                reference.topicsEverCreated(), crashes.crashes(), leaderChanges,
                nodes.stream().mapToInt(ControllerNode::snapshotsInstalled).sum(), network.lost(), historyHash,
                reference.leadership().fences(), reference.leadership().controlledShutdowns(),
                reference.leadership().leaderChanges());
    }

    /** No more faults; every node up; all converge on the committed history; one more operation succeeds. */
    private void heal() {
        faultsOn = false;
        crashes.stop();
        network.setFaults(new SimNetwork.Faults(0, 1, config.maxDelayMs()));
        for (ControllerNode node : nodes) {
            if (!node.isUp()) {
                node.restart();
            }
        }
        clients.forEach(SimClient::stop);
        long deadlineMs = scheduler.nowMs() + HEAL_DEADLINE_MS;
        scheduler.runUntil(() -> leaderId >= 0 && clients.stream().allMatch(SimClient::idle), deadlineMs,
                "a leader and every client done");

        SimClient last = clients.get(0);
        int acksBefore = acks.size();
        last.submit(new SimMessage.RegisterBroker(new RegisterBrokerRecord(LAST_BROKER_ID, new Uuid(-1, -1),
                List.of(new Endpoint("PLAINTEXT", "broker-" + LAST_BROKER_ID, 9092, "PLAINTEXT")), null)));
        scheduler.runUntil(last::idle, deadlineMs, "the last operation answered");
        if (acks.size() != acksBefore + 1) {
            throw new AssertionError("The last operation after healing did not succeed: " + nodes);
        }
        scheduler.runUntil(() -> nodes.stream().allMatch(n -> n.appliedOffset() == committed.lastOffset()),
                deadlineMs, "every node applied the whole committed log");
        MetadataImage finalImage = reference.imageAt(committed.lastOffset());
        for (ControllerNode node : nodes) {
            if (!node.image().equals(finalImage)) {
                throw new AssertionError("Node did not converge: node=" + node + " image=" + node.image()
                        + " expected=" + finalImage);
            }
        }
        acks.verifyAllInHistory();
    }

    @Override
    public String toString() {
        return "ControllerSimulation(" + config + ")";
    }
}
