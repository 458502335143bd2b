package io.strand.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One node of a {@link StrandCluster}: a combined broker and controller in a child JVM (or one of
 * the two roles, as {@link StrandCluster.Builder#roles} says), on fixed ports (of 127.0.0.1 unless
 * {@link StrandCluster.Builder#host} says otherwise) and its own directory, which outlive its
 * process: {@link #restart()} starts it again on the same ports and data. The process can be killed
 * (SIGKILL), stopped (SIGTERM, a clean shutdown), paused (SIGSTOP) and resumed (SIGCONT).
 *
 * <p>Files, under the node's directory: {@code server.out} (standard output, appended across
 * restarts), {@code server.log} (its log lines), {@code logs/} (log.dirs).
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class ClusterNode {

    private static final long STOP_TIMEOUT_MS = 30_000;

    /** A JVM ended by SIGTERM exits with 128 + 15 once its shutdown hooks have run. */
    public static final int EXIT_CODE_AFTER_SIGTERM = 143;

    /** A process ended by SIGKILL: 128 + 9. */
    public static final int EXIT_CODE_AFTER_SIGKILL = 137;

    private final int nodeId;
    private final String host;
    private final int clientPort;
    private final int controllerPort;
    private final Path dir;
    private final Map<String, String> properties;
    private final List<String> jvmOptions;
    private final List<String> commandPrefix;
    private Process process;
    private CompletableFuture<Void> ready;
    private boolean paused;

    ClusterNode(int nodeId, String host, int clientPort, int controllerPort, Path dir, Map<String, String> properties,
                List<String> jvmOptions, List<String> commandPrefix) {
        this.nodeId = nodeId;
        this.host = host;
        this.clientPort = clientPort;
        this.controllerPort = controllerPort;
        this.dir = dir;
        this.properties = Map.copyOf(properties);
        this.jvmOptions = List.copyOf(jvmOptions);
        this.commandPrefix = List.copyOf(commandPrefix);
    }

    /** Starts the process without waiting for it to serve (a quorum member is ready only with a majority up). */
    void launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " is still running: pid " + process.pid());
        }
        List<String> command = new ArrayList<>(commandPrefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.strand.server.StrandMain", "server"));
        properties.forEach((name, value) -> {
            command.add("--override");
            command.add(name + "=" + value);
        });
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + nodeId, e);
        }
        paused = false;
        ready = new CompletableFuture<>();
        Process started = process;
        CompletableFuture<Void> startedReady = ready;
        Thread pump = new Thread(() -> pump(started, startedReady), "strand-cluster-node-" + nodeId + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** Copies the node's standard output to {@link #outputFile()}, completing {@code ready} at its ready line. */
    private void pump(Process started, CompletableFuture<Void> startedReady) {
        String readyLine = "Strand node " + nodeId + " ready";
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
             var out = Files.newBufferedWriter(outputFile(), StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                if (line.startsWith(readyLine)) {
                    startedReady.complete(null);
                }
            }
        } catch (IOException e) {
            // The process is gone.
        } finally {
            startedReady.completeExceptionally(new IllegalStateException("node " + nodeId + " exited before it was ready"));
        }
    }

    /**
     * Waits until the node serves.
     *
     * @throws IllegalStateException if it exits first or is not ready within {@code timeoutMs}; the
     *     message carries the end of its log
     */
    void awaitReady(long timeoutMs) {
        try {
            ready.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for node " + nodeId, e);
        } catch (Exception e) {
            throw notReady(e);
        }
    }

    /** Completes once the node serves; fails if its process exits first. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    /** Why the node did not start, with the end of its log. */
    IllegalStateException notReady(Throwable cause) {
        return new IllegalStateException("node " + nodeId + " did not become ready (" + cause + "); the end of "
                + logFile() + ":\n" + tail(logFile(), 30), cause);
    }

    public int nodeId() {
        return nodeId;
    }

    /** True when this node runs the broker role (serves clients); false for a controller-only node. */
    public boolean isBroker() {
        return properties.get("process.roles").contains("broker");
    }

    /** True when this node runs the controller role: a voter of the metadata quorum. */
    public boolean isController() {
        return properties.get("process.roles").contains("controller");
    }

    /** The address the node listens on and advertises (127.0.0.1 unless {@link StrandCluster.Builder#host} set one). */
    public String host() {
        return host;
    }

    public int clientPort() {
        return clientPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    /** This node's client address, for {@code bootstrap.servers} or a direct connection. */
    public String bootstrapServers() {
        return host + ":" + clientPort;
    }

    /** The value of one of the node's configuration properties, or null if it is not set. */
    public String property(String name) {
        return properties.get(name);
    }

    /** The node's directory: its {@code logs/} (log.dirs) and output files. */
    public Path dir() {
        return dir;
    }

    public Path outputFile() {
        return dir.resolve("server.out");
    }

    public Path logFile() {
        return dir.resolve("server.log");
    }

    boolean isLaunched() {
        return process != null;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The exit code of the last process, or empty while it runs. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** SIGKILL: the process dies at once, nothing flushed; waits until it is gone. */
    public void kill9() {
        process.destroyForcibly();
        waitFor();
        paused = false;
    }

    /**
     * SIGTERM: a clean shutdown; waits until it is done (SIGKILL after 30 s). A paused node is resumed
     * first. Exit code {@link #EXIT_CODE_AFTER_SIGTERM} after a clean shutdown, {@link #EXIT_CODE_AFTER_SIGKILL}
     * if it had to be killed.
     */
    public void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        if (paused) {
            resume();
        }
        process.destroy();
        waitFor();
    }

    /**
     * SIGSTOP: the process stops running (no heartbeat, no answer, connections stay open) until
     * {@link #resume()}; returns once every thread of it has stopped.
     */
    public void pause() {
        signal("STOP");
        paused = true;
        awaitStopped();
    }

    /**
     * Waits until every thread of the process is stopped. kill(2) returns once SIGSTOP is queued; the
     * threads stop only when one of them has taken it and the others have seen the group stop, which
     * on a busy machine can be after a request sent right after {@link #pause()} was answered.
     */
    private void awaitStopped() {
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allStopped(tasks)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + nodeId + " (pid " + process.pid()
                        + ") did not stop within 10 s of SIGSTOP");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for node " + nodeId + " to stop", e);
            }
        }
    }

    /** Whether every thread in {@code tasks} ({@code /proc/<pid>/task}) is stopped (state T or t); false if unreadable. */
    private static boolean allStopped(Path tasks) {
        try (var threads = Files.list(tasks)) {
            for (Path thread : (Iterable<Path>) threads::iterator) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                // the state is the first field after the command name, which ends with the last ')'
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'T' && state != 't') {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGCONT: a paused process runs again. */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    /** Starts the node again on the same ports and data (it must have exited) and waits until it serves. */
    public ClusterNode restart() {
        launch();
        awaitReady(StrandCluster.START_TIMEOUT_MS);
        return this;
    }

    private void signal(String name) {
        if (!process.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + name, e);
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
