package io.strand.broker;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a node's components in the order given and closes them in reverse. When one fails to
 * start, every component started so far (the failing one too: it may have taken something before
 * it failed) is closed in reverse order, and the start failure is rethrown with any close failure
 * attached as suppressed. Nothing is left behind: no thread, port or file lock.
 *
 * <p>Not thread-safe; the owner serializes {@link #startAll} and {@link #close}.
 */
final class NodeLifecycle implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLifecycle.class);

    /** Components whose start was called, the latest first. */
    private final Deque<NodeComponent> started = new ArrayDeque<>();

    private NodeLifecycle() {
    }

    /** Starts {@code components} in order; on failure nothing stays started and the failure is rethrown. */
    static NodeLifecycle startAll(List<NodeComponent> components) throws Exception {
        NodeLifecycle lifecycle = new NodeLifecycle();
        for (NodeComponent component : components) {
            lifecycle.started.push(component);
            try {
                component.start();
            } catch (Exception | Error e) {
                LOG.error("Node component {} failed to start; closing what was started", component.name());
                lifecycle.closeAll(e);
                throw e;
            }
        }
        return lifecycle;
    }

    /** Closes every started component, the latest first; failures are logged. Idempotent. */
    @Override
    public void close() {
        closeAll(null);
    }

    /** Closes in reverse start order; each failure is added to {@code cause} if given, else logged. */
    private void closeAll(Throwable cause) {
        while (!started.isEmpty()) {
            NodeComponent component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                if (cause != null) {
                    cause.addSuppressed(e);
                } else {
                    LOG.warn("Error closing node component {}", component.name(), e);
                }
            }
        }
    }
}
