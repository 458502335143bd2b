package io.strand.chaos;

import io.strand.testkit.StrandCluster;
import java.io.IOException;
import java.nio.file.Path;

/** A {@link ChaosCluster} of Strand nodes: a {@link StrandCluster} the caller started, closed with it. */
public final class StrandChaosCluster implements ChaosCluster {

    private final StrandCluster cluster;

    public StrandChaosCluster(StrandCluster cluster) {
        this.cluster = cluster;
    }

    /** The cluster itself, for what only Strand offers (node directories, per-node addresses). */
    public StrandCluster cluster() {
        return cluster;
    }

    @Override
    public String system() {
        return "strand";
    }

    @Override
    public int size() {
        return cluster.nodes().size();
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void kill9(int node) {
        cluster.node(node).kill9();
    }

    @Override
    public void restart(int node) {
        cluster.node(node).restart();
    }

    @Override
    public void pause(int node) {
        cluster.node(node).pause();
    }

    @Override
    public void resume(int node) {
        cluster.node(node).resume();
    }

    @Override
    public boolean isAlive(int node) {
        return cluster.node(node).isAlive();
    }

    @Override
    public Path logDir(int node) {
        return Path.of(cluster.node(node).property("log.dirs").split(",")[0].trim());
    }

    @Override
    public void copyNodeLogs(Path dir) throws IOException {
        cluster.copyNodeLogs(dir);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
