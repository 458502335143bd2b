package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Sends each scenario's requests to Apache Kafka and to Strand, step by step, and reports every field
 * in which their normalised answers differ.
 *
 * <p>Contract: for each scenario a fresh connection to each broker; each step is sent to both at once,
 * the next only when both have answered, with each broker's own values substituted ({@link Scenario}); the two answers (or the two
 * reasons there was none) are normalised ({@link Normalizer}) and compared ({@link Differ}) unless the
 * step says {@code compare: false}. A step whose request cannot be built is a finding of its own. Called
 * from one thread (two more send, one per broker); the brokers are the caller's.
 */
final class DifferentialRun {

    static final long RETRY_MS = 10_000;
    /** {@code -Dstrand.fidelity.trace=true}: every step's request and both normalised answers on standard error. */
    private static final boolean TRACE = Boolean.getBoolean("strand.fidelity.trace");
    private static final long RETRY_PAUSE_MS = 100;
    /** A difference: where it showed, what each broker answered, and the request (Kafka's side) that caused it. */
    record Finding(String scenario, int step, ApiKeys api, short version, String path, String kafka, String strand,
                   String request) {
    }

    private final InetSocketAddress kafka;
    private final InetSocketAddress strand;

    DifferentialRun(InetSocketAddress kafka, InetSocketAddress strand) {
        this.kafka = kafka;
        this.strand = strand;
    }

    /** The findings of every scenario, in order. */
    List<Finding> run(List<Scenario> scenarios) {
        List<Finding> findings = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            findings.addAll(run(scenario));
        }
        return findings;
    }

    List<Finding> run(Scenario scenario) {
        List<Finding> findings = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "strand-fidelity-sender");
            thread.setDaemon(true);
            return thread;
        });
        try (Target k = new Target(kafka); Target s = new Target(strand)) {
            int index = 0;
            for (Scenario.Step step : scenario.steps()) {
                index++;
                sleep(step.waitMs());
                long started = System.nanoTime();
                // Both at once, so that a step one broker holds (a join waiting out a rebalance) does not
                // age the other broker's group by the same time before its next step.
                CompletableFuture<Sent> kafkaSide = CompletableFuture.supplyAsync(() -> k.send(step), senders);
                CompletableFuture<Sent> strandSide = CompletableFuture.supplyAsync(() -> s.send(step), senders);
                Sent fromKafka = kafkaSide.join();
                Sent fromStrand = strandSide.join();
                if (TRACE) {
                    System.err.printf("%s step %d %s v%d (%d ms)%n  request %s%n  kafka   %s%n  strand  %s%n",
                            scenario.name(), index, step.api().name, step.version(),
                            (System.nanoTime() - started) / 1_000_000, fromKafka.request(), fromKafka.normalized(),
                            fromStrand.normalized());
                    System.err.flush();
                }
                if (!step.compare()) {
                    continue;
                }
                for (Differ.Delta delta : Differ.diff(fromKafka.normalized(), fromStrand.normalized())) {
                    findings.add(new Finding(scenario.name(), index, step.api(), step.version(), delta.path(),
                            delta.kafka(), delta.strand(), fromKafka.request()));
                }
            }
        } finally {
            senders.shutdownNow();
        }
        return findings;
    }

    /**
     * Whether {@code actual} is {@code expected}; numbers by value, so that {@code 31} in a scenario
     * matches an int16 error code and {@code 1024.0} a float64 quota.
     */
    static boolean holds(JsonNode actual, JsonNode expected) {
        if (actual.isNumber() && expected.isNumber()) {
            return actual.decimalValue().compareTo(expected.decimalValue()) == 0;
        }
        return actual.equals(expected);
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting before a step", e);
        }
    }

    /** What one broker was sent and answered, normalised for comparison. */
    private record Sent(String request, JsonNode normalized) {
    }

    /** One broker: its connection and the values its answers gave the scenario. */
    private static final class Target implements AutoCloseable {
        private final WireClient client;
        private final Map<String, JsonNode> values = new HashMap<>();

        Target(InetSocketAddress address) {
            this.client = new WireClient(address);
        }

        Sent send(Scenario.Step step) {
            JsonNode requestJson;
            ApiMessage request;
            try {
                requestJson = substitute(step.request().deepCopy(), null);
                request = MessageJson.request(step.api(), step.version(), requestJson);
            } catch (RuntimeException e) {
                return new Sent(step.request().toString(), outcome("request not built: " + e.getMessage()));
            }
            long deadline = System.currentTimeMillis() + RETRY_MS;
            WireClient.Answer answer = client.send(step.api(), step.version(), request, step.answer());
            while (System.currentTimeMillis() < deadline && (!step.retry().isEmpty()
                    && retriable(answer, step.version(), step.retry()) || !reached(answer, step))) {
                pause();
                answer = client.send(step.api(), step.version(), request, step.answer());
            }
            if (!step.answer()) {
                return new Sent(requestJson.toString(), outcome(answer.failure() == null ? "sent" : answer.failure()));
            }
            if (answer.response() == null) {
                return new Sent(requestJson.toString(), outcome(answer.failure()));
            }
            JsonNode raw = MessageJson.toJson(answer.response(), step.version());
            step.capture().forEach((name, pointer) -> values.put(name, raw.at(pointer)));
            return new Sent(requestJson.toString(), Normalizer.normalize(raw));
        }

        /** {@code node} with this broker's values in place of {@code ${...}} and record specs built. */
        private JsonNode substitute(JsonNode node, String fieldName) {
            if (node.isTextual()) {
                String text = node.asText();
                if (text.startsWith("${") && text.endsWith("}")) {
                    return value(text.substring(2, text.length() - 1));
                }
                return node;
            }
            if (node.isObject()) {
                ObjectNode object = (ObjectNode) node;
                Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
                List<Map.Entry<String, JsonNode>> all = new ArrayList<>();
                fields.forEachRemaining(all::add);
                for (Map.Entry<String, JsonNode> field : all) {
                    object.set(field.getKey(), substitute(field.getValue(), field.getKey()));
                }
                if ("records".equals(fieldName)) {
                    return JsonNodeFactory.instance.textNode(RecordsJson.encode(object));
                }
                return object;
            }
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    ((ArrayNode) node).set(i, substitute(node.get(i), null));
                }
            }
            return node;
        }

        private JsonNode value(String name) {
            if (name.startsWith("topicId:")) {
                return JsonNodeFactory.instance.textNode(topicId(name.substring("topicId:".length())));
            }
            JsonNode value = values.get(name);
            if (value == null || value.isMissingNode()) {
                throw new IllegalArgumentException("no value captured for ${" + name + "}");
            }
            return value;
        }

        private String topicId(String topic) {
            MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(false)
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)));
            WireClient.Answer answer = client.send(ApiKeys.METADATA, (short) 12, request, true);
            if (answer.response() instanceof MetadataResponseData metadata && !metadata.topics().isEmpty()
                    && metadata.topics().iterator().next().errorCode() == Errors.NONE.code()) {
                return metadata.topics().iterator().next().topicId().toString();
            }
            throw new IllegalArgumentException("no topic id for " + topic);
        }

        /** Whether {@code answer} holds every value of the step's {@code until} (true when there is none). */
        private static boolean reached(WireClient.Answer answer, Scenario.Step step) {
            if (step.until().isEmpty()) {
                return true;
            }
            if (answer.response() == null) {
                return false;
            }
            JsonNode raw = MessageJson.toJson(answer.response(), step.version());
            return step.until().entrySet().stream().allMatch(e -> holds(raw.at(e.getKey()), e.getValue()));
        }

        private static boolean retriable(WireClient.Answer answer, short version, Set<Errors> retry) {
            if (answer.response() == null) {
                return answer.failure() != null;
            }
            return holdsError(MessageJson.toJson(answer.response(), version), retry);
        }

        /**
         * Whether any error code in {@code node} ({@code errorCode}, or a field ending in {@code ErrorCode}
         * such as AddPartitionsToTxn's {@code partitionErrorCode}) is one of {@code errors}.
         */
        private static boolean holdsError(JsonNode node, Set<Errors> errors) {
            if (node.isObject()) {
                Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    JsonNode code = field.getValue();
                    if ((field.getKey().equals("errorCode") || field.getKey().endsWith("ErrorCode"))
                            && code.isNumber() && errors.contains(Errors.forCode((short) code.asInt()))) {
                        return true;
                    }
                }
            }
            for (JsonNode child : node) {
                if (child.isContainerNode() && holdsError(child, errors)) {
                    return true;
                }
            }
            return false;
        }

        private static JsonNode outcome(String what) {
            return JsonNodeFactory.instance.objectNode().put("noAnswer", what);
        }

        private static void pause() {
            try {
                Thread.sleep(RETRY_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while retrying", e);
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
