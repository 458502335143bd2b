package io.strand.chaos.workload;

import io.strand.chaos.history.Send;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A non-Java producer: {@code produce.py} (next to this class) on librdkafka through Debian's
 * {@code python3-confluent-kafka}, run by {@code /usr/bin/python3}, idempotent with acks=all. The
 * script writes one JSON line per send and outcome (see the script), which a reader thread turns
 * into the same history the Java producer keeps; it stops when its standard input closes.
 *
 * <p>Thread-safe: the campaign starts, observes and stops it; the reader thread owns the parsing.
 */
public final class PythonProducerWorkload implements ProducerWorkload {

    /** The interpreter whose packages hold Debian's confluent-kafka. */
    public static final String PYTHON = "/usr/bin/python3";

    /** {@code "key": value} where the value is a number or a string without quotes (the script keeps it so). */
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\\s*(?:\"([^\"]*)\"|(-?\\d+))");

    /** A librdkafka log line: {@code %<level>|<time>|<facility>|…}. */
    private static final Pattern LIBRDKAFKA_LOG = Pattern.compile("%\\d\\|");
    /** What librdkafka's idempotence log says once it has bumped the epoch (2.0: "bumped epoch to PID{…}"). */
    static final String EPOCH_BUMPED = "bumped epoch to";

    private final String name;
    private final SendRecorder recorder;
    private final Process process;
    private final Thread reader;
    private final Path errors;
    private final java.util.concurrent.atomic.AtomicLong badLines = new java.util.concurrent.atomic.AtomicLong();
    /** Set by {@link #stop()}. */
    private volatile String endedEarly;

    /** {@code process} and {@code errors} may be null for a test that feeds {@link #onLine} itself. */
    PythonProducerWorkload(String name, Process process, Path errors) {
        this.name = name;
        this.recorder = new SendRecorder(name);
        this.process = process;
        this.errors = errors;
        this.reader = new Thread(this::readLines, "chaos-python-producer-" + name);
        this.reader.setDaemon(true);
    }

    /**
     * Why no Python producer can run here (no interpreter, or no confluent_kafka module), or null if one can.
     */
    public static String unusableBecause() {
        try {
            Process probe = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka").redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                return PYTHON + " cannot import confluent_kafka (apt-get install python3-confluent-kafka): " + out.strip();
            }
            return null;
        } catch (IOException e) {
            return "cannot run " + PYTHON + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Starts the script in {@code workDir} (where it and its error output are written). */
    public static PythonProducerWorkload start(String name, String bootstrap, String topic, int partitions,
                                               int sendsPerSecond, int maxPending, Path workDir) {
        try {
            Files.createDirectories(workDir);
            Path script = workDir.resolve("produce.py");
            try (InputStream in = PythonProducerWorkload.class.getResourceAsStream("produce.py")) {
                if (in == null) {
                    throw new IllegalStateException("produce.py is missing from the class path");
                }
                Files.write(script, in.readAllBytes());
            }
            Path errors = workDir.resolve(name + ".err");
            Process process = new ProcessBuilder(PYTHON, script.toString(), "--bootstrap", bootstrap, "--topic", topic,
                    "--partitions", Integer.toString(partitions), "--name", name,
                    "--rate", Integer.toString(sendsPerSecond), "--max-pending", Integer.toString(maxPending))
                    .redirectError(errors.toFile()).start();
            PythonProducerWorkload workload = new PythonProducerWorkload(name, process, errors);
            workload.reader.start();
            return workload;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Python producer " + name, e);
        }
    }

    private void readLines() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                try {
                    onLine(line);
                } catch (RuntimeException e) {
                    // keep reading: a stalled pipe would stall the script
                    badLines.incrementAndGet();
                }
            }
        } catch (IOException e) {
            // the process ended: what was read is the history
        }
    }

    /** Applies one line of the script's output; a line that is not one of its events is ignored. */
    void onLine(String line) {
        Map<String, String> fields = new HashMap<>();
        Matcher matcher = FIELD.matcher(line);
        while (matcher.find()) {
            fields.put(matcher.group(1), matcher.group(2) != null ? matcher.group(2) : matcher.group(3));
        }
        String event = fields.get("event");
        if (event == null || !fields.containsKey("seq")) {
            return;
        }
        long seq = Long.parseLong(fields.get("seq"));
        long atMs = Long.parseLong(fields.getOrDefault("atMs", "-1"));
        switch (event) {
            case "send" -> recorder.begin(seq, Integer.parseInt(fields.get("partition")), atMs);
            case "ack" -> recorder.acked(seq, Long.parseLong(fields.get("offset")), atMs);
            case "fail" -> recorder.failed(seq, fields.get("error"), atMs);
            default -> {
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public long acked() {
        return recorder.acked();
    }

    /** Closes the script's input (it stops sending and flushes for up to 60 s) and waits for its end. */
    @Override
    public void stop() {
        boolean exitedBefore = !process.isAlive();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join(10_000);
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!process.isAlive() && (exitedBefore || process.exitValue() != 0)) {
            endedEarly = "exited with code " + process.exitValue() + (exitedBefore ? " before it was stopped" : "")
                    + ": " + lastWords();
        }
    }

    /** The last line of the script's error output that is not librdkafka's debug log (a traceback's end). */
    private String lastWords() {
        String last = "(nothing on standard error)";
        if (errors == null) {
            return last;
        }
        try (java.util.stream.Stream<String> lines = Files.lines(errors, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.isBlank() && !LIBRDKAFKA_LOG.matcher(line).lookingAt()) {
                    last = line.strip();
                }
            }
        } catch (IOException | UncheckedIOException e) {
            last = "(standard error unreadable: " + e.getMessage() + ")";
        }
        return last;
    }

    @Override
    public String endedEarly() {
        return endedEarly;
    }

    /** librdkafka's "bumped epoch" lines in the script's error output (its {@code debug=eos} log). */
    @Override
    public int epochBumps() {
        if (errors == null || !Files.exists(errors)) {
            return 0;
        }
        try (java.util.stream.Stream<String> lines = Files.lines(errors, StandardCharsets.UTF_8)) {
            return (int) lines.filter(l -> l.contains(EPOCH_BUMPED)).count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    @Override
    public List<Send> sends() {
        return recorder.sends();
    }

    /** Lines of the script's output that could not be applied (none, unless the script and this class disagree). */
    public long badLines() {
        return badLines.get();
    }

    /** The script's error output, for a report. */
    public Path errors() {
        return errors;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
