package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

/**
 * Requests generated from the message schemas ({@link RequestGenerator}) sent to both brokers, their
 * answers compared as the corpus's are.
 *
 * <p>Contract: {@link #run} first sends the setup scenario (what generated requests name), then
 * {@code count} requests, each of an API both brokers advertise, at a version both serve, drawn with
 * the seed; APIs only Kafka advertises are counted, not sent. Every request goes to both brokers at
 * once; an acks=0 produce expects no answer. Declared differences are left out. The outcome counts per API the requests sent and those
 * whose answers differ, and keeps for each differing field (API, version, path) its count and first
 * example. Called from one thread.
 */
final class GeneratedRun {

    /** {@code -Dstrand.fidelity.trace=true}: every generated request and both normalised answers on standard error. */
    private static final boolean TRACE = Boolean.getBoolean("strand.fidelity.trace");

    /** What a generated run found. */
    record Outcome(Map<String, int[]> perApi, Map<String, Example> examples, List<String> kafkaOnly,
                   List<DifferentialRun.Finding> setupFindings) {
    }

    /** A differing field: how often it differed and the first request that showed it. */
    record Example(DifferentialRun.Finding first, int count) {
    }

    /**
     * How long a generated request's answer is waited for. Generated waits are at most 100 ms and the
     * slowest answer of a 3,000-request run came in 64 ms, so an answer not there after 3 s is not coming:
     * Kafka 4.3.1 leaves some requests unanswered with the connection open (DescribeShareGroupOffsets of
     * some groups, and those declared {@code /noAnswer}: an AddPartitionsToTxn v4+ naming no transaction,
     * an AlterConfigs of an unknown resource type), and waiting the scenarios' 15 s for each of those made a
     * generated run spend nine tenths of its time waiting.
     */
    static final int ANSWER_TIMEOUT_MS = 3_000;

    private final InetSocketAddress kafka;
    private final InetSocketAddress strand;

    GeneratedRun(InetSocketAddress kafka, InetSocketAddress strand) {
        this.kafka = kafka;
        this.strand = strand;
    }

    Outcome run(Scenario setup, long seed, int count, DeclaredDifferences declared) {
        return run(setup, seed, count, declared, Set.of());
    }

    /**
     * As {@link #run(Scenario, long, int, DeclaredDifferences)}, generating only requests of {@code only}'s
     * APIs (by name) when it is not empty: a run confined to some APIs is not disturbed by what others do
     * to the brokers' state (a deleted topic, say).
     */
    Outcome run(Scenario setup, long seed, int count, DeclaredDifferences declared, Set<String> only) {
        List<DifferentialRun.Finding> setupFindings = new DifferentialRun(kafka, strand).run(setup);
        ExecutorService senders = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "strand-fidelity-sender");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, int[]> perApi = new TreeMap<>();
        Map<String, Example> examples = new LinkedHashMap<>();
        List<String> kafkaOnly = new ArrayList<>();
        try (WireClient k = new WireClient(kafka, ANSWER_TIMEOUT_MS);
                WireClient s = new WireClient(strand, ANSWER_TIMEOUT_MS)) {
            Map<ApiKeys, short[]> shared = sharedVersions(k, s, kafkaOnly);
            List<ApiKeys> apis = new ArrayList<>(shared.keySet());
            if (!only.isEmpty()) {
                apis.removeIf(api -> !only.contains(api.name));
                if (apis.isEmpty()) {
                    throw new IllegalArgumentException("none of the APIs " + only + " is served by both brokers");
                }
            }
            Random random = new Random(seed);
            RequestGenerator generator = new RequestGenerator(seed);
            for (int i = 1; i <= count; i++) {
                ApiKeys api = apis.get(random.nextInt(apis.size()));
                short[] range = shared.get(api);
                short version = (short) (range[0] + random.nextInt(range[1] - range[0] + 1));
                ByteBuffer body = generator.next(api, version);
                ApiMessage parsed = ApiMessageType.fromApiKey(api.id).newRequest();
                parsed.read(new ByteBufferAccessor(body.duplicate()), version);
                boolean answered = !(parsed instanceof ProduceRequestData produce && produce.acks() == 0);
                CompletableFuture<WireClient.Answer> fromKafka = CompletableFuture.supplyAsync(
                        () -> k.send(api, version, body.duplicate(), answered), senders);
                CompletableFuture<WireClient.Answer> fromStrand = CompletableFuture.supplyAsync(
                        () -> s.send(api, version, body.duplicate(), answered), senders);
                String request = MessageJson.toJson(parsed, version).toString();
                int index = i;
                JsonNode kafkaAnswer = normalized(fromKafka.join(), version);
                JsonNode strandAnswer = normalized(fromStrand.join(), version);
                if (TRACE) {
                    System.err.printf("generated #%d %s v%d%n  request %s%n  kafka   %s%n  strand  %s%n", index, api.name,
                            version, request, kafkaAnswer, strandAnswer);
                }
                List<DifferentialRun.Finding> deltas = Differ.diff(kafkaAnswer, strandAnswer).stream()
                        .map(d -> new DifferentialRun.Finding("generated #" + index, index, api, version, d.path(),
                                d.kafka(), d.strand(), request))
                        .filter(f -> declared.declaring(f).isEmpty())
                        .toList();
                int[] counts = perApi.computeIfAbsent(api.name, a -> new int[2]);
                counts[0]++;
                if (!deltas.isEmpty()) {
                    counts[1]++;
                }
                for (DifferentialRun.Finding finding : deltas) {
                    String key = api.name + " v" + version + " " + finding.path();
                    Example seen = examples.get(key);
                    examples.put(key, seen == null ? new Example(finding, 1) : new Example(seen.first(), seen.count() + 1));
                }
            }
        } finally {
            senders.shutdownNow();
        }
        return new Outcome(perApi, examples, kafkaOnly, setupFindings);
    }

    private static JsonNode normalized(WireClient.Answer answer, short version) {
        if (answer.response() == null) {
            return JsonNodeFactory.instance.objectNode().put("noAnswer",
                    answer.failure() == null ? "sent" : answer.failure());
        }
        return Normalizer.normalize(MessageJson.toJson(answer.response(), version));
    }

    /** Per API both advertise, the versions both serve; {@code kafkaOnly} gets the APIs only Kafka advertises. */
    private static Map<ApiKeys, short[]> sharedVersions(WireClient k, WireClient s, List<String> kafkaOnly) {
        ApiVersionsResponseData fromKafka = apiVersions(k);
        ApiVersionsResponseData fromStrand = apiVersions(s);
        Map<ApiKeys, short[]> shared = new TreeMap<>();
        for (ApiVersionsResponseData.ApiVersion kv : fromKafka.apiKeys()) {
            ApiKeys api = ApiKeys.forId(kv.apiKey());
            ApiVersionsResponseData.ApiVersion sv = fromStrand.apiKeys().find(kv.apiKey());
            // Only versions this kafka-clients still has a schema for (it drops long-removed ones).
            ApiMessageType type = ApiMessageType.fromApiKey(kv.apiKey());
            short min = sv == null ? Short.MAX_VALUE : (short) Math.max(Math.max(kv.minVersion(), sv.minVersion()),
                    type.lowestSupportedVersion());
            short max = sv == null ? Short.MIN_VALUE : (short) Math.min(Math.min(kv.maxVersion(), sv.maxVersion()),
                    type.highestSupportedVersion(true));
            if (min > max) {
                kafkaOnly.add(api.name);
            } else {
                shared.put(api, new short[] {min, max});
            }
        }
        return shared;
    }

    private static ApiVersionsResponseData apiVersions(WireClient client) {
        WireClient.Answer answer = client.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                .setClientSoftwareName("strand-fidelity").setClientSoftwareVersion("1"), true);
        if (!(answer.response() instanceof ApiVersionsResponseData data)) {
            throw new IllegalStateException("no ApiVersions answer: " + answer.failure());
        }
        return data;
    }
}
