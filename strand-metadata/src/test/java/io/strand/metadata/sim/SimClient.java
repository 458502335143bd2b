package io.strand.metadata.sim;

import io.strand.common.sim.EventScheduler;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.Errors;

/**
 * A simulated admin client or broker sending controller operations, one at a time, over the
 * lossy network. An attempt that times out or answers NOT_CONTROLLER is retried, unchanged, on
 * the next controller node, up to {@link #MAX_ATTEMPTS} times; then the client gives up, not
 * knowing the outcome. Every answer without error is handed to the {@link AckLedger}, and every
 * answer to the client's listener, if it has one. An operation source may answer null: nothing
 * to send now, ask again after the think time.
 *
 * <p>Not thread-safe: runs on the simulation's event loop.
 */
final class SimClient {

    static final long REQUEST_TIMEOUT_MS = 300;
    static final long RETRY_BACKOFF_MS = 20;
    static final int MAX_ATTEMPTS = 20;

    private final int networkId;
    private final ControllerSimulation sim;
    private final Supplier<SimMessage.Op> ops;
    private final Random random;
    private final long maxThinkMs;
    private final Consumer<SimMessage.Response> listener;

    private SimMessage.Op op;
    private long attemptId = -1;
    private int attempts;
    private int target;
    private EventScheduler.Event timeout;
    private boolean stopped;
    private int answered;
    private int gaveUp;

    SimClient(int networkId, ControllerSimulation sim, Supplier<SimMessage.Op> ops, Random random, long maxThinkMs) {
        this(networkId, sim, ops, random, maxThinkMs, null);
    }

    SimClient(int networkId, ControllerSimulation sim, Supplier<SimMessage.Op> ops, Random random, long maxThinkMs,
              Consumer<SimMessage.Response> listener) {
        this.listener = listener;
        this.networkId = networkId;
        this.sim = sim;
        this.ops = ops;
        this.random = random;
        this.maxThinkMs = maxThinkMs;
        this.target = random.nextInt(sim.nodeCount());
    }

    int networkId() {
        return networkId;
    }

    void start(long firstDelayMs) {
        sim.scheduler().schedule(firstDelayMs, this::next);
    }

    /** No new operations; the one under way still finishes. */
    void stop() {
        stopped = true;
    }

    boolean idle() {
        return op == null;
    }

    int answered() {
        return answered;
    }

    int gaveUp() {
        return gaveUp;
    }

    /** Runs {@code op} next (after the one under way, if any); for the final liveness check. */
    void submit(SimMessage.Op next) {
        if (op != null) {
            throw new IllegalStateException("Client busy: networkId=" + networkId + " op=" + op);
        }
        op = next;
        attempts = 0;
        send();
    }

    private void next() {
        if (stopped || op != null) {
            return;
        }
        SimMessage.Op next = ops.get();
        if (next == null) {
            sim.scheduler().schedule(1 + random.nextInt((int) maxThinkMs + 1), this::next);
            return;
        }
        submit(next);
    }

    private void send() {
        attempts++;
        long attempt = sim.nextAttemptId();
        attemptId = attempt;
        sim.network().send(networkId, target, new SimMessage.Request(attempt, op));
        timeout = sim.scheduler().schedule(REQUEST_TIMEOUT_MS, () -> {
            if (attemptId == attempt) {
                retry();
            }
        });
    }

    void onResponse(SimMessage.Response response) {
        if (op == null || response.attemptId() != attemptId) {
            return;
        }
        timeout.cancel();
        if (response.error() == Errors.NOT_CONTROLLER) {
            retry();
            return;
        }
        if (response.error() == Errors.UNKNOWN_SERVER_ERROR) {
            throw new AssertionError("Controller failed internally: op=" + op + " response=" + response);
        }
        if (response.error() == Errors.NONE) {
            sim.acks().onAck(op, response);
        }
        if (listener != null) {
            listener.accept(response);
        }
        answered++;
        finish();
    }

    private void retry() {
        attemptId = -1;
        if (attempts >= MAX_ATTEMPTS) {
            gaveUp++;
            finish();
            return;
        }
        target = (target + 1) % sim.nodeCount();
        sim.scheduler().schedule(RETRY_BACKOFF_MS, () -> {
            if (op != null && attemptId == -1) {
                send();
            }
        });
    }

    private void finish() {
        op = null;
        attemptId = -1;
        if (!stopped) {
            sim.scheduler().schedule(random.nextInt((int) maxThinkMs + 1), this::next);
        }
    }
}
