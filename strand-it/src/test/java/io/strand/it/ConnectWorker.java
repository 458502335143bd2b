package io.strand.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Kafka Connect distributed worker (4.3.1, from the connect-runtime jar) in a child JVM, started
 * as Kafka's {@code bin/connect-distributed.sh} starts it: {@code ConnectDistributed} with a worker
 * properties file. Its connectors are plugins found on its class path (this test's, or an example's
 * {@code target/lib}) through their {@code ServiceLoader} manifests ({@code plugin.discovery=service_load},
 * so no class path scan).
 *
 * <p>{@link #kill9()} ends it with SIGKILL, as a crash would; {@link #start()} starts it again on the
 * same properties and REST port, so that it rejoins its group as the same worker id. The REST calls
 * talk to the worker's {@code listeners} address.
 *
 * <p>The worker logs at WARN to its stderr (shown when a test fails); {@code -Dstrand.it.connectLogLevel=info}
 * shows what it does.
 *
 * <p>Not thread-safe: one test thread starts, calls and kills it.
 */
final class ConnectWorker implements AutoCloseable {

    private static final String MAIN_CLASS = "org.apache.kafka.connect.cli.ConnectDistributed";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path propertiesFile;
    private final URI restUri;
    private final String classPath;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Output of the runs killed so far, kept for failure messages. */
    private final List<String> earlierRuns = new ArrayList<>();
    private ChildProcess.Running process;

    private ConnectWorker(Path propertiesFile, URI restUri, String classPath) {
        this.propertiesFile = propertiesFile;
        this.restUri = restUri;
        this.classPath = classPath;
    }

    /**
     * Writes {@code workerProperties} to {@code propertiesFile}; {@code restPort} is the worker's
     * REST port on the loopback address, which replaces any {@code listeners} they name.
     */
    static ConnectWorker configure(Properties workerProperties, int restPort, Path propertiesFile) {
        return configure(workerProperties, restPort, propertiesFile, ChildProcess.testClassPath());
    }

    /**
     * As {@link #configure(Properties, int, Path)}, the worker's JVM on {@code classPath} instead of
     * this test's: an example's {@code target/lib/*}, with connectors this module does not depend on.
     */
    static ConnectWorker configure(Properties workerProperties, int restPort, Path propertiesFile, String classPath) {
        Properties props = new Properties();
        props.putAll(workerProperties);
        props.setProperty("listeners", "http://127.0.0.1:" + restPort);
        props.setProperty("plugin.discovery", "service_load");
        try (OutputStream out = Files.newOutputStream(propertiesFile)) {
            props.store(out, "Connect worker for a test");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write worker properties file=" + propertiesFile, e);
        }
        return new ConnectWorker(propertiesFile, URI.create("http://127.0.0.1:" + restPort), classPath);
    }

    /** Starts the worker's JVM; {@link #awaitReady} tells when it serves requests. */
    void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("worker already running: properties=" + propertiesFile);
        }
        process = ChildProcess.of(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                        // the test class path holds two slf4j backends; the worker logs warnings to stderr
                        "-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + System.getProperty("strand.it.connectLogLevel", "warn"),
                        "-cp", classPath,
                        MAIN_CLASS, propertiesFile.toString()))
                .start();
    }

    /**
     * Waits until the worker has joined its group and read its config topic: its health endpoint
     * (KIP-1017) answers 200 only then.
     */
    void awaitReady(Duration within) {
        await("Connect worker at " + restUri + " healthy").atMost(within).pollInterval(Duration.ofMillis(250))
                .failFast("worker process exited:\n" + output(), () -> !process.isAlive())
                .until(() -> statusOf(get("/health")) == 200);
    }

    /**
     * Creates a connector from a {@code POST /connectors} body ({@code name} and {@code config}),
     * asking again while the worker answers 409 (a rebalance is under way) until {@code within}.
     */
    void createConnector(JsonNode body, Duration within) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        await("connector " + body.path("name").asText() + " created").atMost(within)
                .pollInterval(Duration.ofMillis(250))
                .failFast(() -> !process.isAlive())
                .until(() -> {
                    HttpResponse<String> response = send(HttpRequest.newBuilder(restUri.resolve("/connectors"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
                    last.set(response);
                    if (response.statusCode() == 409) {
                        return false;
                    }
                    if (response.statusCode() != 201) {
                        throw new AssertionError("POST /connectors answered " + response.statusCode() + ": "
                                + response.body());
                    }
                    return true;
                });
    }

    /** {@code GET path} on the worker's REST API; null while nothing listens on its port. */
    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(restUri.resolve(path)).GET());
    }

    /** Kills the worker with SIGKILL and waits until it is gone; what it printed is kept. */
    void kill9() {
        if (process != null) {
            process.close();
            earlierRuns.add(process.describe("killed"));
            process = null;
        }
    }

    /** What the current and the killed runs printed, for failure messages. */
    String output() {
        List<String> all = new ArrayList<>(earlierRuns);
        if (process != null) {
            all.add(process.describe("running"));
        }
        return String.join("\n", all);
    }

    @Override
    public void close() {
        kill9();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("request to Connect worker failed: uri=" + restUri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted calling the Connect worker", e);
        }
    }

    private static int statusOf(HttpResponse<String> response) {
        return response == null ? -1 : response.statusCode();
    }

    /** Reads a JSON document that configures a connector (as {@code POST /connectors} takes it). */
    static JsonNode readConnectorJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read connector json file=" + file, e);
        }
    }

    /** Reads a worker properties file. */
    static Properties readProperties(Path file) {
        Properties props = new Properties();
        try (var in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read worker properties file=" + file, e);
        }
        return props;
    }

    /** A connector's body with {@code overrides} over its {@code config}. */
    static JsonNode withConfig(JsonNode connector, Map<String, String> overrides) {
        JsonNode copy = connector.deepCopy();
        overrides.forEach(((com.fasterxml.jackson.databind.node.ObjectNode) copy.path("config"))::put);
        return copy;
    }
}
