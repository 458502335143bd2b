package io.strand.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a third-party client or tool (kcat, python, node, a Kafka tool's JVM) to completion with a
 * deadline, feeding it standard input and collecting standard output and error.
 *
 * <p>A child that outlives its {@code timeout} is killed with its descendants and the call fails
 * with an {@link AssertionError} that carries what the child printed, so a hung client fails its
 * test instead of hanging the build. When {@link #run} returns or throws, the child has been
 * killed if it was still running, and its stream threads are gone.
 *
 * <p>{@link #start} runs a long-lived child (a group member that only ends when told) in the
 * background instead: the returned {@link Running} shows what it printed so far and kills it on
 * {@link Running#close()}.
 *
 * <p>An instance is not thread-safe; build one per invocation. {@link #killLeftovers} is.
 */
final class ChildProcess {

    private static final int MAX_SHOWN_ARG_CHARS = 200;
    /** Children started and not yet known to be gone. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    private final List<String> command = new ArrayList<>();
    private Path workDir;
    private String stdin = "";
    private Duration timeout = Duration.ofSeconds(30);
    private final Map<String, String> environment = new HashMap<>();
    /** The main class of a {@link #javaMain} child, whose JVM shares class data ({@link ToolClassData}); else null. */
    private String javaMainClass;

    private ChildProcess(List<String> command) {
        this.command.addAll(command);
    }

    static ChildProcess of(String... command) {
        return new ChildProcess(List.of(command));
    }

    static ChildProcess of(List<String> command) {
        return new ChildProcess(command);
    }

    /**
     * A Java program's {@code main} in a JVM of its own on this test's class path, as Kafka's
     * {@code bin/} scripts start its tools: short-lived, so started fast and kept small, and sharing
     * the class data of the main class's earlier runs ({@link ToolClassData}).
     */
    static ChildProcess javaMain(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", testClassPath(),
                mainClass));
        command.addAll(args);
        ChildProcess child = new ChildProcess(command);
        child.javaMainClass = mainClass;
        return child;
    }

    /** This JVM's class path; failsafe may launch it from a manifest-only jar and names the real one here. */
    static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    ChildProcess stdin(String text) {
        this.stdin = text;
        return this;
    }

    ChildProcess workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    ChildProcess timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    ChildProcess env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Runs the command; returns whatever its exit code (see {@link Result#assertSuccess()}). */
    Result run() {
        ToolClassData.Plan classData = classDataPlan(true);
        ProcessBuilder builder = new ProcessBuilder(withClassData(classData));
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            classData.abandoned();
            throw new UncheckedIOException("cannot start command=" + abbreviated(command), e);
        }
        LIVE.add(process);
        try {
            Result result = await(process);
            classData.exited(result.exitCode());
            return result;
        } finally {
            if (process.isAlive()) {
                kill(process);
            }
            classData.abandoned();
            LIVE.remove(process);
        }
    }

    /** How a {@link #javaMain} child shares class data; nothing for other commands. */
    private ToolClassData.Plan classDataPlan(boolean mayWrite) {
        return javaMainClass == null ? ToolClassData.Plan.NONE
                : ToolClassData.plan(javaMainClass, testClassPath(), command, mayWrite);
    }

    /**
     * The command with the JVM options of {@code classData} after the {@code java} executable and its
     * class path in place of the one {@link #javaMain} put in.
     */
    private List<String> withClassData(ToolClassData.Plan classData) {
        List<String> full = new ArrayList<>(command);
        if (classData.classPath() != null) {
            full.set(full.indexOf("-cp") + 1, classData.classPath());
        }
        full.addAll(1, classData.jvmOptions());
        return full;
    }

    /**
     * Starts the command in the background (stdin gets {@link #stdin}, the timeout does not apply):
     * the caller watches its output and ends it with {@link Running#close()}.
     */
    Running start() {
        // killed rather than exiting, such a child writes no archive, but it may use one
        ProcessBuilder builder = new ProcessBuilder(withClassData(classDataPlan(false)));
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start command=" + abbreviated(command), e);
        }
        LIVE.add(process);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread outPump = pump(process.getInputStream(), stdout, "stdout");
        Thread errPump = pump(process.getErrorStream(), stderr, "stderr");
        Thread inPump = feed(process.getOutputStream(), stdin.getBytes(StandardCharsets.UTF_8));
        return new Running(List.copyOf(command), process, stdout, stderr, List.of(outPump, errPump, inPump));
    }

    /**
     * Kills every child still running, for a test class's {@code @AfterEach}: {@link #run} already
     * ends its child on every path, this guards against one that escaped (an interrupted test).
     */
    static void killLeftovers() {
        for (Process process : LIVE) {
            kill(process);
            LIVE.remove(process);
        }
    }

    private Result await(Process process) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread outPump = pump(process.getInputStream(), stdout, "stdout");
        Thread errPump = pump(process.getErrorStream(), stderr, "stderr");
        Thread inPump = feed(process.getOutputStream(), stdin.getBytes(StandardCharsets.UTF_8));
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                kill(process);
                joinQuietly(outPump, errPump, inPump);
                throw new AssertionError("command timed out after " + timeout + ": " + abbreviated(command)
                        + "\n--- stdout ---\n" + stdout.toString(StandardCharsets.UTF_8)
                        + "\n--- stderr ---\n" + stderr.toString(StandardCharsets.UTF_8));
            }
            joinQuietly(outPump, errPump, inPump);
            return new Result(command, process.exitValue(),
                    stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + abbreviated(command), e);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to, String name) {
        Thread thread = new Thread(() -> {
            try (from) {
                from.transferTo(to);
            } catch (IOException ignored) {
                // the child is gone; what was read so far is kept
            }
        }, "child-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static Thread feed(OutputStream to, byte[] bytes) {
        Thread thread = new Thread(() -> {
            try (to) {
                to.write(bytes);
            } catch (IOException ignored) {
                // the child closed its stdin early; its exit code and output tell why
            }
        }, "child-stdin");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void joinQuietly(Thread... threads) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** What a finished child left behind. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** Fails, showing both streams, unless the child exited with 0. */
        Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(describe("exited with " + exitCode));
            }
            return this;
        }

        /** Standard output split into lines, without the trailing empty line. */
        List<String> stdoutLines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\r?\n"));
        }

        String describe(String what) {
            return "command " + what + ": " + abbreviated(command)
                    + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /** A child started with {@link #start}: what it printed so far, and the means to end it. */
    static final class Running implements AutoCloseable {
        private final List<String> command;
        private final Process process;
        private final ByteArrayOutputStream stdout;
        private final ByteArrayOutputStream stderr;
        private final List<Thread> pumps;

        private Running(List<String> command, Process process, ByteArrayOutputStream stdout,
                        ByteArrayOutputStream stderr, List<Thread> pumps) {
            this.command = command;
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
            this.pumps = pumps;
        }

        /** Standard output so far. */
        String stdout() {
            return stdout.toString(StandardCharsets.UTF_8);
        }

        /** Standard error so far. */
        String stderr() {
            return stderr.toString(StandardCharsets.UTF_8);
        }

        /** Whole lines of standard output so far (a line still being written is left out). */
        List<String> stdoutLines() {
            return completeLines(stdout());
        }

        /** Whole lines of standard error so far. */
        List<String> stderrLines() {
            return completeLines(stderr());
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** The command and both streams so far, for a failure message. */
        String describe(String what) {
            return "command " + what + ": " + abbreviated(command)
                    + "\n--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr();
        }

        /** Kills the child and its descendants (if still running) and waits for its stream threads. */
        @Override
        public void close() {
            if (process.isAlive()) {
                kill(process);
            }
            LIVE.remove(process);
            try {
                joinQuietly(pumps.toArray(Thread[]::new));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static List<String> completeLines(String text) {
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : List.of(text.substring(0, end).split("\r?\n"));
        }
    }

    /** The command with very long arguments (a JVM's classpath) cut, so that failures stay readable. */
    static List<String> abbreviated(List<String> command) {
        return command.stream()
                .map(arg -> arg.length() <= MAX_SHOWN_ARG_CHARS
                        ? arg
                        : arg.substring(0, MAX_SHOWN_ARG_CHARS) + "...(" + arg.length() + " chars)")
                .toList();
    }
}
