package io.strand.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one partition from its beginning to its end with librdkafka's consumer, through kcat (the
 * distribution's package; librdkafka does TLS with OpenSSL), counts every record and times the
 * fetching. The TLS workload's second consumer: Kafka's Java consumer spends several times a broker's CPU
 * per byte decrypting and parsing, on the same cores, so its figure measures the client; librdkafka's
 * per-byte cost is a fraction of it.
 *
 * <pre>
 *   kcat -C -b BOOTSTRAP -t TOPIC -p 0 -o beginning -e -f '%o\n' [-X security.protocol=SSL -X ssl.ca.location=PEM]
 * </pre>
 *
 * <ul>
 *   <li>{@code -C} is librdkafka's simple consumer: no group, nothing committed, librdkafka's fetch defaults
 *       ({@code max.partition.fetch.bytes} 1 MiB and {@code fetch.max.bytes} 50 MiB, as ConsumerPerformance's;
 *       {@code check.crcs=false}, where Kafka's Java consumer checks every batch's CRC).
 *   <li>Standard output: one offset a line, read on a thread of its own and counted ({@link OffsetCount}).
 *   <li>Standard error: kcat's info lines, copied to the log. With {@code -e} it prints
 *       {@code % Reached end of topic TOPIC [0] at offset N: exiting} when it reaches the partition's end
 *       (the high watermark): every record was read by then.
 * </ul>
 *
 * <p>The fetch time runs from the harness's first read of standard output to that end-of-partition line
 * (standard error is unbuffered). Start-up, metadata, the connection and its TLS handshake come before
 * it, stopping after it. kcat writes standard output through a 4 KiB stdio buffer, so the first read
 * comes some 600 records in: the records of that first read are left out of the rate, so what is timed
 * is about what was fetched in the interval (to within one buffer). The CPU time is kcat's whole run, every
 * thread, to its last tick: this JVM's {@code cutime + cstime} after the process was waited for, less
 * before it started ({@link ProcStats#childrenCpuSeconds}; no other child of the harness ends meanwhile).
 *
 * <p>Stateless between reads; {@link #read} runs on the caller's thread and starts two reader threads
 * for the child's output, each the only writer of its own state, read by the caller after joining it.
 */
final class KcatConsume {

    /** The executables looked for on {@code PATH}, in order: the current name, then the old one. */
    static final List<String> NAMES = List.of("kcat", "kafkacat");
    private static final Pattern END_OF_PARTITION = Pattern.compile(
            "^% Reached end of topic (.+) \\[([0-9]+)\\] at offset ([0-9]+)");
    private static final int READ_BUFFER_BYTES = 65_536;
    private static final double BYTES_PER_MIB = 1024.0 * 1024.0;

    private final Path executable;
    private final long timeoutMs;

    KcatConsume(Path executable, long timeoutMs) {
        this.executable = executable;
        this.timeoutMs = timeoutMs;
    }

    Path executable() {
        return executable;
    }

    /** The first of {@link #NAMES} found as an executable file in a directory of {@code pathVariable}. */
    static Optional<Path> locate(String pathVariable) {
        if (pathVariable == null) {
            return Optional.empty();
        }
        for (String name : NAMES) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** {@code kcat -V}'s first line (its version, librdkafka's and the features it was built with). */
    String version(Path log) {
        ChildJvm.Outcome outcome = ChildJvm.run(List.of(executable.toString(), "-V"), log, timeoutMs);
        return outcome.output().lines().filter(line -> line.startsWith("Version ")).findFirst()
                .orElse("unknown (see " + log.getFileName() + ")");
    }

    /** The command line that reads partition 0 of {@code topic}; over TLS when {@code caPem} is given. */
    List<String> command(String bootstrap, String topic, Optional<Path> caPem) {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "-C", "-b", bootstrap, "-t", topic,
                "-p", "0", "-o", "beginning", "-e", "-f", "%o\\n"));
        caPem.ifPresent(pem -> command.addAll(List.of("-X", "security.protocol=SSL",
                "-X", "ssl.ca.location=" + pem.toAbsolutePath())));
        return command;
    }

    /**
     * What one read left.
     *
     * @param exitCode       kcat's exit code; -1 after a timeout
     * @param offsets        the records counted on standard output
     * @param endOffset      the offset of the end-of-partition line; empty when kcat printed none
     * @param fetchNs        from the first read of standard output to the end-of-partition line; 0 without both
     * @param recordsTimed   records whose line came after that first read
     * @param cpuSeconds     kcat's CPU time, every thread, its whole run
     * @param runNs          from starting kcat to its exit: start-up, connection and shutdown included
     */
    record Outcome(int exitCode, boolean timedOut, Path logFile, OffsetCount offsets, OptionalLong endOffset,
            long fetchNs, long recordsTimed, double cpuSeconds, long runNs) {

        /** Exited 0 in time, reached the partition's end and read something there. */
        boolean succeeded() {
            return !timedOut && exitCode == 0 && endOffset.isPresent() && fetchNs > 0 && recordsTimed > 0;
        }

        /** MiB/s while fetching, as Kafka's tools count "MB" ({@code recordBytes} per record). */
        double fetchMbPerSec(int recordBytes) {
            return recordsTimed * (double) recordBytes / BYTES_PER_MIB / (fetchNs / 1e9);
        }
    }

    /** Reads partition 0 of {@code topic} to its end; kcat's command and standard error go to {@code log}. */
    Outcome read(String bootstrap, String topic, Optional<Path> caPem, Path log) {
        List<String> command = command(bootstrap, topic, caPem);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write log=" + log, e);
        }
        double cpuBeforeSeconds = ProcStats.childrenCpuSeconds();
        long startNs = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start command=" + executable + " log=" + log, e);
        }
        OffsetReader offsets = new OffsetReader(process.getInputStream());
        InfoReader info = new InfoReader(process.getErrorStream(), log, topic);
        Thread offsetThread = new Thread(offsets, "kcat-stdout");
        Thread infoThread = new Thread(info, "kcat-stderr");
        offsetThread.start();
        infoThread.start();
        boolean timedOut = false;
        long runNs;
        try {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                timedOut = true;
                ChildJvm.stop(process);
            }
            runNs = System.nanoTime() - startNs;
            offsetThread.join();
            infoThread.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running log=" + log, e);
        }
        double cpuSeconds = ProcStats.childrenCpuSeconds() - cpuBeforeSeconds;
        long fetchNs = offsets.firstReadNs != 0 && info.endOfPartitionNs != 0
                ? info.endOfPartitionNs - offsets.firstReadNs : 0;
        Outcome outcome = new Outcome(timedOut ? -1 : process.exitValue(), timedOut, log, offsets.count,
                info.endOffset, Math.max(fetchNs, 0), offsets.count.records() - offsets.recordsInFirstRead,
                cpuSeconds, runNs);
        appendSummary(log, outcome, offsets.failure, info.failure);
        return outcome;
    }

    /** The offset of kcat's end-of-partition line for {@code topic}; empty for any other line. */
    static OptionalLong parseEndOffset(String line, String topic) {
        Matcher matcher = END_OF_PARTITION.matcher(line);
        if (!matcher.find() || !matcher.group(1).equals(topic)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(matcher.group(3)));
    }

    private static void appendSummary(Path log, Outcome outcome, Optional<IOException> stdoutFailure,
            Optional<IOException> stderrFailure) {
        String summary = String.format(Locale.ROOT,
                "# harness: exit %d%s, %d offsets read (first %s, %d out of sequence, %d other lines), end offset %s, "
                        + "%d records timed over %.3f s, kcat ran %.3f s and used %.2f s of CPU%s%s%n",
                outcome.exitCode(), outcome.timedOut() ? " (timed out)" : "", outcome.offsets().records(),
                outcome.offsets().firstOffset().isPresent() ? outcome.offsets().firstOffset().getAsLong() : "none",
                outcome.offsets().breaks(), outcome.offsets().malformedLines(),
                outcome.endOffset().isPresent() ? outcome.endOffset().getAsLong() : "none", outcome.recordsTimed(),
                outcome.fetchNs() / 1e9, outcome.runNs() / 1e9, outcome.cpuSeconds(),
                stdoutFailure.map(e -> "; reading stdout failed: " + e).orElse(""),
                stderrFailure.map(e -> "; reading stderr failed: " + e).orElse(""));
        try {
            Files.writeString(log, summary, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to log=" + log, e);
        }
    }

    /** Counts the offsets on kcat's standard output; its fields are read after the thread is joined. */
    private static final class OffsetReader implements Runnable {
        private final InputStream in;
        private final OffsetCount count = new OffsetCount();
        private long firstReadNs;
        private long recordsInFirstRead;
        private Optional<IOException> failure = Optional.empty();

        OffsetReader(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            try (in) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    long readNs = System.nanoTime();
                    long lines = count.accept(buffer, read);
                    if (firstReadNs == 0 && read > 0) {
                        firstReadNs = readNs;
                        recordsInFirstRead = lines;
                    }
                }
            } catch (IOException e) {
                failure = Optional.of(e);
            }
        }
    }

    /** Copies kcat's standard error to the log and notes when the end-of-partition line came. */
    private static final class InfoReader implements Runnable {
        private final InputStream in;
        private final Path log;
        private long endOfPartitionNs;
        private OptionalLong endOffset = OptionalLong.empty();
        private final String topic;
        private Optional<IOException> failure = Optional.empty();

        InfoReader(InputStream in, Path log, String topic) {
            this.in = in;
            this.log = log;
            this.topic = topic;
        }

        @Override
        public void run() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                    BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                            StandardOpenOption.APPEND)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    long nowNs = System.nanoTime();
                    if (endOffset.isEmpty()) {
                        endOffset = parseEndOffset(line, topic);
                        endOfPartitionNs = endOffset.isPresent() ? nowNs : 0;
                    }
                    out.write(line);
                    out.newLine();
                }
            } catch (IOException e) {
                failure = Optional.of(e);
            }
        }
    }
}
