package io.strand.broker.controller;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's standing with the active controller, as Kafka's {@code BrokerLifecycleManager}:
 * registers through the {@link ControllerChannel} (again and again until the controller accepts),
 * then heartbeats every {@code heartbeatIntervalMs} with its applied metadata offset, asking to stay
 * fenced ({@code wantFence}) until {@link #setReadyToUnfence()} says its metadata has caught up and
 * its logs are open; on {@link #beginControlledShutdown} it heartbeats with {@code wantShutDown}
 * until the controller answers {@code shouldShutDown} or the shutdown timeout passes. Every heartbeat
 * names the broker's offline log directories ({@code OfflineLogDirs}); one goes out at once after a
 * directory fails ({@link #propagateDirectoryFailure}), and if none naming it is answered within
 * {@code logDirFailureTimeoutMs} (Kafka's {@code log.dir.failure.timeout.ms}) the broker gives up: it
 * cannot get that directory's partitions moved, so it must stop.
 *
 * <p>States ({@link State}), and the legal moves:
 * <pre>
 *   STARTING --registered--> RECOVERY --heartbeat answered unfenced--> RUNNING
 *   STARTING --registered, heartbeats off--> RUNNING
 *   STARTING | RECOVERY | RUNNING --beginControlledShutdown--> PENDING_CONTROLLED_SHUTDOWN
 *   STARTING --beginControlledShutdown--> SHUTTING_DOWN (never registered: nothing to hand over)
 *   PENDING_CONTROLLED_SHUTDOWN --shouldShutDown or timeout--> SHUTTING_DOWN
 * </pre>
 * With {@code heartbeatsEnabled} false the manager only registers: the broker counts as unfenced
 * once registered, and a controlled shutdown ends at once. That is for a controller that serves
 * registration but not heartbeats yet.
 *
 * <p>Threads: every state change runs on one thread, the lifecycle thread
 * ({@code strand-broker-lifecycle-<id>}, started by {@link #start()}), or the caller of
 * {@link #doWork()} in tests, which then drive it on manual time. Other threads only enqueue
 * (answers from the channel, {@link #setReadyToUnfence()}, {@link #beginControlledShutdown}). At
 * most one request is in flight; a heartbeat is sent {@code heartbeatIntervalMs} after the previous
 * answer (or failure), a registration retried {@code retryBackoffMs} after a failure. Nothing
 * survives a restart: a new incarnation registers again.
 */
public final class BrokerLifecycleManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerLifecycleManager.class);

    /** Kafka's {@code BrokerState} values that this broker passes through. */
    public enum State {
        /** Registering with the controller. */
        STARTING,
        /** Registered, fenced: catching up with the metadata and opening logs. */
        RECOVERY,
        /** Registered and unfenced: may lead partitions and serve. */
        RUNNING,
        /** Asking the controller to move leadership away before it stops. */
        PENDING_CONTROLLED_SHUTDOWN,
        /** Done with the controller; the broker stops. */
        SHUTTING_DOWN
    }

    /**
     * @param heartbeatIntervalMs Kafka's {@code broker.heartbeat.interval.ms}
     * @param retryBackoffMs      pause before registering again after a failure
     * @param heartbeatsEnabled   false while the controller serves registrations but no heartbeats
     * @param logDirFailureTimeoutMs Kafka's {@code log.dir.failure.timeout.ms}: how long a failed log
     *                            directory may go unreported to the controller before the broker gives up
     */
    public record Settings(long heartbeatIntervalMs, long retryBackoffMs, boolean heartbeatsEnabled,
                           long logDirFailureTimeoutMs) {
        public Settings {
            if (heartbeatIntervalMs <= 0 || retryBackoffMs <= 0 || logDirFailureTimeoutMs <= 0) {
                throw new IllegalArgumentException("heartbeatIntervalMs=" + heartbeatIntervalMs
                        + " retryBackoffMs=" + retryBackoffMs + " logDirFailureTimeoutMs=" + logDirFailureTimeoutMs);
            }
        }

        /** With Kafka's default {@code log.dir.failure.timeout.ms} of 30 s. */
        public Settings(long heartbeatIntervalMs, long retryBackoffMs, boolean heartbeatsEnabled) {
            this(heartbeatIntervalMs, retryBackoffMs, heartbeatsEnabled, 30_000L);
        }
    }

    private final int brokerId;
    private final Time time;
    private final ControllerChannel channel;
    private final Settings settings;
    private final Supplier<BrokerRegistrationRequestData> registration;
    private final LongSupplier metadataOffset;
    private final Supplier<List<Uuid>> offlineLogDirs;
    /** Tasks from other threads, run by {@link #doWork()}. */
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Long> registered = new CompletableFuture<>();
    private final CompletableFuture<Void> unfenced = new CompletableFuture<>();
    private final CompletableFuture<Void> shutdownDone = new CompletableFuture<>();
    private volatile State state = State.STARTING;
    private volatile boolean closed;
    private Thread thread;

    /** Written on the lifecycle thread only. */
    private volatile long brokerEpoch = -1;
    /** Lifecycle thread only. */
    private boolean inFlight;
    /** Lifecycle thread only: when the next request goes out. */
    private long nextSendMs;
    /** Lifecycle thread only. */
    private boolean readyToUnfence;
    /** Lifecycle thread only: the offline directories the heartbeat in flight (or the last one) named. */
    private List<Uuid> sentOfflineLogDirs = List.of();
    /**
     * Lifecycle thread only: each failed directory no answered heartbeat has named yet, with when the
     * broker gives up on reporting it, and what giving up does.
     */
    private final Map<Uuid, Unreported> unreported = new HashMap<>();
    /** Lifecycle thread only: when a controlled shutdown gives up waiting for the controller. */
    private long shutdownDeadlineMs = Long.MAX_VALUE;

    /**
     * @param registration   builds the registration request (endpoints, rack, incarnation id)
     * @param metadataOffset this broker's applied metadata offset, reported in heartbeats
     */
    public BrokerLifecycleManager(int brokerId, Time time, ControllerChannel channel, Settings settings,
                                  Supplier<BrokerRegistrationRequestData> registration, LongSupplier metadataOffset) {
        this(brokerId, time, channel, settings, registration, metadataOffset, List::of);
    }

    /**
     * @param offlineLogDirs the ids of this broker's log directories taken offline, reported in every
     *                       heartbeat ({@code OfflineLogDirs}, KIP-858)
     */
    public BrokerLifecycleManager(int brokerId, Time time, ControllerChannel channel, Settings settings,
                                  Supplier<BrokerRegistrationRequestData> registration, LongSupplier metadataOffset,
                                  Supplier<List<Uuid>> offlineLogDirs) {
        this.offlineLogDirs = Objects.requireNonNull(offlineLogDirs);
        this.brokerId = brokerId;
        this.time = Objects.requireNonNull(time);
        this.channel = Objects.requireNonNull(channel);
        this.settings = Objects.requireNonNull(settings);
        this.registration = Objects.requireNonNull(registration);
        this.metadataOffset = Objects.requireNonNull(metadataOffset);
        this.nextSendMs = time.milliseconds();
    }

    /** Starts the lifecycle thread, which registers at once. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("Broker lifecycle already started: brokerId=" + brokerId);
        }
        thread = new Thread(this::run, "strand-broker-lifecycle-" + brokerId);
        thread.setDaemon(true);
        thread.start();
    }

    public State state() {
        return state;
    }

    /** The epoch the controller gave this broker at registration; -1 before, or from a controller that gives none. */
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /** Completes with the broker epoch (-1 from a controller that assigns none) once registered. */
    public CompletableFuture<Long> registered() {
        return registered.copy();
    }

    /** Completes once the controller has unfenced this broker. */
    public CompletableFuture<Void> unfenced() {
        return unfenced.copy();
    }

    /** This broker's metadata has caught up and its logs are open: heartbeats stop asking to stay fenced. */
    public void setReadyToUnfence() {
        enqueue(() -> readyToUnfence = true);
    }

    /**
     * A log directory went offline: the next heartbeat, which names it in {@code OfflineLogDirs}, goes
     * out at once rather than at the next interval, so the controller moves its partitions away soon.
     */
    public void propagateDirectoryFailure() {
        enqueue(() -> nextSendMs = time.milliseconds());
    }

    /**
     * As {@link #propagateDirectoryFailure()}, and if no heartbeat naming {@code directoryId} is
     * answered without error within {@code logDirFailureTimeoutMs}, runs {@code giveUp} once, on the
     * lifecycle thread (Kafka's broker shuts down then).
     */
    public void propagateDirectoryFailure(Uuid directoryId, Runnable giveUp) {
        enqueue(() -> {
            unreported.putIfAbsent(directoryId, new Unreported(time.milliseconds() + settings.logDirFailureTimeoutMs(),
                    giveUp));
            nextSendMs = time.milliseconds();
        });
    }

    private record Unreported(long deadlineMs, Runnable giveUp) {
    }

    /**
     * Starts a controlled shutdown. The future completes once the controller has answered
     * {@code shouldShutDown}, or {@code timeoutMs} has passed, or at once if this broker never
     * registered or heartbeats are off.
     */
    public CompletableFuture<Void> beginControlledShutdown(long timeoutMs) {
        enqueue(() -> onBeginControlledShutdown(timeoutMs));
        return shutdownDone.copy();
    }

    private void enqueue(Runnable event) {
        events.add(event);
    }

    private void run() {
        while (!closed) {
            try {
                long waitMs = doWork();
                Runnable event = events.poll(Math.max(1, waitMs), TimeUnit.MILLISECONDS);
                if (event != null) {
                    // The oldest event: run before the rest, which the next doWork drains.
                    event.run();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("Broker lifecycle step failed: brokerId={} state={}", brokerId, state, e);
            }
        }
    }

    /**
     * Runs the queued events, then sends what is due. Returns how long, in milliseconds, until
     * something is due again (events aside). Lifecycle thread only (or the test driving it).
     */
    public long doWork() {
        Runnable event;
        while ((event = events.poll()) != null) {
            event.run();
        }
        long nowMs = time.milliseconds();
        if (state == State.PENDING_CONTROLLED_SHUTDOWN && nowMs >= shutdownDeadlineMs) {
            log.warn("Controlled shutdown not confirmed by the controller in time, stopping anyway: brokerId={}",
                    brokerId);
            transition(State.SHUTTING_DOWN);
            shutdownDone.complete(null);
        }
        long waitMs = settings.heartbeatIntervalMs();
        for (Iterator<Map.Entry<Uuid, Unreported>> it = unreported.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Uuid, Unreported> entry = it.next();
            if (nowMs >= entry.getValue().deadlineMs()) {
                it.remove();
                log.error("Log directory failure not acknowledged by the controller within log.dir.failure.timeout.ms"
                        + "={}: brokerId={} directoryId={}", settings.logDirFailureTimeoutMs(), brokerId, entry.getKey());
                entry.getValue().giveUp().run();
            } else {
                waitMs = Math.min(waitMs, entry.getValue().deadlineMs() - nowMs);
            }
        }
        boolean idle = inFlight || state == State.SHUTTING_DOWN
                || (state == State.RUNNING && !settings.heartbeatsEnabled());
        if (!idle) {
            if (nowMs < nextSendMs) {
                waitMs = Math.min(waitMs, nextSendMs - nowMs);
            } else if (state == State.STARTING) {
                sendRegistration();
            } else {
                sendHeartbeat();
            }
        }
        if (state == State.PENDING_CONTROLLED_SHUTDOWN) {
            waitMs = Math.min(waitMs, shutdownDeadlineMs - nowMs);
        }
        return waitMs;
    }

    private void sendRegistration() {
        inFlight = true;
        BrokerRegistrationRequestData request = registration.get();
        channel.send(ApiKeys.BROKER_REGISTRATION, request).whenComplete((response, error) ->
                enqueue(() -> onRegistrationAnswer(response, error)));
    }

    private void onRegistrationAnswer(ApiMessage response, Throwable error) {
        inFlight = false;
        long nowMs = time.milliseconds();
        Errors failure = error != null ? Errors.forException(unwrap(error))
                : Errors.forCode(((BrokerRegistrationResponseData) response).errorCode());
        if (failure != Errors.NONE) {
            log.info("Broker registration not accepted, retrying: brokerId={} error={} retryBackoffMs={}",
                    brokerId, error != null ? unwrap(error).toString() : failure.name(), settings.retryBackoffMs());
            nextSendMs = nowMs + settings.retryBackoffMs();
            return;
        }
        if (state != State.STARTING) {
            return;
        }
        brokerEpoch = ((BrokerRegistrationResponseData) response).brokerEpoch();
        log.info("Broker registered with the controller: brokerId={} brokerEpoch={}", brokerId, brokerEpoch);
        if (settings.heartbeatsEnabled()) {
            transition(State.RECOVERY);
            nextSendMs = nowMs;
            registered.complete(brokerEpoch);
        } else {
            transition(State.RUNNING);
            registered.complete(brokerEpoch);
            unfenced.complete(null);
        }
    }

    private void sendHeartbeat() {
        inFlight = true;
        BrokerHeartbeatRequestData request = new BrokerHeartbeatRequestData()
                .setBrokerId(brokerId)
                .setBrokerEpoch(brokerEpoch)
                .setCurrentMetadataOffset(metadataOffset.getAsLong())
                .setWantFence(!readyToUnfence)
                .setWantShutDown(state == State.PENDING_CONTROLLED_SHUTDOWN)
                .setOfflineLogDirs(offlineLogDirs.get());
        sentOfflineLogDirs = request.offlineLogDirs();
        channel.send(ApiKeys.BROKER_HEARTBEAT, request).whenComplete((response, error) ->
                enqueue(() -> onHeartbeatAnswer(response, error)));
    }

    private void onHeartbeatAnswer(ApiMessage response, Throwable error) {
        inFlight = false;
        nextSendMs = time.milliseconds() + settings.heartbeatIntervalMs();
        if (!offlineLogDirs.get().equals(sentOfflineLogDirs)) {
            // A directory failed while this heartbeat was out: the next one names it at once.
            nextSendMs = time.milliseconds();
        }
        if (error != null) {
            log.warn("Broker heartbeat failed: brokerId={} state={} error={}", brokerId, state, unwrap(error).toString());
            return;
        }
        BrokerHeartbeatResponseData answer = (BrokerHeartbeatResponseData) response;
        if (answer.errorCode() != Errors.NONE.code()) {
            log.warn("Broker heartbeat refused: brokerId={} state={} error={}", brokerId, state,
                    Errors.forCode(answer.errorCode()).name());
            return;
        }
        // The controller has the directories this heartbeat named.
        sentOfflineLogDirs.forEach(unreported::remove);
        switch (state) {
            case RECOVERY -> {
                if (!answer.isFenced()) {
                    log.info("Broker unfenced by the controller: brokerId={} brokerEpoch={}", brokerId, brokerEpoch);
                    transition(State.RUNNING);
                    unfenced.complete(null);
                } else {
                    // Still catching up: ask again soon, as Kafka's broker does, so that a start is not
                    // held up by a whole heartbeat interval.
                    nextSendMs = time.milliseconds() + Math.min(settings.heartbeatIntervalMs(), settings.retryBackoffMs());
                }
            }
            case PENDING_CONTROLLED_SHUTDOWN -> {
                if (answer.shouldShutDown()) {
                    log.info("Controlled shutdown confirmed by the controller: brokerId={}", brokerId);
                    transition(State.SHUTTING_DOWN);
                    shutdownDone.complete(null);
                } else {
                    // Leadership is still moving away: ask again soon rather than after a full interval.
                    nextSendMs = time.milliseconds() + Math.min(settings.heartbeatIntervalMs(), settings.retryBackoffMs());
                }
            }
            default -> {
                // RUNNING: nothing changes; SHUTTING_DOWN: a late answer.
            }
        }
    }

    private void onBeginControlledShutdown(long timeoutMs) {
        switch (state) {
            case STARTING -> {
                transition(State.SHUTTING_DOWN);
                shutdownDone.complete(null);
            }
            case RECOVERY, RUNNING -> {
                if (!settings.heartbeatsEnabled()) {
                    transition(State.SHUTTING_DOWN);
                    shutdownDone.complete(null);
                    return;
                }
                transition(State.PENDING_CONTROLLED_SHUTDOWN);
                shutdownDeadlineMs = time.milliseconds() + timeoutMs;
                nextSendMs = time.milliseconds();
            }
            default -> {
                // Already shutting down.
            }
        }
    }

    private void transition(State next) {
        State current = state;
        boolean legal = switch (next) {
            case STARTING -> false;
            case RECOVERY -> current == State.STARTING;
            case RUNNING -> current == State.STARTING || current == State.RECOVERY;
            case PENDING_CONTROLLED_SHUTDOWN -> current == State.RECOVERY || current == State.RUNNING;
            case SHUTTING_DOWN -> current != State.SHUTTING_DOWN;
        };
        if (!legal) {
            throw new IllegalStateException("Illegal broker lifecycle transition: brokerId=" + brokerId
                    + " from=" + current + " to=" + next);
        }
        state = next;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** Stops the lifecycle thread; sends nothing more. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        registered.completeExceptionally(new IllegalStateException("Broker lifecycle closed: brokerId=" + brokerId));
        unfenced.completeExceptionally(new IllegalStateException("Broker lifecycle closed: brokerId=" + brokerId));
        shutdownDone.complete(null);
    }
}
