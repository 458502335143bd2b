package io.strand.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Strand node in a child JVM (same java, same class path), for tests that kill it with SIGKILL and
 * start it again on the same data, or that need to see it run out of memory (a small {@code -Xmx} and
 * {@code -XX:+ExitOnOutOfMemoryError} among its JVM options, then {@link #isAlive()}). Its output
 * goes to {@code <dataDir>/../strand-<n>.out}, its logs to {@code strand-<n>.out.err}.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class StrandProcess implements AutoCloseable {

    /** The whole line, so that nothing written around it can be taken for part of the port. */
    private static final Pattern READY = Pattern.compile("^\\s*Kafka clients: \\S*:(\\d{1,5})\\s*$");
    private static final long START_TIMEOUT_MS = 60_000;

    /** The heap a child gets unless the caller passes JVM options of its own. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx512m");

    private final Path dataDir;
    private final Map<String, String> overrides;
    private final List<String> jvmOptions;
    private final Process process;
    private final int port;
    private final Path outputFile;
    private static int started;

    private StrandProcess(Path dataDir, Map<String, String> overrides, List<String> jvmOptions, Process process,
                          int port, Path outputFile) {
        this.dataDir = dataDir;
        this.overrides = overrides;
        this.jvmOptions = jvmOptions;
        this.process = process;
        this.port = port;
        this.outputFile = outputFile;
    }

    public static StrandProcess start(Path dataDir, Map<String, String> props) {
        return start(dataDir, props, DEFAULT_JVM_OPTIONS);
    }

    /**
     * Starts a node whose JVM gets {@code jvmOptions} (for example {@code -Xmx96m},
     * {@code -XX:+ExitOnOutOfMemoryError}) in place of {@link #DEFAULT_JVM_OPTIONS}.
     */
    public static StrandProcess start(Path dataDir, Map<String, String> props, List<String> jvmOptions) {
        Map<String, String> all = NodeProperties.forTest(dataDir, props);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.strand.server.StrandMain", "server"));
        all.forEach((k, v) -> {
            command.add("--override");
            command.add(k + "=" + v);
        });
        try {
            Files.createDirectories(dataDir);
            Path log = dataDir.toAbsolutePath().getParent().resolve("strand-" + (++started) + ".out");
            // Logs (stderr) go to their own file: interleaved with stdout they could split the ready line.
            Path errors = log.resolveSibling(log.getFileName() + ".err");
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile())).start();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread pump = new Thread(() -> pump(process, log, port), "strand-process-output");
            pump.setDaemon(true);
            pump.start();
            try {
                int clientPort = port.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                return new StrandProcess(dataDir, props, List.copyOf(jvmOptions), process, clientPort, log);
            } catch (Exception e) {
                process.destroyForcibly();
                throw new IllegalStateException("Strand process did not become ready; see " + log, e);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start Strand process", e);
        }
    }

    private static void pump(Process process, Path log, CompletableFuture<Integer> port) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                Matcher m = READY.matcher(line);
                if (!port.isDone() && m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            // The process is gone.
        } finally {
            port.completeExceptionally(new IllegalStateException("process exited before it was ready"));
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or empty while the process runs. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Where the process's standard output goes; its logs are in the same path with {@code .err} added. */
    public Path outputFile() {
        return outputFile;
    }

    /** Sends SIGKILL and waits for the process to be gone. */
    public void kill9() {
        process.destroyForcibly();
        waitFor();
    }

    /** Starts a new process on the same data (this one must be stopped). */
    public StrandProcess restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("still running: pid " + process.pid());
        }
        return start(dataDir, overrides, jvmOptions);
    }

    /** Sends SIGTERM (clean shutdown) and waits. */
    public void stop() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
