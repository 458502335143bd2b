package io.strand.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts Java programs in child JVMs of the same JDK as the harness, with their output (stdout and
 * stderr merged) going to a log file, and runs short-lived ones (the load generators, Kafka's storage
 * formatter) to completion under a timeout.
 *
 * <p>Stateless and thread-safe. A child that outlives its timeout is sent SIGTERM, then SIGKILL.
 */
final class ChildJvm {

    private static final long TERM_GRACE_MS = 10_000;

    /** What a finished child left: its exit code ({@code -1} after a timeout) and its whole output. */
    record Outcome(int exitCode, boolean timedOut, String output, Path logFile) {
        boolean succeeded() {
            return !timedOut && exitCode == 0;
        }
    }

    private ChildJvm() {
    }

    /** {@code java <jvmOptions> -cp <classPath> <mainClass> <args>}. */
    static List<String> command(List<String> jvmOptions, String classPath, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** Starts {@code command} with its output appended to {@code logFile}. */
    static Process start(List<String> command, Path logFile) {
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Files.writeString(logFile, "$ " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8);
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start command=" + command.get(command.size() - 1)
                    + " log=" + logFile, e);
        }
    }

    /** Runs {@code command} to completion, or stops it once {@code timeoutMs} has passed. */
    static Outcome run(List<String> command, Path logFile, long timeoutMs) {
        Process process = start(command, logFile);
        boolean timedOut = false;
        try {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                timedOut = true;
                stop(process);
            }
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running log=" + logFile, e);
        }
        try {
            String output = Files.readString(logFile, StandardCharsets.UTF_8);
            return new Outcome(timedOut ? -1 : process.exitValue(), timedOut, output, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read log=" + logFile, e);
        }
    }

    /** SIGTERM, a grace period, then SIGKILL; returns once the process is gone. */
    static void stop(Process process) {
        stop(process, TERM_GRACE_MS);
    }

    /** SIGTERM, up to {@code graceMs} to exit, then SIGKILL; returns whether it exited on SIGTERM. */
    static boolean stop(Process process, long graceMs) {
        process.destroy();
        try {
            if (!process.waitFor(graceMs, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
