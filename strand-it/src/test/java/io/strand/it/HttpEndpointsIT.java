package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strand.testkit.StrandNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's HTTP side with real clients: health while the node starts and once it serves, /metrics
 * scraped and parsed by Prometheus' own text-format parser (python3-prometheus-client) with counters
 * matching what the Java producer and consumer did, JSON errors, and bad HTTP input that leaves the
 * node serving.
 */
class HttpEndpointsIT {

    private static final String TOPIC = "http-metrics";
    private static final int RECORDS = 200;
    private static final String GROUP = "http-metrics-group";
    /** The offset the group commits: its lag is the rest of the log. */
    private static final long COMMITTED = 150;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prints each sample of the exposition on stdin as one JSON line: name, labels, value. */
    private static final String PARSE = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
            parse = openmetrics if sys.argv[1] == "openmetrics" else text_string_to_metric_families
            for family in parse(sys.stdin.read()):
                for s in family.samples:
                    print(json.dumps({"name": s.name, "labels": s.labels, "value": s.value}))
            """;

    @TempDir
    static Path dir;
    private static StrandNode node;
    private static URI http;
    private static Path python;
    /** What /health/ready answered while the node started: status and body, in order. */
    private static final List<String> readyWhileStarting = new ArrayList<>();
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startWatchingHealth() throws Exception {
        python = Tools.requirePrometheusPython();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        http = URI.create("http://127.0.0.1:" + port);
        CompletableFuture<StrandNode> starting = CompletableFuture.supplyAsync(() -> StrandNode.start(dir.resolve("data"),
                Map.of("strand.http.listener", "http://127.0.0.1:" + port, "group.initial.rebalance.delay.ms", "0")));
        while (!starting.isDone()) {
            try {
                HttpResponse<String> ready = get("/health/ready");
                readyWhileStarting.add(ready.statusCode() + " " + ready.body());
            } catch (ConnectException e) {
                Thread.sleep(2); // not bound yet
            }
        }
        node = starting.get(30, TimeUnit.SECONDS);
        assertThat(node.httpAddress()).hasValueSatisfying(a -> assertThat(a.getPort()).isEqualTo(port));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.resolve(path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyOnlyOnceTheNodeServesWhileLiveAnswersThroughout() throws Exception {
        // How many answers came before the node served depends on how fast the client's first request
        // went out (a loaded machine may be ready first): what holds is that every answer before the first
        // 200 is a 503 naming its phase, and none after it is. (The phases' answers are checked one by one
        // in HttpListenerTest.)
        int firstReady = readyWhileStarting.indexOf(readyWhileStarting.stream().filter(s -> s.startsWith("200"))
                .findFirst().orElse(null));
        int notReady = firstReady < 0 ? readyWhileStarting.size() : firstReady;
        System.out.printf("%s: %d answers of /health/ready while the node started, %d of them 503%n",
                getClass().getSimpleName(), readyWhileStarting.size(), notReady);
        assertThat(readyWhileStarting.subList(0, notReady)).allSatisfy(answer -> assertThat(answer)
                .startsWith("503 {\"error_code\":503,\"message\":\"Not ready: ").contains("\"phase\":"));
        assertThat(readyWhileStarting.subList(notReady, readyWhileStarting.size()))
                .allMatch(answer -> answer.startsWith("200"));
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
        assertThat(ready.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsCountWhatTheClientsDid() throws Exception {
        // Open through the scrape: one connection the gauge must count.
        Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()));
        try {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            produceConsumeAndScrape();
        } finally {
            admin.close();
        }
    }

    private void produceConsumeAndScrape() throws Exception {
        Properties producerProps = new Properties();
        producerProps.put("bootstrap.servers", node.bootstrapServers());
        producerProps.put("acks", "all");
        producerProps.put("linger.ms", "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "key-" + i, "value-" + i));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<ConsumerRecord<String, String>> consumed = new ArrayList<>();
        Properties consumerProps = new Properties();
        consumerProps.put("bootstrap.servers", node.bootstrapServers());
        consumerProps.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 20_000;
            while (consumed.size() < RECORDS && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).records(tp).forEach(consumed::add);
            }
        }
        assertThat(consumed).hasSize(RECORDS);
        Properties groupProps = new Properties();
        groupProps.put("bootstrap.servers", node.bootstrapServers());
        groupProps.put("group.id", GROUP);
        try (KafkaConsumer<String, String> committer = new KafkaConsumer<>(groupProps, new StringDeserializer(),
                new StringDeserializer())) {
            committer.commitSync(Map.of(tp, new OffsetAndMetadata(COMMITTED)));
        }

        HttpResponse<String> scrape = get("/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        Samples samples = parse(scrape.body(), "text");

        Map<String, String> topic = Map.of("topic", TOPIC);
        Map<String, String> partition = Map.of("topic", TOPIC, "partition", "0");
        double logSize = samples.value("strand_partition_log_size_bytes", partition);
        assertThat(samples.value("strand_topic_records_in_total", topic)).isEqualTo(RECORDS);
        assertThat(samples.value("strand_partition_log_end_offset", partition)).isEqualTo(RECORDS);
        assertThat(samples.value("strand_partition_high_watermark", partition)).isEqualTo(RECORDS);
        // Every byte appended came from a produced batch: bytes in are the log's bytes.
        assertThat(samples.value("strand_topic_bytes_in_total", topic)).isEqualTo(logSize).isGreaterThan(RECORDS * 10);
        // The consumer read the whole log at least once.
        assertThat(samples.value("strand_topic_bytes_out_total", topic)).isGreaterThanOrEqualTo(logSize);
        assertThat(samples.value("strand_requests_total", Map.of("api", "Produce"))).isGreaterThan(0);
        assertThat(samples.value("strand_requests_total", Map.of("api", "Fetch"))).isGreaterThan(0);
        assertThat(samples.value("strand_request_latency_seconds_count", Map.of("api", "Produce"))).isGreaterThan(0);
        assertThat(samples.value("strand_request_latency_seconds_bucket", Map.of("api", "Produce", "le", "+Inf")))
                .isGreaterThan(0);
        assertThat(samples.value("strand_connections", Map.of("listener", "PLAINTEXT"))).isGreaterThanOrEqualTo(1);
        assertThat(samples.value("strand_node_ready", Map.of())).isEqualTo(1);
        Map<String, String> groupPartition = Map.of("group", GROUP, "topic", TOPIC, "partition", "0");
        assertThat(samples.value("strand_consumergroup_committed_offset", groupPartition)).isEqualTo(COMMITTED);
        assertThat(samples.value("strand_consumergroup_lag", groupPartition)).isEqualTo(RECORDS - COMMITTED);
        // One node: its controller is the active one, it leads every partition, none under-replicated.
        assertThat(samples.value("strand_controller_active", Map.of())).isEqualTo(1);
        assertThat(samples.value("strand_controller_offline_partitions", Map.of())).isZero();
        assertThat(samples.value("strand_controller_topics", Map.of())).isGreaterThanOrEqualTo(2); // and __consumer_offsets
        assertThat(samples.value("strand_replica_leader_partitions", Map.of()))
                .isEqualTo(samples.value("strand_replica_partitions", Map.of()))
                .isEqualTo(samples.value("strand_controller_partitions", Map.of()));
        assertThat(samples.value("strand_replica_under_replicated_partitions", Map.of())).isZero();
        assertThat(samples.value("strand_isr_shrinks_total", Map.of())).isZero();
        assertThat(samples.names()).contains("jvm_memory_used_bytes", "jvm_threads_current");
        assertThat(samples.names().stream().filter(n -> n.startsWith("jvm_gc_collection_seconds"))).isNotEmpty();

        HttpResponse<String> openMetrics = get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(openMetrics.headers().firstValue("content-type").orElseThrow())
                .startsWith("application/openmetrics-text");
        assertThat(openMetrics.body()).endsWith("# EOF\n");
        assertThat(parse(openMetrics.body(), "openmetrics").value("strand_topic_records_in_total", topic))
                .isEqualTo(RECORDS);
    }

    @Test
    void unknownPathsAndMethodsAreJsonErrors() throws Exception {
        HttpResponse<String> missing = get("/nothing-here");
        assertThat(missing.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(missing.body());
        assertThat(error.get("error_code").asInt()).isEqualTo(404);
        assertThat(error.get("message").asText()).contains("/nothing-here");

        HttpResponse<String> wrongMethod = client.send(HttpRequest.newBuilder(http.resolve("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("allow")).hasValue("GET");
        assertThat(JSON.readTree(wrongMethod.body()).get("error_code").asInt()).isEqualTo(405);
    }

    @Test
    void malformedOrOversizedRequestsGet4xxAndTheNodeServesOn() throws Exception {
        assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains("\"error_code\":400");
        assertThat(raw("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n"))
                .matches("(?s)HTTP/1.1 4\\d\\d .*");
        assertThat(raw("POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + "x".repeat(4096)))
                .startsWith("HTTP/1.1 413 ").contains("\"error_code\":413");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()))) {
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    /** Writes {@code request} on a fresh connection and reads what comes back until the server closes it. */
    private static String raw(String request) throws IOException {
        try (Socket socket = new Socket(http.getHost(), http.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                read.write(buffer, 0, n);
            }
            return read.toString(StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException e) {
            // The server may reset a connection it closed with unread bytes still coming: nothing more to read.
            return "";
        }
    }

    private static Samples parse(String exposition, String format) throws IOException {
        ChildProcess.Result result = ChildProcess.of(python.toString(), "-c", PARSE, format).stdin(exposition)
                .timeout(Duration.ofSeconds(30)).run().assertSuccess();
        List<JsonNode> samples = new ArrayList<>();
        for (String line : result.stdoutLines()) {
            samples.add(JSON.readTree(line));
        }
        assertThat(samples).as("samples parsed").isNotEmpty();
        return new Samples(samples);
    }

    /** The samples the parser found. */
    private record Samples(List<JsonNode> all) {

        List<String> names() {
            return all.stream().map(s -> s.get("name").asText()).toList();
        }

        /** The value of the one sample with {@code name} and exactly {@code labels}. */
        double value(String name, Map<String, String> labels) {
            Map<String, String> wanted = new TreeMap<>(labels);
            List<Double> found = new ArrayList<>();
            for (JsonNode sample : all) {
                if (!sample.get("name").asText().equals(name)) {
                    continue;
                }
                Map<String, String> have = new TreeMap<>();
                sample.get("labels").fields().forEachRemaining(e -> have.put(e.getKey(), e.getValue().asText()));
                if (have.equals(wanted)) {
                    found.add(sample.get("value").asDouble());
                }
            }
            assertThat(found).as(name + wanted).hasSize(1);
            return found.get(0);
        }
    }
}
