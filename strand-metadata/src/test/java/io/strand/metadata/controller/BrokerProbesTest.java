package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static io.strand.metadata.controller.ControllerTestSupport.topic;
import static io.strand.metadata.controller.ControllerTestSupport.withAssignment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.common.time.ManualTime;
import io.strand.metadata.controller.BrokerProber.Outcome;
import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.image.PartitionRegistration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The active controller's probes of silent brokers, on manual time with a prober the test answers:
 * a refusal fences at once, anything else leaves the decision to the session timeout. The heartbeat
 * interval is 2000 ms, so a broker is probed after 3000 ms of silence; the session timeout is 9000 ms.
 */
class BrokerProbesTest {

    private static final long HEARTBEAT_INTERVAL_MS = 2_000;

    private final FakeProber prober = new FakeProber();
    private final ClusterFixture cluster = new ClusterFixture(ClusterControlSettings.DEFAULTS,
            new BrokerProbeSettings(prober, "PLAINTEXT", HEARTBEAT_INTERVAL_MS));

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void aRefusedProbeFencesTheSilentBrokerAndMovesItsLeadershipLongBeforeItsSessionExpires() {
        cluster.activate(1, 2, 3);
        settleFirstCheck();
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2, 3));
        PartitionRegistration before = cluster.partition("t", 0);

        cluster.advanceWithHeartbeats(3_001, 1);
        assertThat(probe()).containsExactly(1);
        assertThat(prober.probes).singleElement().satisfies(p -> assertThat(p.address()).isEqualTo("broker-1:9092"));
        prober.answer(0, Outcome.REFUSED);
        awaitQueued();

        assertThat(cluster.broker(1).fenced()).isTrue();
        PartitionRegistration after = cluster.partition("t", 0);
        assertThat(after.leader()).isEqualTo(2);
        assertThat(after.isr()).containsExactly(2, 3);
        assertThat(after.leaderEpoch()).isEqualTo(before.leaderEpoch() + 1);
        assertThat(cluster.broker(2).fenced()).isFalse();
        assertThat(cluster.broker(3).fenced()).isFalse();
    }

    @Test
    void anAcceptedConnectionOrNoAnswerLeavesTheBrokerToItsSessionTimeout() {
        cluster.activate(1, 2, 3, 4);
        settleFirstCheck();
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 1, 2, 3, 4));

        cluster.advanceWithHeartbeats(3_001, 1, 2, 3);
        assertThat(probe()).containsExactlyInAnyOrder(1, 2, 3);
        prober.answer(broker(1), Outcome.ACCEPTED);
        prober.answer(broker(2), Outcome.NO_ANSWER);
        prober.probes.get(broker(3)).future.completeExceptionally(new IOException("probe failed"));
        awaitQueued();

        assertThat(cluster.broker(1).fenced()).isFalse();
        assertThat(cluster.broker(2).fenced()).isFalse();
        assertThat(cluster.broker(3).fenced()).isFalse();
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(1);

        cluster.advanceWithHeartbeats(6_000, 1, 2, 3);
        assertThat(cluster.fenceExpired()).containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void noBrokerIsProbedWhileItHeartbeats() {
        cluster.activate(1, 2);
        settleFirstCheck();
        for (int i = 0; i < 10; i++) {
            cluster.advanceWithHeartbeats(HEARTBEAT_INTERVAL_MS);
            assertThat(probe()).isEmpty();
        }
        cluster.advanceWithHeartbeats(3_000, 1);
        assertThat(probe()).as("silent for exactly one and a half intervals").isEmpty();
        cluster.advanceWithHeartbeats(1, 1);
        assertThat(probe()).containsExactly(1);
    }

    @Test
    void aBrokerHasOneProbeInFlightAtATimeAndIsProbedAtMostOncePerHeartbeatInterval() {
        cluster.activate(1, 2);
        settleFirstCheck();
        cluster.advanceWithHeartbeats(3_001, 1);
        assertThat(probe()).containsExactly(1);

        cluster.advanceWithHeartbeats(5_000, 1);
        assertThat(probe()).as("the first probe is still in flight").isEmpty();
        prober.answer(0, Outcome.NO_ANSWER);
        awaitQueued();
        assertThat(probe()).containsExactly(1);
        prober.answer(1, Outcome.ACCEPTED);
        awaitQueued();

        cluster.advanceWithHeartbeats(HEARTBEAT_INTERVAL_MS - 1, 1);
        assertThat(probe()).as("probed less than an interval ago").isEmpty();
        cluster.advanceWithHeartbeats(1, 1);
        assertThat(probe()).containsExactly(1);
        assertThat(prober.probes).hasSize(3);
    }

    @Test
    void aHeartbeatAfterTheProbeWasSentOutweighsARefusal() {
        cluster.activate(1, 2);
        settleFirstCheck();
        cluster.advanceWithHeartbeats(3_001, 1);
        assertThat(probe()).containsExactly(1);

        cluster.advanceWithHeartbeats(10);
        prober.answer(0, Outcome.REFUSED);
        awaitQueued();

        assertThat(cluster.broker(1).fenced()).isFalse();
    }

    @Test
    void aRefusalForAnEarlierRegistrationDoesNotFenceTheNewOne() {
        cluster.activate(1, 2);
        settleFirstCheck();
        cluster.advanceWithHeartbeats(3_001, 1);
        assertThat(probe()).containsExactly(1);

        // The old process is gone; a new incarnation registers before the probe's answer arrives.
        cluster.register(1, null);
        cluster.time.advance(1);
        prober.answer(0, Outcome.REFUSED);
        awaitQueued();

        assertThat(cluster.broker(1).brokerEpoch()).isEqualTo(cluster.epoch(1));
        assertThat(get(cluster.controller.brokerHeartbeat(new BrokerHeartbeatRequestData().setBrokerId(1)
                .setBrokerEpoch(cluster.epoch(1)).setCurrentMetadataOffset(cluster.image().appliedOffset())))
                .isFenced()).as("unfenced by its heartbeat, not fenced again by the old refusal").isFalse();
    }

    @Test
    void fencedBrokersAndBrokersWithoutSessionAreNotProbed() {
        cluster.activate(1, 2);
        settleFirstCheck();
        get(cluster.controller.registerBroker(ControllerTestSupport.broker(7)));
        cluster.advanceWithHeartbeats(3_001, 1);
        assertThat(probe()).containsExactly(1);
        prober.answer(0, Outcome.REFUSED);
        awaitQueued();
        assertThat(cluster.broker(1).fenced()).isTrue();

        cluster.advanceWithHeartbeats(10_000, 1);
        assertThat(probe()).isEmpty();
    }

    @Test
    void onlyTheActiveControllerProbes() {
        cluster.activate(1, 2);
        settleFirstCheck();
        cluster.metadataLog.setLeader(false);
        cluster.time.advance(3_001);
        Throwable notActive = get(cluster.controller.probeSilentBrokers().handle((probed, e) -> e));
        assertThat(notActive).isInstanceOf(NotControllerException.class);
        assertThat(prober.probes).isEmpty();
    }

    @Test
    void aNewlyActiveControllerProbesEveryBrokerAtOnceAndFencesTheDeadOne() {
        cluster.activate(1, 2, 3);
        cluster.createTopic(withAssignment(topic("t", -1, -1), 0, 2, 1, 3));

        assertThat(probe()).as("no time has passed").containsExactlyInAnyOrder(1, 2, 3);
        prober.answer(broker(1), Outcome.ACCEPTED);
        prober.answer(broker(2), Outcome.REFUSED);
        prober.answer(broker(3), Outcome.NO_ANSWER);
        awaitQueued();
        assertThat(cluster.broker(2).fenced()).isTrue();
        assertThat(cluster.partition("t", 0).leader()).isEqualTo(1);
        assertThat(probe()).as("an active controller probes only the silent").isEmpty();

        cluster.metadataLog.setLeader(false);
        get(cluster.controller.probeSilentBrokers().handle((probed, e) -> e));
        cluster.metadataLog.setLeader(true);
        assertThat(probe()).as("active again").containsExactlyInAnyOrder(1, 3);
    }

    @Test
    void withoutProbeSettingsNothingIsProbed() {
        try (ClusterFixture plain = new ClusterFixture()) {
            plain.activate(1, 2);
            plain.advanceWithHeartbeats(8_000, 1);
            assertThat(get(plain.controller.probeSilentBrokers())).isEmpty();
            assertThat(plain.broker(1).fenced()).isFalse();
        }
    }

    /** The controller on its own thread probes by itself, every tick, on the injected clock. */
    @Test
    void theOwnThreadControllerProbesAndFencesByItself() {
        ManualTime time = new ManualTime();
        LocalMetadataLog log = new LocalMetadataLog();
        FakeProber refusing = new FakeProber(Outcome.ACCEPTED);
        try (QuorumController own = new QuorumController(log, time, new Random(1), ClusterControlSettings.DEFAULTS,
                new BrokerProbeSettings(refusing, "PLAINTEXT", HEARTBEAT_INTERVAL_MS))) {
            long epoch = get(own.registerBroker(ClusterFixture.registration(1, new Uuid(1, 1), null))).brokerEpoch();
            get(own.brokerHeartbeat(new BrokerHeartbeatRequestData().setBrokerId(1).setBrokerEpoch(epoch)
                    .setCurrentMetadataOffset(log.image().appliedOffset())));
            assertThat(log.image().brokers().get(1).fenced()).isFalse();

            // The process is gone: its port refuses from now on; the next probe comes after a missed heartbeat.
            refusing.fixed = Outcome.REFUSED;
            time.advance(3_001);
            await().atMost(Duration.ofSeconds(10)).until(() -> log.image().brokers().get(1).fenced());
        }
    }

    /**
     * The controller's first check after it became active probes every broker at once: all accept,
     * and the probes are forgotten, so that a test counts only its own.
     */
    private void settleFirstCheck() {
        assertThat(probe()).as("the first check of a newly active controller probes every broker")
                .containsExactlyInAnyOrderElementsOf(cluster.image().brokers().keySet());
        for (int i = 0; i < prober.probes.size(); i++) {
            prober.answer(i, Outcome.ACCEPTED);
        }
        awaitQueued();
        prober.probes.clear();
    }

    private List<Integer> probe() {
        return get(cluster.controller.probeSilentBrokers());
    }

    /** The index of the probe sent to {@code brokerId}. */
    private int broker(int brokerId) {
        for (int i = 0; i < prober.probes.size(); i++) {
            if (prober.probes.get(i).host.equals("broker-" + brokerId)) {
                return i;
            }
        }
        throw new AssertionError("no probe of broker " + brokerId + ": " + prober.probes);
    }

    /** Waits until the controller has run everything queued before (outcomes included, with their appends). */
    private void awaitQueued() {
        get(cluster.controller.fenceExpiredBrokers());
    }

    /** Records every probe; answers each with a fixed outcome, or when the test says. */
    private static final class FakeProber implements BrokerProber {
        record SentProbe(String host, int port, CompletableFuture<Outcome> future) {
            String address() {
                return host + ":" + port;
            }
        }

        final List<SentProbe> probes = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Outcome fixed;

        FakeProber() {
            this(null);
        }

        FakeProber(Outcome fixed) {
            this.fixed = fixed;
        }

        @Override
        public CompletableFuture<Outcome> probe(String host, int port) {
            CompletableFuture<Outcome> future = fixed == null ? new CompletableFuture<>()
                    : CompletableFuture.completedFuture(fixed);
            probes.add(new SentProbe(host, port, future));
            return future;
        }

        void answer(int index, Outcome outcome) {
            probes.get(index).future.complete(outcome);
        }
    }
}
