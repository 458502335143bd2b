package io.strand.metadata.controller;

import io.strand.metadata.controller.BrokerProber.Outcome;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fast detection of dead brokers: which silent brokers the active controller probes, and whether a
 * probe's outcome fences one. A session expiry needs {@code broker.session.timeout.ms} of silence;
 * a broker whose process is gone (killed, crashed) while its host is up is found sooner, because a
 * connection to its registered endpoint is refused.
 *
 * <p>Rules:
 * <ul>
 *   <li>A broker is probed when it has a session, is unfenced, has been silent (no heartbeat, by
 *       {@link BrokerSessions}) for more than {@link BrokerProbeSettings#probeAfterMs()} (one
 *       heartbeat missed), has no probe in flight, and was last probed at least one heartbeat
 *       interval ago (a paused broker's listen queue is not filled with probes).</li>
 *   <li>A controller that has just become active does not know when brokers were last heard from
 *       (their sessions start afresh): its first check probes every unfenced broker with a session
 *       at once, so that a broker that died with the previous controller's node is fenced without
 *       waiting for a heartbeat to be missed.</li>
 *   <li>{@link Outcome#REFUSED} fences it, as a session expiry does, if it is still the same
 *       registration (broker epoch), still unfenced, and has not been heard from since the probe
 *       was sent. Every other outcome changes nothing: the session timeout still decides.</li>
 * </ul>
 * Fencing is safe even when the refusal misleads (a firewall's reset, say): a live broker
 * heartbeats again and is unfenced once caught up; the cost is a move of its leaderships.
 *
 * <p>Not thread-safe: owned by the controller thread. Memory only, like {@link BrokerSessions}.
 */
final class BrokerProbes {

    /** A probe sent to the endpoint of one registration of a broker, at {@code sentMs}. */
    record Probe(int brokerId, long brokerEpoch, String host, int port, long sentMs) {
    }

    private final String listenerName;
    private final long probeAfterMs;
    private final long reprobeIntervalMs;
    /** Brokers with a probe whose outcome has not arrived. */
    private final Set<Integer> inFlight = new HashSet<>();
    /** When each broker was last probed, by the controller's clock. */
    private final Map<Integer, Long> lastSentMs = new HashMap<>();
    /** Whether the last check ran while this node was the active controller. */
    private boolean active;

    BrokerProbes(BrokerProbeSettings settings) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("Broker probes are disabled");
        }
        this.listenerName = settings.listenerName();
        this.probeAfterMs = settings.probeAfterMs();
        this.reprobeIntervalMs = settings.heartbeatIntervalMs();
    }

    /**
     * The probes to send at {@code nowMs} from the active controller, each counted in flight until
     * {@link #onOutcome}.
     */
    List<Probe> due(MetadataImage image, BrokerSessions sessions, long nowMs) {
        boolean justActivated = !active;
        active = true;
        List<Probe> due = new ArrayList<>();
        for (BrokerRegistration broker : image.brokers().values()) {
            int brokerId = broker.brokerId();
            if (!broker.hasSession() || broker.fenced() || inFlight.contains(brokerId)) {
                continue;
            }
            if (!justActivated) {
                Long lastMs = lastSentMs.get(brokerId);
                if (sessions.silenceMs(brokerId, nowMs) <= probeAfterMs
                        || lastMs != null && nowMs - lastMs < reprobeIntervalMs) {
                    continue;
                }
            }
            Optional<Endpoint> endpoint = broker.endpoint(listenerName);
            if (endpoint.isEmpty()) {
                continue;
            }
            inFlight.add(brokerId);
            lastSentMs.put(brokerId, nowMs);
            due.add(new Probe(brokerId, broker.brokerEpoch(), endpoint.get().host(), endpoint.get().port(), nowMs));
        }
        return due;
    }

    /**
     * A probe's outcome arrived: the broker may be probed again, and the answer is whether it is
     * to be fenced now (see the class doc).
     */
    boolean onOutcome(Probe probe, Outcome outcome, MetadataImage image, BrokerSessions sessions, long nowMs) {
        inFlight.remove(probe.brokerId());
        if (outcome != Outcome.REFUSED) {
            return false;
        }
        BrokerRegistration broker = image.brokers().get(probe.brokerId());
        return broker != null && broker.brokerEpoch() == probe.brokerEpoch() && !broker.fenced()
                && sessions.silenceMs(probe.brokerId(), nowMs) >= nowMs - probe.sentMs();
    }

    /** A check found this node not the active controller: the next active one probes every broker. */
    void onInactive() {
        active = false;
    }

    /** Whether a probe of {@code brokerId} is in flight. */
    boolean inFlight(int brokerId) {
        return inFlight.contains(brokerId);
    }
}
