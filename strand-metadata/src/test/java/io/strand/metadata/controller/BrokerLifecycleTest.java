package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.broker;
import static io.strand.metadata.controller.ControllerTestSupport.get;
import static io.strand.metadata.controller.ControllerTestSupport.topic;
import static io.strand.metadata.controller.ControllerTestSupport.withAssignment;
import static io.strand.metadata.controller.ControllerTestSupport.withConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.common.time.ManualTime;
import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataLog;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.record.MetadataRecord;
import java.time.Duration;
import java.util.Random;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Registration, heartbeats, session fencing and controlled shutdown, on manual time. */
class BrokerLifecycleTest {

    private ClusterFixture cluster = new ClusterFixture();

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void aNewRegistrationStartsFencedWithAnEpochThatGrowsOnEveryRegistration() {
        BrokerRegistrationResponseData first = cluster.register(1, "r1");

        assertThat(first.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(first.brokerEpoch()).isPositive();
        assertThat(cluster.broker(1).fenced()).isTrue();
        assertThat(cluster.broker(1).brokerEpoch()).isEqualTo(first.brokerEpoch());
        assertThat(cluster.broker(1).rack()).isEqualTo("r1");

        cluster.time.advance(10_000);
        BrokerRegistrationResponseData second = cluster.register(1, "r1");
        assertThat(second.brokerEpoch()).isGreaterThan(first.brokerEpoch());
    }

    @Test
    void aSecondIncarnationIsRefusedWhileTheFirstSessionLives() {
        cluster.activate(1);

        BrokerRegistrationResponseData duplicate = cluster.register(
                ClusterFixture.registration(1, new Uuid(99, 99), null));
        assertThat(duplicate.errorCode()).isEqualTo(Errors.DUPLICATE_BROKER_REGISTRATION.code());

        cluster.time.advance(9_001);
        assertThat(cluster.register(ClusterFixture.registration(1, new Uuid(99, 99), null)).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(cluster.broker(1).incarnationId()).isEqualTo(new Uuid(99, 99));
        assertThat(cluster.broker(1).fenced()).isTrue();
    }

    @Test
    void aRetriedRegistrationAnswersTheSameEpoch() {
        var request = ClusterFixture.registration(1, new Uuid(7, 7), null);
        long epoch = cluster.register(request).brokerEpoch();
        long offset = cluster.image().appliedOffset();

        assertThat(cluster.register(request).brokerEpoch()).isEqualTo(epoch);
        assertThat(cluster.image().appliedOffset()).isEqualTo(offset);
    }

    @Test
    void aBrokerIsUnfencedOnlyOnceCaughtUpWithItsRegistration() {
        cluster.register(1, null);
        long registeredAt = cluster.image().appliedOffset();

        BrokerHeartbeatResponseData behind = cluster.heartbeat(new BrokerHeartbeatRequestData().setBrokerId(1)
                .setBrokerEpoch(cluster.epoch(1)).setCurrentMetadataOffset(registeredAt - 1).setWantFence(false));
        assertThat(behind.isCaughtUp()).isFalse();
        assertThat(behind.isFenced()).isTrue();
        assertThat(cluster.broker(1).fenced()).isTrue();

        BrokerHeartbeatResponseData caughtUp = cluster.heartbeat(1);
        assertThat(caughtUp.isCaughtUp()).isTrue();
        assertThat(caughtUp.isFenced()).isFalse();
        assertThat(cluster.broker(1).fenced()).isFalse();
    }

    @Test
    void aHeartbeatWithAnOldOrUnknownEpochIsStale() {
        cluster.activate(1);
        BrokerHeartbeatResponseData stale = cluster.heartbeat(new BrokerHeartbeatRequestData().setBrokerId(1)
                .setBrokerEpoch(cluster.epoch(1) - 1));
        BrokerHeartbeatResponseData unknown = cluster.heartbeat(new BrokerHeartbeatRequestData().setBrokerId(2)
                .setBrokerEpoch(1));

        assertThat(stale.errorCode()).isEqualTo(Errors.STALE_BROKER_EPOCH.code());
        assertThat(unknown.errorCode()).isEqualTo(Errors.STALE_BROKER_EPOCH.code());
    }

    /**
     * A heartbeat stuck in the controller's queue behind a slow operation still counts from when it
     * arrived: a session check queued before it does not fence the broker that sent it in time.
     */
    @Test
    void aHeartbeatWaitingInTheControllersQueueKeepsItsBrokersSession() throws Exception {
        cluster.activate(1, 2, 3);
        cluster.advanceWithHeartbeats(1_000);
        java.util.concurrent.CountDownLatch slowOperation = new java.util.concurrent.CountDownLatch(1);
        cluster.executor.execute(() -> {
            try {
                slowOperation.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // Brokers 2 and 3 heartbeat when the controller gets to them; the session check comes next.
        CompletableFuture<BrokerHeartbeatResponseData> two =
                cluster.controller.brokerHeartbeat(heartbeatOf(2));
        CompletableFuture<BrokerHeartbeatResponseData> three =
                cluster.controller.brokerHeartbeat(heartbeatOf(3));
        CompletableFuture<List<Integer>> check = cluster.controller.fenceExpiredBrokers();
        cluster.time.advance(8_500);
        // Broker 1's heartbeat arrives 8.5 s into its 9 s session, behind the session check.
        CompletableFuture<BrokerHeartbeatResponseData> one =
                cluster.controller.brokerHeartbeat(heartbeatOf(1));
        cluster.time.advance(1_000);

        slowOperation.countDown();

        assertThat(get(check)).isEmpty();
        assertThat(get(one).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(get(two).isFenced()).isFalse();
        assertThat(get(three).isFenced()).isFalse();
        assertThat(cluster.broker(1).fenced()).isFalse();
        // Silent from then on: fenced once a session timeout has passed since that heartbeat.
        cluster.advanceWithHeartbeats(9_001, 1);
        assertThat(cluster.fenceExpired()).containsExactly(1);
    }

    private BrokerHeartbeatRequestData heartbeatOf(int brokerId) {
        return new BrokerHeartbeatRequestData().setBrokerId(brokerId).setBrokerEpoch(cluster.epoch(brokerId))
                .setCurrentMetadataOffset(cluster.image().appliedOffset()).setWantFence(false);
    }

    @Test
    void aSilentBrokerIsFencedAndItsLeadershipMovesToAnotherIsrMember() {
        cluster.activate(1, 2, 3);
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2, 3));
        PartitionRegistration before = cluster.partition("t", 0);

        cluster.advanceWithHeartbeats(9_000, 1);
        assertThat(cluster.fenceExpired()).isEmpty();
        cluster.advanceWithHeartbeats(1, 1);
        assertThat(cluster.fenceExpired()).containsExactly(1);

        PartitionRegistration after = cluster.partition("t", 0);
        assertThat(cluster.broker(1).fenced()).isTrue();
        assertThat(after.leader()).isEqualTo(2);
        assertThat(after.isr()).containsExactly(2, 3);
        assertThat(after.leaderEpoch()).isEqualTo(before.leaderEpoch() + 1);
        assertThat(after.partitionEpoch()).isEqualTo(before.partitionEpoch() + 1);
    }

    @Test
    void theLastIsrMemberStaysInTheIsrWithoutLeaderAndLeadsAgainWhenUnfenced() {
        cluster.activate(1, 2);
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2));
        cluster.advanceWithHeartbeats(9_001, 2);
        cluster.fenceExpired();
        cluster.advanceWithHeartbeats(9_001, 1);
        cluster.fenceExpired();

        PartitionRegistration leaderless = cluster.partition("t", 0);
        assertThat(leaderless.leader()).isEqualTo(PartitionRegistration.NO_LEADER);
        assertThat(leaderless.isr()).containsExactly(1);

        cluster.heartbeat(1);
        PartitionRegistration back = cluster.partition("t", 0);
        assertThat(back.leader()).isEqualTo(1);
        assertThat(back.isr()).containsExactly(1);
        assertThat(back.leaderEpoch()).isGreaterThan(leaderless.leaderEpoch());
    }

    @Test
    void uncleanElectionEnabledForTheTopicElectsALiveOutOfSyncReplica() {
        cluster.activate(1, 2);
        cluster.createTopic(withConfig(withAssignment(topic("t", -1, -1), 0, 1, 2),
                "unclean.leader.election.enable", "true"));
        cluster.advanceWithHeartbeats(9_001, 2);
        cluster.fenceExpired();
        assertThat(cluster.partition("t", 0).isr()).containsExactly(1);
        cluster.register(2, null);
        cluster.heartbeat(2);

        cluster.advanceWithHeartbeats(9_001, 1);
        cluster.fenceExpired();

        PartitionRegistration partition = cluster.partition("t", 0);
        assertThat(partition.leader()).isEqualTo(2);
        assertThat(partition.isr()).containsExactly(2);
    }

    @Test
    void withoutUncleanElectionTheOutOfSyncReplicaDoesNotLead() {
        cluster.activate(1, 2);
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2));
        cluster.advanceWithHeartbeats(9_001, 2);
        cluster.fenceExpired();
        cluster.register(2, null);
        cluster.heartbeat(2);

        cluster.advanceWithHeartbeats(9_001, 1);
        cluster.fenceExpired();

        assertThat(cluster.partition("t", 0).leader()).isEqualTo(PartitionRegistration.NO_LEADER);
        assertThat(cluster.partition("t", 0).isr()).containsExactly(1);
    }

    @Test
    void controlledShutdownMovesLeadershipsAwayThenAnswersShouldShutDown() {
        cluster.activate(1, 2);
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2));
        cluster.createTopic(withAssignment(topic("alone", -1, -1), 0, 1));
        long offset = cluster.image().appliedOffset();

        BrokerHeartbeatResponseData first = cluster.heartbeat(new BrokerHeartbeatRequestData().setBrokerId(1)
                .setBrokerEpoch(cluster.epoch(1)).setCurrentMetadataOffset(offset).setWantShutDown(true));
        assertThat(first.shouldShutDown()).isFalse();
        assertThat(cluster.broker(1).inControlledShutdown()).isTrue();
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(2);
        assertThat(cluster.partition("t", 0).isr()).containsExactly(2);
        assertThat(cluster.partition("alone", 0).leader()).isEqualTo(PartitionRegistration.NO_LEADER);
        assertThat(cluster.partition("alone", 0).isr()).containsExactly(1);

        BrokerHeartbeatResponseData second = cluster.heartbeat(new BrokerHeartbeatRequestData().setBrokerId(1)
                .setBrokerEpoch(cluster.epoch(1)).setCurrentMetadataOffset(cluster.image().appliedOffset())
                .setWantShutDown(true));
        assertThat(second.shouldShutDown()).isTrue();
        assertThat(second.isFenced()).isTrue();
        assertThat(cluster.broker(1).fenced()).isTrue();

        assertThat(cluster.register(ClusterFixture.registration(1, new Uuid(8, 8), null)).errorCode())
                .as("the next incarnation registers at once").isEqualTo(Errors.NONE.code());
    }

    @Test
    void aBrokerRegisteredWithoutSessionIsNeverFencedForSilence() {
        get(cluster.controller.registerBroker(broker(1)));
        cluster.time.advance(60_000);

        assertThat(cluster.fenceExpired()).isEmpty();
        assertThat(cluster.broker(1).fenced()).isFalse();
        assertThat(cluster.broker(1).brokerEpoch()).isZero();
    }

    @Test
    void sessionsRestartWhenTheControllerBecomesActiveAgain() {
        cluster.activate(1);
        cluster.metadataLog.setLeader(false);
        cluster.time.advance(20_000);
        Throwable notActive = get(cluster.controller.fenceExpiredBrokers().handle((fenced, e) -> e));
        assertThat(notActive).isNotNull();

        cluster.metadataLog.setLeader(true);
        assertThat(cluster.fenceExpired()).isEmpty();
        cluster.time.advance(9_001);
        assertThat(cluster.fenceExpired()).containsExactly(1);
    }

    /**
     * A session check that a follower computed (it keeps no contact times) must not be appended when the
     * node becomes the active controller between the computing and the append: it would fence brokers
     * that heartbeat to the active controller all along. Seen once in a three-node failover, where the
     * new controller fenced every live broker for a second.
     */
    @Test
    void aSessionCheckComputedBeforeThisNodeBecameActiveIsNotAppendedOnceItIs() throws Exception {
        ManualTime time = new ManualTime();
        LocalMetadataLog local = new LocalMetadataLog();
        AtomicInteger notYetLeaderAnswers = new AtomicInteger();
        MetadataLog becomingLeader = new MetadataLog() {
            @Override
            public MetadataImage image() {
                return local.image();
            }

            @Override
            public boolean isLeader() {
                return notYetLeaderAnswers.getAndUpdate(n -> Math.max(0, n - 1)) == 0 && local.isLeader();
            }

            @Override
            public CompletableFuture<Long> append(
                    List<MetadataRecord> records) {
                return local.append(records);
            }
        };
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (QuorumController controller = new QuorumController(becomingLeader, time, new Random(5), executor,
                ClusterControlSettings.DEFAULTS, BrokerProbeSettings.DISABLED)) {
            long epoch = get(controller.registerBroker(ClusterFixture.registration(1, new Uuid(1, 1), null)))
                    .brokerEpoch();
            get(controller.brokerHeartbeat(new BrokerHeartbeatRequestData().setBrokerId(1).setBrokerEpoch(epoch)
                    .setCurrentMetadataOffset(local.image().appliedOffset()).setWantFence(false)));
            assertThat(local.image().brokers().get(1).fenced()).isFalse();

            // Another node is the active controller now; this one checks sessions as a follower does.
            local.setLeader(false);
            Throwable asFollower = get(controller.fenceExpiredBrokers().handle((fenced, e) -> e));
            assertThat(asFollower).isInstanceOf(NotControllerException.class);
            time.advance(20_000); // broker 1 heartbeats to the other controller, unseen here

            // This node becomes the active controller while the next check computes.
            local.setLeader(true);
            notYetLeaderAnswers.set(1);
            Throwable answer = get(controller.fenceExpiredBrokers().handle((fenced, e) -> e));

            assertThat(answer).isInstanceOf(NotControllerException.class);
            assertThat(local.image().brokers().get(1).fenced()).as("a live broker fenced by a stale check").isFalse();
            assertThat(get(controller.fenceExpiredBrokers())).as("sessions start afresh on activation").isEmpty();
        } finally {
            executor.shutdownNow();
        }
    }

    /** The controller on its own thread checks sessions by itself, on the injected clock. */
    @Test
    void theOwnThreadControllerFencesSilentBrokersByItself() {
        ManualTime time = new ManualTime();
        LocalMetadataLog log = new LocalMetadataLog();
        try (QuorumController own = new QuorumController(log, time, new Random(1),
                ClusterControlSettings.DEFAULTS.withBrokerSessionTimeoutMs(1_000))) {
            long epoch = get(own.registerBroker(ClusterFixture.registration(1, new Uuid(1, 1), null))).brokerEpoch();
            get(own.brokerHeartbeat(new BrokerHeartbeatRequestData().setBrokerId(1).setBrokerEpoch(epoch)
                    .setCurrentMetadataOffset(log.image().appliedOffset())));
            time.advance(1_000);
            assertThat(log.image().brokers().get(1).fenced()).isFalse();

            time.advance(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.image().brokers().get(1).fenced());
        }
    }

    @Test
    void aNewIncarnationReplacingALapsedSessionTakesItsLeadershipsAway() {
        cluster.activate(1, 2);
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2));
        cluster.advanceWithHeartbeats(9_001, 1);

        assertThat(cluster.register(ClusterFixture.registration(1, new Uuid(42, 42), null)).errorCode())
                .isEqualTo(Errors.NONE.code());

        assertThat(cluster.broker(1).fenced()).isTrue();
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(2);
        assertThat(cluster.partition("t", 0).isr()).containsExactly(2);
    }

    @Test
    void autoLeaderRebalanceMovesLeadershipsBackOnTheOwnThread() {
        ManualTime time = new ManualTime();
        LocalMetadataLog log = new LocalMetadataLog();
        try (QuorumController own = new QuorumController(log, time, new Random(1),
                ClusterControlSettings.DEFAULTS.withAutoLeaderRebalance(true, 5_000))) {
            get(own.registerBroker(broker(2)));
            long epoch = get(own.registerBroker(ClusterFixture.registration(1, new Uuid(3, 3), null))).brokerEpoch();
            get(own.createTopics(ControllerTestSupport.createTopics(withAssignment(topic("t", -1, -1), 0, 1, 2)),
                    ControllerDefaults.SINGLE_NODE));
            assertThat(partition(log).leader()).as("broker 1 is still fenced").isEqualTo(2);
            get(own.brokerHeartbeat(new BrokerHeartbeatRequestData().setBrokerId(1).setBrokerEpoch(epoch)
                    .setCurrentMetadataOffset(log.image().appliedOffset())));
            PartitionRegistration p = partition(log);
            AlterPartitionRequestData expand = new AlterPartitionRequestData().setBrokerId(2).setBrokerEpoch(-1);
            expand.topics().add(new AlterPartitionRequestData.TopicData().setTopicId(log.image().topics().byName("t")
                    .orElseThrow().id()).setPartitions(List.of(new AlterPartitionRequestData.PartitionData()
                    .setLeaderEpoch(p.leaderEpoch()).setPartitionEpoch(p.partitionEpoch()).setNewIsr(List.of(2, 1)))));
            get(own.alterPartition(expand, (short) 2));
            assertThat(partition(log).isr()).containsExactly(2, 1);
            assertThat(partition(log).leader()).isEqualTo(2);

            time.advance(5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> partition(log).leader() == 1);
        }
    }

    private static PartitionRegistration partition(LocalMetadataLog log) {
        return log.image().topics().byName("t").orElseThrow().partition(0).orElseThrow();
    }

    @Test
    void anUnregisteredBrokerLeavesIsrsAndLeadershipsAndTheImage() {
        cluster.activate(1, 2);
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2));

        var response = get(cluster.controller.unregisterBroker(new UnregisterBrokerRequestData().setBrokerId(1)));

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(cluster.image().brokers()).containsOnlyKeys(2);
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(2);
        assertThat(cluster.partition("t", 0).isr()).containsExactly(2);
        assertThat(get(cluster.controller.unregisterBroker(new UnregisterBrokerRequestData().setBrokerId(1)))
                .errorCode()).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED.code());
    }

    @Test
    void newReplicasGoOnlyToActiveBrokers() {
        cluster.activate(1, 2, 3);
        cluster.register(4, null);

        var result = cluster.createTopic(topic("t", 12, 3));

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        cluster.image().topics().byName("t").orElseThrow().partitions().values()
                .forEach(p -> assertThat(p.replicas()).doesNotContain(4));
        assertThat(cluster.createTopic(topic("u", 1, 4)).errorCode())
                .isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
    }

    @Test
    void replicasOfOnePartitionGoToDistinctRacksAndLeadersSpread() {
        int id = 1;
        for (String rack : List.of("a", "a", "b", "b", "c", "c")) {
            cluster.register(id, rack);
            cluster.heartbeat(id);
            id++;
        }
        cluster.createTopic(topic("t", 12, 3));

        java.util.Map<Integer, Integer> leaders = new java.util.HashMap<>();
        for (PartitionRegistration p : cluster.image().topics().byName("t").orElseThrow().partitions().values()) {
            assertThat(p.replicas().stream().map(b -> cluster.broker(b).rack()).distinct()).hasSize(3);
            leaders.merge(p.leader(), 1, Integer::sum);
        }
        assertThat(leaders).hasSize(6);
    }
}
