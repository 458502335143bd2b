package io.strand.chaos;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A cluster under test, whatever broker it runs: nodes 1 to {@link #size()}, each a process of its
 * own (in its own {@link NetworkLab} namespace when the cluster was started in one), that a
 * {@link Nemesis} kills, restarts, pauses and resumes, and that clients reach through
 * {@link #bootstrapServers()}.
 *
 * <p>Implementations: {@link StrandChaosCluster} (Strand nodes), {@link KafkaChaosCluster} (Apache Kafka
 * nodes). A node's data directory may be on a {@link DiskLab} filesystem, for the disk faults. One
 * thread (the schedule) drives the process methods; {@link #bootstrapServers()} and {@link #system()}
 * may be read from any thread.
 */
public interface ChaosCluster extends AutoCloseable {

    /** The system's name in reports: {@code strand} or {@code kafka}. */
    String system();

    /** Node count; nodes are numbered 1 to it. */
    int size();

    /** Every node's client listener, for a client's {@code bootstrap.servers}. */
    String bootstrapServers();

    /** SIGKILL of node {@code node}; returns once the process is gone. */
    void kill9(int node);

    /** Starts node {@code node} again on its ports and data (it must have exited); returns once it serves clients. */
    void restart(int node);

    /** SIGSTOP of node {@code node}. */
    void pause(int node);

    /** SIGCONT of a paused node {@code node}. */
    void resume(int node);

    /** Whether node {@code node}'s process runs (a paused process runs). */
    boolean isAlive(int node);

    /** Node {@code node}'s (first) log directory, where its partitions' directories are. */
    Path logDir(int node);

    /** Copies every node's log and output files into {@code dir}, one subdirectory per node. */
    void copyNodeLogs(Path dir) throws IOException;

    /** Stops every node and removes what it wrote, unless a node will not stop. */
    @Override
    void close();
}
