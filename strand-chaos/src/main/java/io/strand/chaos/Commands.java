package io.strand.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The labs' way of running a system command ({@code ip}, {@code nft}, {@code tc}, {@code losetup},
 * {@code mount}…) to its end, standard output and errors together, with a timeout. Stateless.
 */
final class Commands {

    /** What a command that ran to its end left: its exit code and its output. */
    record Result(int exit, String out) {
    }

    private Commands() {
    }

    /** Runs {@code command}; its output, or an exception naming it if it cannot start, hangs or exits non-zero. */
    static String run(long timeoutMs, String... command) {
        Result result = tryRun(timeoutMs, List.of(command));
        if (result == null) {
            throw new IllegalStateException("cannot run " + String.join(" ", command));
        }
        if (result.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exit() + ": "
                    + result.out().strip());
        }
        return result.out();
    }

    /** Runs {@code command} to its end; null if it cannot be started or runs past {@code timeoutMs} (then killed). */
    static Result tryRun(long timeoutMs, List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return null;
            }
            return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted running " + command, e));
        }
    }
}
