package io.strand.broker;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether this node can serve, for orchestrators' readiness probes: an explicit phase that the node's
 * start and close move forward, and once serving, a live check of the broker's standing with the
 * controller.
 *
 * <pre>
 *   STARTING --broker component starts--> CATCHING_UP --image caught up, logs open, listeners bound-->
 *   REGISTERING --registered, unfenced, coordinators started--> SERVING
 *   STARTING --controller-only node started--> SERVING
 *   any --close--> STOPPING
 * </pre>
 *
 * Only {@link Phase#SERVING} can be ready, and on a broker only while its check finds it so (registered
 * with the controller, unfenced and not shutting down: a broker fenced later is not ready again until
 * unfenced). Moving back, or out of {@code STOPPING}, is refused with both phases named.
 *
 * <p>Thread-safe: the starting thread and the closing thread move the phase; any thread (the HTTP
 * listener's) reads {@link #status()}.
 */
public final class NodeReadiness {

    /** Where a node is on its way to serving. */
    public enum Phase {
        /** Components are starting (log directories, the metadata quorum). */
        STARTING("the node is starting"),
        /** The broker waits until its metadata image has caught up with the quorum. */
        CATCHING_UP("the broker's metadata image is catching up with the quorum"),
        /** The broker registers with the controller and waits to be unfenced. */
        REGISTERING("the broker is registering with the controller and waiting to be unfenced"),
        /** Started: ready while its check passes. */
        SERVING("serving"),
        /** Closing. */
        STOPPING("the node is shutting down");

        private final String reason;

        Phase(String reason) {
            this.reason = reason;
        }
    }

    /**
     * @param ready  whether the node serves
     * @param phase  where it is
     * @param reason why it is not ready, or "serving"
     */
    public record Status(boolean ready, Phase phase, String reason) {
    }

    /** Empty while the serving node is fine, else why it is not. */
    private static final Supplier<Optional<String>> ALWAYS_SERVING = Optional::empty;

    private volatile Phase phase = Phase.STARTING;
    private volatile Supplier<Optional<String>> servingCheck = ALWAYS_SERVING;

    /** The readiness now. */
    public Status status() {
        Phase now = phase;
        if (now != Phase.SERVING) {
            return new Status(false, now, now.reason);
        }
        Optional<String> problem = servingCheck.get();
        return problem.map(reason -> new Status(false, Phase.SERVING, reason))
                .orElseGet(() -> new Status(true, Phase.SERVING, Phase.SERVING.reason));
    }

    public Phase phase() {
        return phase;
    }

    /**
     * Moves to {@code next}.
     *
     * @throws IllegalStateException if {@code next} is not after the current phase
     */
    public synchronized void enter(Phase next) {
        if (next.ordinal() <= phase.ordinal()) {
            throw new IllegalStateException("Illegal readiness transition from " + phase + " to " + next);
        }
        phase = next;
    }

    /** Moves to {@link Phase#SERVING}, ready whenever {@code check} finds nothing wrong (empty). */
    public synchronized void enterServing(Supplier<Optional<String>> check) {
        servingCheck = check;
        enter(Phase.SERVING);
    }

    /** Moves to {@link Phase#STOPPING} unless already there. */
    public synchronized void stopping() {
        if (phase != Phase.STOPPING) {
            enter(Phase.STOPPING);
        }
    }
}
