package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A node's {@code /metrics} scraped and parsed by Prometheus' own text-format parser
 * (python3-prometheus-client, required as {@link Tools#requirePrometheusPython} says): each sample's
 * name, labels and value. Thread-safe (no state beyond the HTTP client).
 */
final class MetricsScrape {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prints each sample of the exposition on stdin as one JSON line: name, labels, value. */
    private static final String PARSE = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    print(json.dumps({"name": s.name, "labels": s.labels, "value": s.value}))
            """;

    private final Path python = Tools.requirePrometheusPython();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** GETs {@code base}/metrics and parses it. */
    Samples scrape(URI base) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s/metrics", base).isEqualTo(200);
        ChildProcess.Result result = ChildProcess.of(python.toString(), "-c", PARSE).stdin(response.body())
                .timeout(Duration.ofSeconds(30)).run().assertSuccess();
        List<JsonNode> samples = new ArrayList<>();
        for (String line : result.stdoutLines()) {
            samples.add(JSON.readTree(line));
        }
        assertThat(samples).as("samples parsed").isNotEmpty();
        return new Samples(samples);
    }

    /** The samples the parser found. */
    record Samples(List<JsonNode> all) {

        /** The value of the one sample with {@code name} and exactly {@code labels}, if there is one. */
        Optional<Double> find(String name, Map<String, String> labels) {
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
            assertThat(found).as(name + wanted).hasSizeLessThanOrEqualTo(1);
            return found.stream().findFirst();
        }

        /** The value of the one sample with {@code name} and exactly {@code labels}. */
        double value(String name, Map<String, String> labels) {
            return find(name, labels).orElseThrow(() -> new AssertionError("no sample " + name + labels));
        }

        /** The value of the one sample with {@code name} and no labels. */
        double value(String name) {
            return value(name, Map.of());
        }
    }
}
