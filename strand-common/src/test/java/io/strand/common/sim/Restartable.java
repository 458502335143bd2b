package io.strand.common.sim;

/**
 * A simulated process that can crash and come back. A crash loses everything it holds in memory
 * and keeps only what it made durable; {@link #restart()} rebuilds its state from that, as a real
 * process does on start-up.
 */
public interface Restartable {

    int nodeId();

    boolean isUp();

    /** Stops the process at once: in-memory state is lost, in-flight work is abandoned. */
    void crash();

    /** Starts it again from its durable state. Only called while it is down. */
    void restart();
}
