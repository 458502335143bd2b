package io.strand.broker.network;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What lives as long as one client connection: work a request leaves waiting past its handler (a long
 * poll) registers here to be released when the connection closes, rather than living out its own
 * timeout, which a client chooses (a fetch may ask to wait for days), holding memory for an answer no
 * one will read.
 *
 * <p>Thread-safe: hooks are added and removed from any thread; {@link #close} runs each hook still
 * registered exactly once, on the closing thread, and a hook added after the close runs at once.
 */
public final class ConnectionScope {

    private static final ConnectionScope DETACHED = new ConnectionScope();

    private final Set<Runnable> hooks = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A scope that never closes: for requests made outside any connection (tests, in-process callers). */
    public static ConnectionScope detached() {
        return DETACHED;
    }

    /** The scope of a connection just opened. */
    public ConnectionScope() {
    }

    /**
     * Runs {@code hook} when the connection closes (at once if it has). The returned handle removes it;
     * remove it when the work completes first, or it stays until the connection closes.
     */
    public Registration onClose(Runnable hook) {
        if (this == DETACHED) {
            return () -> { };
        }
        hooks.add(hook);
        if (closed && hooks.remove(hook)) {
            hook.run();
        }
        return () -> hooks.remove(hook);
    }

    /** Whether the connection has closed. */
    public boolean isClosed() {
        return closed;
    }

    /** Marks the connection closed and runs every registered hook once. Called by the connection's handler. */
    public void close() {
        closed = true;
        for (Runnable hook : hooks) {
            if (hooks.remove(hook)) {
                hook.run();
            }
        }
    }

    /** Hooks registered and not yet run or removed; for tests. */
    public int registered() {
        return hooks.size();
    }

    /** Removes a hook. */
    @FunctionalInterface
    public interface Registration {
        void remove();
    }
}
