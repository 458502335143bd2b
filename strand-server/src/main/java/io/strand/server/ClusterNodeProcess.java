package io.strand.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of {@code strand cluster}: a child process started from {@link NodeProcessCommand}, its
 * standard output and log lines in its directory's files (no pipe to this process, so a node keeps
 * running normally whatever happens to the command's terminal). Ready once its output holds the line
 * a node prints when it serves. Not thread-safe: the command's thread starts and polls it; the
 * shutdown hook only calls {@link #stop}, which is safe from any thread.
 */
final class ClusterNodeProcess {

    private final ClusterLayout.Node node;
    private final Process process;
    private boolean ready;

    private ClusterNodeProcess(ClusterLayout.Node node, Process process) {
        this.node = node;
        this.process = process;
    }

    /** Starts the node; its output files are truncated first so readiness is judged on this run only. */
    static ClusterNodeProcess start(ClusterLayout.Node node, List<String> command) throws IOException {
        Files.deleteIfExists(node.outputFile());
        Process process = new ProcessBuilder(command)
                .redirectOutput(node.outputFile().toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(node.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        return new ClusterNodeProcess(node, process);
    }

    ClusterLayout.Node node() {
        return node;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    /** True once the node has printed that it is ready (checked again on each call until it has). */
    boolean checkReady() throws IOException {
        if (!ready && Files.exists(node.outputFile())) {
            String prefix = "Strand node " + node.nodeId() + " ready";
            ready = Files.readAllLines(node.outputFile(), StandardCharsets.UTF_8).stream()
                    .anyMatch(line -> line.startsWith(prefix));
        }
        return ready;
    }

    /**
     * Sends SIGTERM (a clean shutdown), waits up to {@code timeoutMs}, then SIGKILL. Any thread.
     *
     * @return false if the node had already exited
     */
    boolean stop(long timeoutMs) throws InterruptedException {
        if (!process.isAlive()) {
            return false;
        }
        process.destroy();
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return true;
    }
}
