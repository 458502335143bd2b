package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * A sequence of requests sent, in order, to each broker on its own connection; read from a JSON file of
 * the corpus:
 * <pre>{@code
 * {"name": "offset-commit-unknown-topic",
 *  "about": "what the sequence checks",
 *  "steps": [
 *    {"api": "CreateTopics", "version": 7, "request": {...}, "compare": false},
 *    {"api": "FindCoordinator", "version": 4, "request": {...}, "retry": true},
 *    {"api": "JoinGroup", "version": 9, "request": {...}, "capture": {"member": "/memberId"}},
 *    {"api": "OffsetCommit", "version": 9, "request": {"memberId": "${member}", ...}}]}
 * }</pre>
 * A request is the message's JSON as kafka-clients' converters read it (camelCase field names). Each
 * broker gets its own values for {@code ${name}}: captured from an earlier answer of that broker by a
 * JSON pointer ({@code capture}), or {@code ${topicId:NAME}}, the topic's id there. A {@code records}
 * field may describe its batch ({@link RecordsJson}). {@code retry} resends while the answer holds an
 * error a client waits out ({@code true}: {@link #SETTLING}; or a list of error names), as a client
 * would, for at most {@value DifferentialRun#RETRY_MS} ms; {@code until} (JSON pointer → value) resends, as
 * long, until the answer holds those values: a broker whose reads follow its writes only once its metadata
 * caught up (Kafka's DescribeConfigs after an alter) is asked again as a client polling would; {@code compare:
 * false} sends without comparing (setup); {@code answer: false} expects none (acks=0 produce); {@code waitMs}
 * pauses that long before the step goes to both brokers (a deadline of theirs to pass, such as a group's
 * assignment interval).
 *
 * <p>{@code brokerConfig} (an object of property names and values, Kafka's names) asks for brokers with
 * these settings beside {@link BrokerPair#SHARED}: scenarios with the same {@code brokerConfig} share
 * their own fresh pair of brokers ({@link #byBrokerConfig}), such as an authorizer's.
 *
 * @param name         unique in the corpus; the scenario's topics and groups should carry it, since every
 *                     scenario of a run with the same {@code brokerConfig} shares the two brokers
 * @param about        what it checks, for the report
 * @param brokerConfig the brokers' settings beyond {@link BrokerPair#SHARED}; empty for the default pair
 * @param steps        in order
 */
record Scenario(String name, String about, Map<String, String> brokerConfig, List<Step> steps) {

    Scenario {
        brokerConfig = Collections.unmodifiableMap(new TreeMap<>(brokerConfig));
        steps = List.copyOf(steps);
    }

    /** One request of a scenario. */
    record Step(ApiKeys api, short version, JsonNode request, Set<Errors> retry, boolean compare, boolean answer,
                Map<String, String> capture, Map<String, JsonNode> until, long waitMs) {
    }

    /** Errors a client waits out by sending again ({@code "retry": true}): metadata and coordinators settling. */
    static final Set<Errors> SETTLING = Set.of(Errors.LEADER_NOT_AVAILABLE, Errors.NOT_LEADER_OR_FOLLOWER,
            Errors.COORDINATOR_NOT_AVAILABLE, Errors.COORDINATOR_LOAD_IN_PROGRESS, Errors.NOT_COORDINATOR,
            Errors.NOT_ENOUGH_REPLICAS, Errors.CONCURRENT_TRANSACTIONS);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every scenario in {@code dir}'s {@code *.json} files (each a scenario or an array of them), by file name. */
    static List<Scenario> loadAll(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Scenario> out = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    out.addAll(parse(JSON.readTree(in), file.getFileName().toString()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus dir=" + dir, e);
        }
    }

    static List<Scenario> parse(JsonNode json, String source) {
        List<Scenario> out = new ArrayList<>();
        if (json.isArray()) {
            json.forEach(one -> out.add(parseOne(one, source)));
        } else {
            out.add(parseOne(json, source));
        }
        return out;
    }

    private static Scenario parseOne(JsonNode json, String source) {
        String name = required(json, "name", source).asText();
        List<Step> steps = new ArrayList<>();
        for (JsonNode step : required(json, "steps", source + " " + name)) {
            String where = source + " " + name + " step " + (steps.size() + 1);
            ApiKeys api = api(required(step, "api", where).asText(), where);
            short version = (short) required(step, "version", where).asInt();
            if (version < api.oldestVersion() || version > api.latestVersion(true)) {
                throw new IllegalArgumentException(where + ": " + api.name + " has no version " + version);
            }
            Map<String, String> capture = new LinkedHashMap<>();
            step.path("capture").fields().forEachRemaining(e -> capture.put(e.getKey(), e.getValue().asText()));
            Map<String, JsonNode> until = new LinkedHashMap<>();
            step.path("until").fields().forEachRemaining(e -> until.put(e.getKey(), e.getValue()));
            steps.add(new Step(api, version, required(step, "request", where), retry(step.path("retry"), where),
                    step.path("compare").asBoolean(true), step.path("answer").asBoolean(true), capture, until,
                    Math.max(0, step.path("waitMs").asLong(0))));
        }
        Map<String, String> brokerConfig = new TreeMap<>();
        json.path("brokerConfig").fields().forEachRemaining(e -> {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new IllegalArgumentException(source + " " + name + ": brokerConfig " + e.getKey()
                        + " is not a value");
            }
            brokerConfig.put(e.getKey(), e.getValue().asText());
        });
        return new Scenario(name, json.path("about").asText(""), brokerConfig, steps);
    }

    /**
     * {@code scenarios} gathered by {@code brokerConfig}, each group in corpus order: the default brokers'
     * (an empty {@code brokerConfig}) first, then the others in the order of their first scenario.
     */
    static Map<Map<String, String>, List<Scenario>> byBrokerConfig(List<Scenario> scenarios) {
        Map<Map<String, String>, List<Scenario>> groups = new LinkedHashMap<>();
        for (Scenario scenario : scenarios) {
            if (scenario.brokerConfig().isEmpty()) {
                groups.computeIfAbsent(Map.of(), k -> new ArrayList<>()).add(scenario);
            }
        }
        for (Scenario scenario : scenarios) {
            if (!scenario.brokerConfig().isEmpty()) {
                groups.computeIfAbsent(scenario.brokerConfig(), k -> new ArrayList<>()).add(scenario);
            }
        }
        return groups;
    }

    /** {@code true}: {@link #SETTLING}; an array: the errors it names; absent or false: none. */
    private static Set<Errors> retry(JsonNode retry, String where) {
        if (retry.isBoolean()) {
            return retry.asBoolean() ? SETTLING : Set.of();
        }
        Set<Errors> errors = new HashSet<>();
        for (JsonNode name : retry) {
            errors.add(Arrays.stream(Errors.values()).filter(e -> e.name().equals(name.asText())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(where + ": no error named " + name.asText())));
        }
        return Set.copyOf(errors);
    }

    private static ApiKeys api(String name, String where) {
        return Arrays.stream(ApiKeys.values()).filter(k -> k.name.equals(name) || k.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(where + ": no API named " + name));
    }

    private static JsonNode required(JsonNode json, String field, String where) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(where + ": missing \"" + field + "\"");
        }
        return value;
    }
}
