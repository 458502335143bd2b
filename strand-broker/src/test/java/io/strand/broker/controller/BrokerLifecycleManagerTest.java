package io.strand.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.controller.BrokerLifecycleManager.State;
import io.strand.common.test.ThreadLeakCheck;
import io.strand.common.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The lifecycle on manual time against a fake controller channel, one {@code doWork} at a time. */
class BrokerLifecycleManagerTest {

    private static final long INTERVAL_MS = 2_000;
    private static final long BACKOFF_MS = 100;
    private static final long FAILURE_TIMEOUT_MS = 10_000;

    private final ManualTime time = new ManualTime();
    private final FakeChannel channel = new FakeChannel();
    private final AtomicLong metadataOffset = new AtomicLong(42);

    private final List<Uuid> offlineDirs = new java.util.concurrent.CopyOnWriteArrayList<>();

    private BrokerLifecycleManager manager(boolean heartbeats) {
        return new BrokerLifecycleManager(7, time, channel,
                new BrokerLifecycleManager.Settings(INTERVAL_MS, BACKOFF_MS, heartbeats, FAILURE_TIMEOUT_MS),
                () -> new BrokerRegistrationRequestData().setBrokerId(7).setIncarnationId(new Uuid(1, 2)),
                metadataOffset::get, () -> List.copyOf(offlineDirs));
    }

    @Test
    void aFailedDirectoryIsNamedInAHeartbeatSentAtOnce() {
        BrokerLifecycleManager manager = registered(manager(true), 11);
        unfence(manager);
        assertThat(((BrokerHeartbeatRequestData) channel.last().request).offlineLogDirs()).isEmpty();
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(false));
        manager.doWork();
        int sent = channel.sent.size();

        Uuid failed = new Uuid(3, 300);
        offlineDirs.add(failed);
        manager.propagateDirectoryFailure();
        manager.doWork();

        assertThat(channel.sent).hasSize(sent + 1);
        assertThat(((BrokerHeartbeatRequestData) channel.last().request).offlineLogDirs()).containsExactly(failed);
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(false));
        manager.doWork();
        time.advance(INTERVAL_MS);
        manager.doWork();
        assertThat(((BrokerHeartbeatRequestData) channel.last().request).offlineLogDirs()).containsExactly(failed);
        assertThat(manager.state()).isEqualTo(State.RUNNING);
    }

    @Test
    void aDirectoryFailingWhileAHeartbeatIsOutIsNamedByTheNextOneAtOnce() {
        BrokerLifecycleManager manager = registered(manager(true), 11);
        unfence(manager);
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(false));
        manager.doWork();
        time.advance(INTERVAL_MS);
        manager.doWork();
        int sent = channel.sent.size();

        offlineDirs.add(new Uuid(3, 300));
        manager.propagateDirectoryFailure();
        manager.doWork();
        assertThat(channel.sent).hasSize(sent);
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(false));
        manager.doWork();

        assertThat(channel.sent).hasSize(sent + 1);
        assertThat(((BrokerHeartbeatRequestData) channel.last().request).offlineLogDirs()).hasSize(1);
    }

    @Test
    void aFailedDirectoryTheControllerNeverAcknowledgesGivesUpAfterTheTimeout() {
        AtomicInteger gaveUp = new AtomicInteger();
        Uuid failed = new Uuid(3, 300);
        BrokerLifecycleManager manager = runningWithAFailedDirectory(failed, gaveUp);

        // Every heartbeat naming the directory fails: the controller cannot be reached.
        for (long waited = 0; waited < FAILURE_TIMEOUT_MS - INTERVAL_MS; waited += INTERVAL_MS) {
            manager.doWork();
            assertThat(((BrokerHeartbeatRequestData) channel.last().request).offlineLogDirs()).containsExactly(failed);
            channel.last().future.completeExceptionally(new TimeoutException("no controller"));
            manager.doWork();
            time.advance(INTERVAL_MS);
        }
        manager.doWork();
        assertThat(gaveUp).hasValue(0);
        time.advance(INTERVAL_MS);
        manager.doWork();

        assertThat(gaveUp).hasValue(1);
        time.advance(FAILURE_TIMEOUT_MS);
        manager.doWork();
        assertThat(gaveUp).as("gives up once").hasValue(1);
    }

    @Test
    void aFailedDirectoryAnAnsweredHeartbeatNamedDoesNotGiveUp() {
        AtomicInteger gaveUp = new AtomicInteger();
        BrokerLifecycleManager manager = runningWithAFailedDirectory(new Uuid(3, 300), gaveUp);
        manager.doWork();
        // A refused heartbeat is no acknowledgement; an answered one is.
        channel.last().future.complete(new BrokerHeartbeatResponseData()
                .setErrorCode(Errors.NOT_CONTROLLER.code()));
        manager.doWork();
        time.advance(INTERVAL_MS);
        manager.doWork();
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(false));
        manager.doWork();
        time.advance(FAILURE_TIMEOUT_MS * 2);
        manager.doWork();

        assertThat(gaveUp).hasValue(0);
    }

    @Test
    void registersAgainUntilTheControllerAccepts() {
        BrokerLifecycleManager manager = manager(true);
        manager.doWork();
        assertThat(channel.sent).singleElement().satisfies(s -> assertThat(s.api).isEqualTo(ApiKeys.BROKER_REGISTRATION));

        channel.last().future.completeExceptionally(new TimeoutException("no controller"));
        manager.doWork();
        assertThat(channel.sent).hasSize(1);
        time.advance(BACKOFF_MS - 1);
        manager.doWork();
        assertThat(channel.sent).hasSize(1);
        time.advance(1);
        manager.doWork();
        assertThat(channel.sent).hasSize(2);

        channel.last().future.complete(new BrokerRegistrationResponseData().setErrorCode(Errors.NOT_CONTROLLER.code()));
        manager.doWork();
        time.advance(BACKOFF_MS);
        manager.doWork();
        assertThat(channel.sent).hasSize(3);
        assertThat(manager.registered()).isNotDone();

        channel.last().future.complete(new BrokerRegistrationResponseData().setBrokerEpoch(11));
        manager.doWork();
        assertThat(manager.registered()).isCompletedWithValue(11L);
        assertThat(manager.state()).isEqualTo(State.RECOVERY);
    }

    @Test
    void heartbeatsWantFenceUntilReadyThenRunsOnceUnfenced() {
        BrokerLifecycleManager manager = registered(manager(true), 11);
        // The first heartbeat goes out right after the registration.
        BrokerHeartbeatRequestData first = (BrokerHeartbeatRequestData) channel.last().request;
        assertThat(channel.last().api).isEqualTo(ApiKeys.BROKER_HEARTBEAT);
        assertThat(first.brokerId()).isEqualTo(7);
        assertThat(first.brokerEpoch()).isEqualTo(11);
        assertThat(first.currentMetadataOffset()).isEqualTo(42);
        assertThat(first.wantFence()).isTrue();
        assertThat(first.wantShutDown()).isFalse();

        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(true));
        manager.doWork();
        int sent = channel.sent.size();
        // Still fenced while recovering: the next heartbeat goes after the short backoff, not a whole interval.
        time.advance(BACKOFF_MS - 1);
        manager.doWork();
        assertThat(channel.sent).hasSize(sent);
        time.advance(1);
        manager.doWork();
        assertThat(channel.sent).hasSize(sent + 1);
        assertThat(((BrokerHeartbeatRequestData) channel.last().request).wantFence()).isTrue();
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(true));
        manager.doWork();

        metadataOffset.set(50);
        manager.setReadyToUnfence();
        time.advance(BACKOFF_MS);
        manager.doWork();
        BrokerHeartbeatRequestData ready = (BrokerHeartbeatRequestData) channel.last().request;
        assertThat(ready.wantFence()).isFalse();
        assertThat(ready.currentMetadataOffset()).isEqualTo(50);
        assertThat(manager.state()).isEqualTo(State.RECOVERY);

        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(false));
        manager.doWork();
        assertThat(manager.state()).isEqualTo(State.RUNNING);
        assertThat(manager.unfenced()).isDone();
    }

    @Test
    void aFailedHeartbeatIsRetriedAfterTheInterval() {
        BrokerLifecycleManager manager = registered(manager(true), 11);
        channel.last().future.completeExceptionally(new NotControllerException("moving"));
        manager.doWork();
        int sent = channel.sent.size();
        time.advance(INTERVAL_MS);
        manager.doWork();
        assertThat(channel.sent).hasSize(sent + 1);
        assertThat(channel.last().api).isEqualTo(ApiKeys.BROKER_HEARTBEAT);
    }

    @Test
    void onlyOneRequestIsInFlight() {
        BrokerLifecycleManager manager = registered(manager(true), 11);
        int sent = channel.sent.size();
        time.advance(10 * INTERVAL_MS);
        manager.doWork();
        assertThat(channel.sent).hasSize(sent);
    }

    @Test
    void controlledShutdownHeartbeatsWantShutDownUntilTheControllerAgrees() {
        BrokerLifecycleManager manager = registered(manager(true), 11);
        unfence(manager);

        CompletableFuture<Void> done = manager.beginControlledShutdown(30_000);
        manager.doWork();
        assertThat(manager.state()).isEqualTo(State.PENDING_CONTROLLED_SHUTDOWN);
        BrokerHeartbeatRequestData ask = (BrokerHeartbeatRequestData) channel.last().request;
        assertThat(ask.wantShutDown()).isTrue();

        channel.last().future.complete(new BrokerHeartbeatResponseData().setShouldShutDown(false));
        manager.doWork();
        assertThat(done).isNotDone();
        time.advance(BACKOFF_MS);
        manager.doWork();
        assertThat(((BrokerHeartbeatRequestData) channel.last().request).wantShutDown()).isTrue();

        channel.last().future.complete(new BrokerHeartbeatResponseData().setShouldShutDown(true));
        manager.doWork();
        assertThat(done).isDone();
        assertThat(manager.state()).isEqualTo(State.SHUTTING_DOWN);
        int sent = channel.sent.size();
        time.advance(10 * INTERVAL_MS);
        manager.doWork();
        assertThat(channel.sent).hasSize(sent);
    }

    @Test
    void controlledShutdownGivesUpAfterItsTimeout() {
        BrokerLifecycleManager manager = registered(manager(true), 11);
        unfence(manager);

        CompletableFuture<Void> done = manager.beginControlledShutdown(5_000);
        manager.doWork();
        // The controller never answers.
        time.advance(4_999);
        manager.doWork();
        assertThat(done).isNotDone();
        time.advance(1);
        manager.doWork();
        assertThat(done).isDone();
        assertThat(manager.state()).isEqualTo(State.SHUTTING_DOWN);
    }

    @Test
    void shutdownBeforeRegistrationEndsAtOnce() {
        BrokerLifecycleManager manager = manager(true);
        manager.doWork();
        CompletableFuture<Void> done = manager.beginControlledShutdown(30_000);
        manager.doWork();
        assertThat(done).isDone();
        assertThat(manager.state()).isEqualTo(State.SHUTTING_DOWN);
    }

    @Test
    void withoutHeartbeatsARegisteredBrokerRunsAndSendsNothingMore() {
        BrokerLifecycleManager manager = manager(false);
        manager.doWork();
        channel.last().future.complete(new BrokerRegistrationResponseData().setBrokerEpoch(-1));
        manager.doWork();
        assertThat(manager.state()).isEqualTo(State.RUNNING);
        assertThat(manager.unfenced()).isDone();
        time.advance(10 * INTERVAL_MS);
        manager.doWork();
        assertThat(channel.sent).hasSize(1);

        CompletableFuture<Void> done = manager.beginControlledShutdown(30_000);
        manager.doWork();
        assertThat(done).isDone();
        assertThat(channel.sent).hasSize(1);
    }

    @Test
    void theLifecycleThreadRegistersAndStopsOnClose() throws Exception {
        ThreadLeakCheck threads = ThreadLeakCheck.start();
        ControllerChannel accepting = (api, request) ->
                CompletableFuture.completedFuture(new BrokerRegistrationResponseData().setBrokerEpoch(3));
        BrokerLifecycleManager manager = new BrokerLifecycleManager(7, time, accepting,
                new BrokerLifecycleManager.Settings(INTERVAL_MS, BACKOFF_MS, false),
                () -> new BrokerRegistrationRequestData().setBrokerId(7), metadataOffset::get);
        manager.start();

        assertThat(manager.registered().get(30, TimeUnit.SECONDS)).isEqualTo(3L);
        assertThat(manager.state()).isEqualTo(State.RUNNING);
        manager.close();
        threads.assertNoNewThreads();
    }

    /** A running broker whose directory {@code failed} has just failed, counting give-ups in {@code gaveUp}. */
    private BrokerLifecycleManager runningWithAFailedDirectory(Uuid failed, AtomicInteger gaveUp) {
        BrokerLifecycleManager manager = registered(manager(true), 11);
        unfence(manager);
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(false));
        manager.doWork();
        offlineDirs.add(failed);
        manager.propagateDirectoryFailure(failed, gaveUp::incrementAndGet);
        return manager;
    }

    private BrokerLifecycleManager registered(BrokerLifecycleManager manager, long epoch) {
        manager.doWork();
        channel.last().future.complete(new BrokerRegistrationResponseData().setBrokerEpoch(epoch));
        manager.doWork();
        assertThat(manager.state()).isEqualTo(State.RECOVERY);
        return manager;
    }

    private void unfence(BrokerLifecycleManager manager) {
        manager.setReadyToUnfence();
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(true));
        manager.doWork();
        time.advance(INTERVAL_MS);
        manager.doWork();
        channel.last().future.complete(new BrokerHeartbeatResponseData().setIsFenced(false));
        manager.doWork();
        assertThat(manager.state()).isEqualTo(State.RUNNING);
    }

    /** Records every request; the test completes its future. */
    private static final class FakeChannel implements ControllerChannel {
        record Sent(ApiKeys api, ApiMessage request, CompletableFuture<ApiMessage> future) {
        }

        final List<Sent> sent = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<ApiMessage> send(ApiKeys api, ApiMessage request) {
            Sent s = new Sent(api, request, new CompletableFuture<>());
            sent.add(s);
            return s.future;
        }

        Sent last() {
            return sent.get(sent.size() - 1);
        }
    }
}
