package io.strand.common.sim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An in-memory network between simulated nodes, driven by an {@link EventScheduler}: every message
 * is lost with probability {@link Faults#lossRate()}, else delivered after a delay drawn uniformly
 * from [{@link Faults#minDelayMs()}, {@link Faults#maxDelayMs()}]. Different delays reorder
 * messages, even between one pair of nodes. A node that is down neither sends nor receives: what
 * it sends is dropped, and what arrives for it while it is down is dropped on arrival. Faults can
 * be changed during a run ({@link #setFaults}, e.g. to heal the network at the end).
 *
 * <p>Not thread-safe: owned by the simulation's event loop.
 *
 * @param <M> the message type
 */
public final class SimNetwork<M> {

    /** Message loss and delay. */
    public record Faults(double lossRate, long minDelayMs, long maxDelayMs) {
        public static final Faults NONE = new Faults(0, 1, 1);

        public Faults {
            if (lossRate < 0 || lossRate >= 1 || minDelayMs < 0 || maxDelayMs < minDelayMs) {
                throw new IllegalArgumentException("Invalid network faults: lossRate=" + lossRate
                        + " minDelayMs=" + minDelayMs + " maxDelayMs=" + maxDelayMs);
            }
        }
    }

    /** A message in flight. */
    public record Envelope<M>(int source, int destination, M message) {
    }

    private final EventScheduler scheduler;
    private final Random random;
    private final Map<Integer, Consumer<Envelope<M>>> inboxes = new HashMap<>();
    private final Set<Integer> down = new HashSet<>();
    private Faults faults;
    private long sent;
    private long lost;
    private long delivered;

    public SimNetwork(EventScheduler scheduler, Random random, Faults faults) {
        this.scheduler = Objects.requireNonNull(scheduler);
        this.random = Objects.requireNonNull(random);
        this.faults = Objects.requireNonNull(faults);
    }

    /** {@code inbox} receives the messages for {@code nodeId}, on the event loop. */
    public void register(int nodeId, Consumer<Envelope<M>> inbox) {
        if (inboxes.putIfAbsent(nodeId, Objects.requireNonNull(inbox)) != null) {
            throw new IllegalStateException("Node already registered: nodeId=" + nodeId);
        }
    }

    public void setUp(int nodeId, boolean up) {
        if (up) {
            down.remove(nodeId);
        } else {
            down.add(nodeId);
        }
    }

    public boolean isUp(int nodeId) {
        return !down.contains(nodeId);
    }

    public void setFaults(Faults faults) {
        this.faults = Objects.requireNonNull(faults);
    }

    public void send(int source, int destination, M message) {
        if (!inboxes.containsKey(destination)) {
            throw new IllegalArgumentException("Unknown destination: nodeId=" + destination);
        }
        sent++;
        if (down.contains(source) || random.nextDouble() < faults.lossRate()) {
            lost++;
            return;
        }
        long delayMs = faults.minDelayMs() + (long) (random.nextDouble() * (faults.maxDelayMs() - faults.minDelayMs() + 1));
        Envelope<M> envelope = new Envelope<>(source, destination, message);
        scheduler.schedule(delayMs, () -> deliver(envelope));
    }

    private void deliver(Envelope<M> envelope) {
        if (down.contains(envelope.destination())) {
            lost++;
            return;
        }
        delivered++;
        inboxes.get(envelope.destination()).accept(envelope);
    }

    public long sent() {
        return sent;
    }

    public long lost() {
        return lost;
    }

    public long delivered() {
        return delivered;
    }

    @Override
    public String toString() {
        return "SimNetwork(sent=" + sent + ", lost=" + lost + ", delivered=" + delivered + ", down=" + down + ")";
    }
}
