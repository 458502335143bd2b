package io.strand.metadata.controller;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The active controller's in-memory view of broker sessions (Kafka's BrokerHeartbeatManager): when
 * each broker was last heard from, and the metadata offsets a broker must reach before it counts
 * as caught up or may finish its controlled shutdown. None of it is in the metadata log; a
 * controller that becomes active starts every session afresh ({@link #activate}), so a broker is
 * fenced at the earliest one session timeout after a failover.
 *
 * <p>Only registrations with a session ({@link BrokerRegistration#hasSession()}) are tracked; the
 * single node's registration has none and is never fenced for silence.
 *
 * <p>A heartbeat counts from when it reached the controller ({@link #onHeartbeatReceived}), not from
 * when the controller thread got to it: behind a slow metadata append a heartbeat may wait in the
 * controller's queue longer than the session timeout, and a session check queued before it must not
 * fence a broker that did heartbeat in time (Kafka's controller likewise records a heartbeat's
 * contact time on receipt).
 *
 * <p>Not thread-safe, owned by the controller thread, except {@link #onHeartbeatReceived}, which any
 * thread may call.
 */
final class BrokerSessions {

    private final long sessionTimeoutMs;
    private final Map<Integer, Long> lastContactMs = new HashMap<>();
    /** Broker id → the latest heartbeat received for it, on any thread; read on the controller thread. */
    private final Map<Integer, Received> received = new ConcurrentHashMap<>();
    /** The offset of a broker's registration record, when this controller appended it. */
    private final Map<Integer, Long> registrationOffsets = new HashMap<>();
    /** The offset of the record that put a broker in controlled shutdown, when this controller appended it. */
    private final Map<Integer, Long> controlledShutdownOffsets = new HashMap<>();
    /** The applied offset when this controller became active: the fallback for unknown offsets. */
    private long activationOffset;
    private boolean active;

    /** A heartbeat as it arrived: the broker epoch it named and when. */
    private record Received(long brokerEpoch, long atMs) {
    }

    BrokerSessions(long sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /**
     * A heartbeat of {@code brokerId} naming {@code brokerEpoch} arrived at {@code nowMs}, before it
     * waits in the controller's queue. Thread-safe. It keeps the session of that registration alive
     * from then on, as the heartbeat's own processing will.
     */
    void onHeartbeatReceived(int brokerId, long brokerEpoch, long nowMs) {
        received.merge(brokerId, new Received(brokerEpoch, nowMs),
                (before, now) -> now.atMs() >= before.atMs() ? now : before);
    }

    /**
     * Called before every operation with whether this node may append: on becoming active every
     * registered broker's session starts at {@code nowMs}; on losing it everything is forgotten.
     */
    void maybeActivate(boolean leader, MetadataImage image, long nowMs) {
        if (leader && !active) {
            active = true;
            activationOffset = image.appliedOffset();
            image.brokers().keySet().forEach(id -> lastContactMs.put(id, nowMs));
        } else if (!leader && active) {
            active = false;
            lastContactMs.clear();
            received.clear();
            registrationOffsets.clear();
            controlledShutdownOffsets.clear();
        }
    }

    void touch(int brokerId, long nowMs) {
        lastContactMs.put(brokerId, nowMs);
    }

    /** Whether the broker's session is alive: it has one, is unfenced and was heard from in time. */
    boolean hasLiveSession(BrokerRegistration broker, long nowMs) {
        Long last = lastContactMs.get(broker.brokerId());
        return broker.hasSession() && !broker.fenced() && last != null && nowMs - last <= sessionTimeoutMs;
    }

    /**
     * How long the broker has been silent at {@code nowMs}: since its last contact, or since this
     * controller became active; 0 when this controller has no contact time for it.
     */
    long silenceMs(int brokerId, long nowMs) {
        Long last = lastContactMs.get(brokerId);
        return last == null ? 0 : nowMs - last;
    }

    /**
     * Unfenced brokers with a session whose last contact is older than the session timeout, by id; none
     * unless this controller is active (a follower hears no heartbeats and keeps no contact times).
     */
    List<Integer> expired(MetadataImage image, long nowMs) {
        List<Integer> expired = new ArrayList<>();
        if (!active) {
            return expired;
        }
        for (BrokerRegistration broker : image.brokers().values()) {
            if (broker.hasSession() && !broker.fenced()) {
                long last = lastContactMs.computeIfAbsent(broker.brokerId(), id -> nowMs);
                Received heartbeat = received.get(broker.brokerId());
                if (heartbeat != null && heartbeat.brokerEpoch() == broker.brokerEpoch()) {
                    last = Math.max(last, heartbeat.atMs());
                }
                if (nowMs - last > sessionTimeoutMs) {
                    expired.add(broker.brokerId());
                }
            }
        }
        return expired;
    }

    void onRegistered(int brokerId, long offset) {
        registrationOffsets.put(brokerId, offset);
        controlledShutdownOffsets.remove(brokerId);
    }

    void onControlledShutdownStarted(int brokerId, long offset) {
        controlledShutdownOffsets.put(brokerId, offset);
    }

    /** Whether a broker at {@code currentMetadataOffset} has applied its own registration. */
    boolean isCaughtUp(int brokerId, long currentMetadataOffset) {
        return currentMetadataOffset >= registrationOffsets.getOrDefault(brokerId, activationOffset);
    }

    /** Whether a broker at {@code currentMetadataOffset} has applied the start of its controlled shutdown. */
    boolean hasSeenControlledShutdown(int brokerId, long currentMetadataOffset) {
        return currentMetadataOffset >= controlledShutdownOffsets.getOrDefault(brokerId, 0L);
    }

    void remove(int brokerId) {
        lastContactMs.remove(brokerId);
        received.remove(brokerId);
        registrationOffsets.remove(brokerId);
        controlledShutdownOffsets.remove(brokerId);
    }
}
