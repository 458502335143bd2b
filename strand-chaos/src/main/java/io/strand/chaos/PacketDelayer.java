package io.strand.chaos;

import io.strand.chaos.Commands.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running {@code delayq} (the C program beside this class, {@code delayq.c}): it holds the packets
 * of a netfilter queue in one network namespace for a while, then lets each go, so that packets are
 * delayed or reordered on a kernel without tc netem. The rule that sends packets to the queue is the
 * caller's ({@link NetworkLab}); this class only compiles, starts and stops the program.
 *
 * <p>The program is compiled once per JVM, at first use, with {@code gcc} against libnetfilter_queue
 * into a temporary directory ({@link #unavailableBecause()} says why it cannot be); nothing is built
 * where no lab delays packets.
 *
 * <p>{@link #stop()} sends SIGTERM, on which the program lets every packet it holds go before it exits:
 * the delayer itself loses nothing. Not thread-safe: its owner (a {@link NetworkLab}) starts and stops it.
 */
final class PacketDelayer {

    /** The netfilter queue the delayer binds; queue numbers are per network namespace. */
    static final int QUEUE = 7;
    /** The program's name, which is also its process name ({@code /proc/<pid>/comm}). */
    static final String PROGRAM = "delayq";

    private static final long COMPILE_TIMEOUT_MS = 120_000;
    private static final long READY_TIMEOUT_MS = 10_000;
    private static final long STOP_TIMEOUT_MS = 10_000;

    /** The compiled program, or null before the first {@link #unavailableBecause()} or when it failed. */
    private static Path binary;
    /** Why the program cannot run here; null when it can or before the first {@link #unavailableBecause()}. */
    private static String missing;
    private static boolean compiled;

    private final Process process;
    private final String describe;

    private PacketDelayer(Process process, String describe) {
        this.process = process;
        this.describe = describe;
    }

    /**
     * Why no delayer can run here, or null if one can: compiles the program at the first call (needs
     * {@code gcc} and libnetfilter_queue's headers, Debian's {@code libnetfilter-queue-dev}) and remembers
     * the outcome for the JVM's life.
     */
    static synchronized String unavailableBecause() {
        if (!compiled) {
            compiled = true;
            missing = compile();
        }
        return missing;
    }

    private static String compile() {
        if (Commands.tryRun(COMPILE_TIMEOUT_MS, List.of("gcc", "--version")) == null) {
            return "the packet delayer needs gcc (apt-get install gcc)";
        }
        try {
            Path dir = Files.createTempDirectory("strand-" + PROGRAM);
            dir.toFile().deleteOnExit(); // deleted last: the JVM deletes in the reverse order of registration
            Path source = dir.resolve(PROGRAM + ".c");
            Path program = dir.resolve(PROGRAM);
            try (InputStream in = PacketDelayer.class.getResourceAsStream(PROGRAM + ".c")) {
                if (in == null) {
                    return "the packet delayer's source " + PROGRAM + ".c is not on the classpath";
                }
                Files.copy(in, source);
            }
            source.toFile().deleteOnExit();
            Result result = Commands.tryRun(COMPILE_TIMEOUT_MS, List.of("gcc", "-O2", "-o", program.toString(),
                    source.toString(), "-lnetfilter_queue"));
            if (result == null || result.exit() != 0) {
                return "the packet delayer does not compile (apt-get install libnetfilter-queue-dev): "
                        + (result == null ? "gcc timed out" : result.out().strip());
            }
            program.toFile().deleteOnExit();
            binary = program;
            return null;
        } catch (IOException e) {
            return "the packet delayer cannot be compiled: " + e;
        }
    }

    /**
     * Starts a delayer in the namespace {@code execPrefix} enters, on {@link #QUEUE}, and returns once it
     * holds the queue. {@code mode}: {@code delay BASE_MS JITTER_MS} or {@code reorder PERCENT_HELD HOLD_MS}
     * (see delayq.c); {@code seed} names its random draws.
     *
     * @throws IllegalStateException when it is unavailable or does not come up
     */
    static PacketDelayer start(List<String> execPrefix, long seed, String... mode) {
        String unavailable = unavailableBecause();
        if (unavailable != null) {
            throw new IllegalStateException(unavailable);
        }
        List<String> command = new ArrayList<>(execPrefix);
        command.add(binary.toString());
        command.add(Integer.toString(QUEUE));
        command.add(Long.toUnsignedString(seed));
        command.addAll(List.of(mode));
        String describe = String.join(" ", command);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + describe, e);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String line;
        try {
            line = firstLine.get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted starting " + describe, e);
        } catch (ExecutionException | TimeoutException e) {
            line = null;
        }
        if (!"ready".equals(line)) {
            process.destroyForcibly();
            throw new IllegalStateException(describe + " did not come up: " + (line == null ? "" : line) + drain(out));
        }
        return new PacketDelayer(process, describe);
    }

    /** What else the process printed (its errors), once it has exited. */
    private static String drain(BufferedReader out) {
        try {
            StringBuilder rest = new StringBuilder();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                rest.append(' ').append(line);
            }
            return rest.toString();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Stops the delayer: SIGTERM, so that it lets what it holds go, then waits for it to exit; kills it
     * if it has not within ten seconds.
     *
     * @throws IllegalStateException when it had exited on its own with a failure, or had to be killed
     */
    void stop() {
        boolean running = process.isAlive();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                throw new IllegalStateException(describe + " did not stop on SIGTERM; killed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted stopping " + describe, e);
        }
        if (!running) {
            throw new IllegalStateException(describe + " had exited " + process.exitValue() + " before it was stopped");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(describe + " exited " + process.exitValue() + " on SIGTERM");
        }
    }
}
