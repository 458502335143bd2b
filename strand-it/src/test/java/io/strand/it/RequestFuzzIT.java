package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strand.testkit.StrandProcess;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates real client requests (the golden fixtures of {@link GoldenRequest}, one well-formed request
 * of each transaction API from {@link TransactionRequests}, plus each advertised API version none of
 * those covers, as its empty default request) and sends them, one connection per case,
 * to a node in a child JVM with a small heap that exits on {@code OutOfMemoryError}.
 *
 * <p>Each answer must be a response that kafka-clients parses for the API and version in the
 * request's header, or a closed connection (or, for requests that may legitimately wait — Fetch,
 * JoinGroup, SyncGroup, acks=0 Produce — no answer yet). After every case: the process is alive, a
 * long-lived connection is still served, the node's RSS is under {@value #RSS_BOUND_MIB} MiB, and,
 * after a Produce, every partition of {@link FuzzTopics#PRODUCED} grew by exactly the records of the
 * partitions the response called a success (and none of those records is one kafka-clients cannot
 * read). Every {@value #CHECKPOINT_EVERY} cases and at the end a Java producer and consumer round
 * trip; at the end every produced partition is read whole by the Java consumer and by kcat.
 *
 * <p>Cases come from {@code -Dstrand.fuzz.seed} (default {@value #DEFAULT_SEED}) and number
 * {@code -Dstrand.fuzz.cases} (default {@value #DEFAULT_CASES}); {@code -Dstrand.fuzz.case=N} runs
 * case N alone. A failure names the seed, case, fixture and mutation.
 *
 * <p>An answer carrying {@code UNKNOWN_SERVER_ERROR} fails the case: a handler threw where it should
 * have answered with the error code for the input.
 */
class RequestFuzzIT {

    static final long DEFAULT_SEED = 20261205L;
    static final int DEFAULT_CASES = 1_000;
    static final int CHECKPOINT_EVERY = 500;
    static final int HEAP_MIB = 96;
    static final int RSS_BOUND_MIB = 400;
    private static final String CANARY = "fuzz-canary";
    private static final int BASELINE_PER_PARTITION = 3;
    /** How long a request that may wait (a long poll, a rebalance) is given before it counts as waiting. */
    private static final int MAY_WAIT_MS = 400;
    private static final int ANSWER_MS = 15_000;
    private static final Set<ApiKeys> MAY_WAIT = Set.of(ApiKeys.FETCH, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP,
            ApiKeys.SHARE_FETCH);

    @TempDir
    Path dataDir;

    private StrandProcess node;
    private String bootstrap;
    private Admin admin;
    private RawKafkaConnection probe;
    private final Map<TopicPartition, Long> expectedEnd = new LinkedHashMap<>();
    private final Map<Uuid, String> topicNames = new HashMap<>();
    private long rssMaxKib;
    /** The answer to the current case, for a failure message. */
    private String lastAnswer;
    private int produceSuccesses;
    private int closed;
    private int answered;
    private int waiting;

    @Test
    void mutatedClientRequestsLeaveTheNodeServingBoundedAndItsLogsIntact() throws Exception {
        assumeThat(BrokerUnderTest.selected()).isEqualTo(BrokerUnderTest.Kind.STRAND);
        long seed = Long.getLong("strand.fuzz.seed", DEFAULT_SEED);
        int cases = Integer.getInteger("strand.fuzz.cases", DEFAULT_CASES);
        Integer only = Integer.getInteger("strand.fuzz.case");
        node = StrandProcess.start(dataDir.resolve("node"), Map.of(),
                List.of("-Xmx" + HEAP_MIB + "m", "-XX:+ExitOnOutOfMemoryError"));
        try {
            bootstrap = node.bootstrapServers();
            admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
            List<GoldenRequest> golden = goldenRequestsForThisNode();
            produceBaseline();
            probe = new RawKafkaConnection(bootstrap);
            List<GoldenRequest> defaults = defaultsNotCovered(golden);
            int first = only != null ? only : 0;
            long startedMs = System.currentTimeMillis();
            int last = only != null ? only + 1 : cases;
            for (int i = first; i < last; i++) {
                Random random = new Random(seed * 0x9E3779B97F4A7C15L + i);
                List<GoldenRequest> from = random.nextInt(5) > 0 || defaults.isEmpty() ? golden : defaults;
                GoldenRequest request = from.get(random.nextInt(from.size()));
                RequestMutator.Mutation mutation = RequestMutator.mutate(request, random);
                try {
                    runCase(mutation);
                    if ((i + 1) % 100 == 0) {
                        System.out.printf("request fuzz: %d cases in %d ms%n", i + 1 - first, System.currentTimeMillis() - startedMs);
                    }
                    if ((i + 1) % CHECKPOINT_EVERY == 0) {
                        checkpoint();
                    }
                } catch (Throwable e) {
                    throw new AssertionError("fuzz case failed: seed=" + seed + " case=" + i + " fixture=" + request
                            + " mutation=" + mutation + "\nreplay: -Dstrand.fuzz.seed=" + seed + " -Dstrand.fuzz.case=" + i
                            + "\nanswer: " + lastAnswer + "\n" + nodeState(), e);
                }
            }
            checkpoint();
            readEveryProducedPartitionWithTheJavaConsumer();
            readEveryProducedPartitionWithKcat();
            System.out.println("request fuzz: node heap at the end: " + heapInfo());
            System.out.printf("request fuzz: seed=%d cases=%d (first %d) golden=%d defaults=%d answered=%d closed=%d"
                            + " waiting=%d produce-successes=%d heap=-Xmx%dm rss-max=%d KiB%n", seed, last - first, first,
                    golden.size(), defaults.size(), answered, closed, waiting, produceSuccesses, HEAP_MIB, rssMaxKib);
        } finally {
            if (probe != null) {
                probe.close();
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
            node.close();
        }
    }

    // ---- setup ----

    /** Creates the fixtures' topics and points the captured topic ids at them. */
    private List<GoldenRequest> goldenRequestsForThisNode() throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        FuzzTopics.ALL.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
        topics.add(new NewTopic(CANARY, 1, (short) 1));
        admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        Map<Uuid, Uuid> capturedToCurrent = new HashMap<>();
        Map<String, Uuid> captured = GoldenRequest.capturedTopicIds();
        admin.describeTopics(FuzzTopics.ALL.keySet()).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) -> {
            topicNames.put(d.topicId(), name);
            if (captured.containsKey(name)) {
                capturedToCurrent.put(captured.get(name), d.topicId());
            }
        });
        List<GoldenRequest> requests = new ArrayList<>();
        for (GoldenRequest request : GoldenRequest.loadAll()) {
            requests.add(request.withTopicIds(capturedToCurrent));
        }
        // the transaction APIs, which the fixture clients did not send: one well-formed request each, naming
        // the admin topic (a WriteTxnMarkers may append a marker; the produced topics must only grow by records)
        for (TransactionRequests.Sample sample : TransactionRequests.all(FuzzTopics.ADMIN)) {
            requests.add(GoldenRequest.of(String.format("synthetic/%02d-%s-v%d", sample.apiKey().id,
                    sample.apiKey().name, sample.version()), sample.frame("fuzz")));
        }
        assertThat(requests).extracting(GoldenRequest::apiKey).contains(ApiKeys.PRODUCE, ApiKeys.FETCH);
        return requests;
    }

    private void produceBaseline() throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            for (String topic : FuzzTopics.PRODUCED) {
                for (int p = 0; p < FuzzTopics.ALL.get(topic); p++) {
                    for (int i = 0; i < BASELINE_PER_PARTITION; i++) {
                        producer.send(new ProducerRecord<>(topic, p, "k" + i, baselineValue(topic, p, i))).get();
                    }
                    expectedEnd.put(new TopicPartition(topic, p), (long) BASELINE_PER_PARTITION);
                }
            }
        }
        assertThat(endOffsets()).isEqualTo(expectedEnd);
    }

    private static String baselineValue(String topic, int partition, int i) {
        return "baseline-" + topic + "-" + partition + "-" + i;
    }

    /** The empty default request of every advertised API version no golden fixture covers. */
    private List<GoldenRequest> defaultsNotCovered(List<GoldenRequest> golden) throws IOException {
        Set<String> covered = new HashSet<>();
        golden.forEach(g -> covered.add(g.apiKey().id + "/" + g.version()));
        List<GoldenRequest> defaults = new ArrayList<>();
        ApiVersionsResponse versions = (ApiVersionsResponse) probe.roundTrip(new ApiVersionsRequest(
                new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1"), (short) 3));
        for (ApiVersion api : versions.data().apiKeys()) {
            if (!ApiKeys.hasId(api.apiKey())) {
                continue;
            }
            ApiKeys key = ApiKeys.forId(api.apiKey());
            for (short v = (short) Math.max(api.minVersion(), key.oldestVersion()); v <= api.maxVersion(); v++) {
                if (!covered.contains(key.id + "/" + v)) {
                    defaults.add(defaultRequest(key, v));
                }
            }
        }
        return defaults;
    }

    private static GoldenRequest defaultRequest(ApiKeys key, short version) {
        ApiMessage message = ApiMessageType.fromApiKey(key.id).newRequest();
        ByteBuffer body = MessageUtil.toByteBufferAccessor(message, version).buffer();
        ByteBuffer frame = ByteBuffer.allocate(11 + body.remaining());
        frame.putShort(key.id).putShort(version).putInt(1).putShort((short) -1);
        if (key.requestHeaderVersion(version) >= 2) {
            frame.put((byte) 0);
        }
        frame.put(body);
        return GoldenRequest.of(String.format("default/%02d-%s-v%d", key.id, key.name, version),
                java.util.Arrays.copyOf(frame.array(), frame.position()));
    }

    // ---- one case ----

    private void runCase(RequestMutator.Mutation mutation) throws Exception {
        lastAnswer = "none";
        RequestHeader header = parseHeader(mutation.frame());
        ProduceRequestData produce = header != null && header.apiKey() == ApiKeys.PRODUCE
                ? parseProduce(mutation.frame(), header) : null;
        boolean mayWait = header != null && (MAY_WAIT.contains(header.apiKey())
                || header.apiKey() == ApiKeys.PRODUCE && produce != null && produce.acks() == 0);
        try (RawKafkaConnection connection = new RawKafkaConnection(bootstrap, mayWait ? MAY_WAIT_MS : ANSWER_MS)) {
            connection.sendFrame(ByteBuffer.wrap(mutation.frame()));
            byte[] answer;
            try {
                answer = connection.readFrame();
            } catch (SocketTimeoutException e) {
                assertThat(mayWait).as("no answer within %d ms to %s", ANSWER_MS, header == null ? "an unparseable header" : header.apiKey()).isTrue();
                waiting++;
                answer = null;
                if (produce != null && produce.acks() == 0) {
                    // this connection's requests are served in order: an answer to a second means the first is done
                    connection.readTimeout(ANSWER_MS);
                    connection.roundTrip(new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 0));
                }
            } catch (IOException e) {
                closed++;
                answer = null;
            }
            if (answer != null) {
                answered++;
                assertThat(header).as("an answer to a request whose header kafka-clients cannot parse").isNotNull();
                AbstractResponse response = parseResponse(answer, header);
                lastAnswer = abbreviate(response.data().toString());
                assertThat(response.errorCounts()).as("errors of the answer (UNKNOWN_SERVER_ERROR: a handler threw"
                        + " where it should have answered with the error code for the input)")
                        .doesNotContainKey(Errors.UNKNOWN_SERVER_ERROR);
                if (response instanceof ProduceResponse produceResponse) {
                    countSuccessfulAppends(produce, produceResponse.data());
                }
            }
        }
        assertNodeAlive();
        probe.roundTrip(new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("probe").setClientSoftwareVersion("1"), (short) 3));
        if (header != null && header.apiKey() == ApiKeys.PRODUCE) {
            assertProducedTopicsChangedOnlyByCountedAppends(produce);
        }
        sampleRss();
    }

    private static RequestHeader parseHeader(byte[] frame) {
        try {
            return RequestHeader.parse(ByteBuffer.wrap(frame));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static ProduceRequestData parseProduce(byte[] frame, RequestHeader header) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            RequestHeader.parse(buffer);
            // bytes after the body are ignored, as Kafka ignores them
            return new ProduceRequestData(new ByteBufferAccessor(buffer), header.apiVersion());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static AbstractResponse parseResponse(byte[] answer, RequestHeader header) {
        if (header.apiKey() != ApiKeys.API_VERSIONS) {
            assertThat(header.apiKey().isVersionSupported(header.apiVersion()))
                    .as("answered %s v%d, a version kafka-clients does not know", header.apiKey(), header.apiVersion())
                    .isTrue();
        }
        try {
            return AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header);
        } catch (RuntimeException e) {
            if (header.apiKey() == ApiKeys.API_VERSIONS) {
                // an unsupported ApiVersions version is answered in v0, as Kafka does
                ByteBuffer buffer = ByteBuffer.wrap(answer);
                assertThat(buffer.getInt()).isEqualTo(header.correlationId());
                ApiVersionsResponse v0 = (ApiVersionsResponse) AbstractResponse.parseResponse(ApiKeys.API_VERSIONS,
                        new ByteBufferAccessor(buffer), (short) 0);
                assertThat(Errors.forCode(v0.data().errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
                return v0;
            }
            throw new AssertionError("answer to " + header.apiKey() + " v" + header.apiVersion()
                    + " does not parse: " + e, e);
        }
    }

    // ---- log accounting ----

    private final Map<TopicPartition, Long> appendedThisCase = new HashMap<>();

    /**
     * For each partition of a produced topic that the response calls a success, the records its
     * batches hold as kafka-clients reads them. A batch the broker took but kafka-clients cannot
     * read fails the case.
     */
    private void countSuccessfulAppends(ProduceRequestData request, ProduceResponseData response) {
        appendedThisCase.clear();
        if (request == null) {
            return;
        }
        // a partition named twice is answered twice, in request order
        Map<String, ArrayDeque<ProduceRequestData.PartitionProduceData>> sent = new HashMap<>();
        for (ProduceRequestData.TopicProduceData t : request.topicData()) {
            for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                sent.computeIfAbsent(topicOf(t.name(), t.topicId()) + "/" + p.index(), k -> new ArrayDeque<>())
                        .add(p);
            }
        }
        for (ProduceResponseData.TopicProduceResponse t : response.responses()) {
            for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                String topic = topicOf(t.name(), t.topicId());
                TopicPartition tp = new TopicPartition(topic, p.index());
                var named = sent.get(topic + "/" + p.index());
                ProduceRequestData.PartitionProduceData data = named == null ? null : named.poll();
                if (p.errorCode() != Errors.NONE.code() || !expectedEnd.containsKey(tp)) {
                    continue;
                }
                assertThat(data).as("a success for %s, which the request did not name", tp).isNotNull();
                long end = expectedEnd.get(tp) + appendedThisCase.getOrDefault(tp, 0L);
                if (p.baseOffset() < end) {
                    // a retry of an idempotent batch already in the log: answered with its first offset, not appended
                    assertThat(p.baseOffset()).as("base offset of a duplicate in %s", tp).isNotNegative();
                    continue;
                }
                assertThat(p.baseOffset()).as("base offset of an append to %s", tp).isEqualTo(end);
                produceSuccesses++;
                appendedThisCase.merge(tp, readableRecords(tp, (MemoryRecords) data.records()), Long::sum);
            }
        }
    }

    private String topicOf(String name, Uuid id) {
        return name != null && !name.isEmpty() ? name : topicNames.getOrDefault(id, String.valueOf(id));
    }

    /**
     * The records of a batch the node took, as kafka-clients reads them; fails when it cannot (a batch
     * whose CRC is valid but whose records lie, which every consumer would then fail on).
     */
    private long readableRecords(TopicPartition tp, MemoryRecords records) {
        long count = 0;
        if (records == null) {
            return 0;
        }
        try {
            for (RecordBatch batch : records.batches()) {
                batch.ensureValid();
                for (Record record : batch) {
                    record.ensureValid();
                    count++;
                }
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            // kafka-clients sizes a decompressed record's buffer by the length the record claims: a
            // claimed 2 GiB fails the allocation, not the heap
            throw new AssertionError("the node took into " + tp + " a batch kafka-clients cannot read: " + e, e);
        }
        return count;
    }

    private void assertProducedTopicsChangedOnlyByCountedAppends(ProduceRequestData request) throws Exception {
        Map<TopicPartition, Long> ends = endOffsets();
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            TopicPartition tp = e.getKey();
            long expected = expectedEnd.get(tp) + appendedThisCase.getOrDefault(tp, 0L);
            long grew = e.getValue() - expectedEnd.get(tp);
            if (request != null && request.acks() == 0 && grew != 0 && grew == recordsSentTo(request, tp)) {
                expected = e.getValue(); // acks=0: nothing answered, the append is legitimate
            }
            assertThat(e.getValue()).as("end offset of %s (was %d, acknowledged appends %s)", tp, expectedEnd.get(tp),
                    appendedThisCase).isEqualTo(expected);
            expectedEnd.put(tp, expected);
        }
        appendedThisCase.clear();
        Map<TopicPartition, Long> starts = offsets(OffsetSpec.earliest());
        assertThat(starts.values()).as("log start offsets of the produced topics").containsOnly(0L);
    }

    private long recordsSentTo(ProduceRequestData request, TopicPartition tp) {
        long count = 0;
        for (ProduceRequestData.TopicProduceData t : request.topicData()) {
            if (topicOf(t.name(), t.topicId()).equals(tp.topic())) {
                for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                    if (p.index() == tp.partition()) {
                        count += readableRecords(tp, (MemoryRecords) p.records());
                    }
                }
            }
        }
        return count;
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        return offsets(OffsetSpec.latest());
    }

    private Map<TopicPartition, Long> offsets(OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        expectedEnd.keySet().forEach(tp -> request.put(tp, spec));
        var answer = admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> result = new LinkedHashMap<>();
        expectedEnd.keySet().forEach(tp -> result.put(tp, answer.get(tp).offset()));
        return result;
    }

    // ---- health ----

    private void assertNodeAlive() {
        if (!node.isAlive()) {
            throw new AssertionError("the node exited with " + node.exitCode());
        }
    }

    private void sampleRss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + node.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                rssMaxKib = Math.max(rssMaxKib, kib);
                assertThat(kib).as("RSS of the node in KiB").isLessThan(RSS_BOUND_MIB * 1024L);
            }
        }
    }

    /** A Java producer and consumer round trip, the produced topics' offsets and a Metadata answer. */
    private void checkpoint() throws Exception {
        assertNodeAlive();
        String value = "canary-" + System.nanoTime();
        long offset;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
                "delivery.timeout.ms", 30_000, "request.timeout.ms", 10_000), new StringSerializer(), new StringSerializer())) {
            offset = producer.send(new ProducerRecord<>(CANARY, 0, "k", value)).get(30, TimeUnit.SECONDS).offset();
        }
        TopicPartition tp = new TopicPartition(CANARY, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            List<String> read = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (read.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
            }
            assertThat(read).as("canary round trip").startsWith(value);
        }
        MetadataResponse metadata = (MetadataResponse) probe.roundTrip(new MetadataRequest(
                new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(false), (short) 12));
        assertThat(metadata.brokers()).hasSize(1);
        assertThat(endOffsets()).as("end offsets of the produced topics").isEqualTo(expectedEnd);
        sampleRss();
    }

    private void readEveryProducedPartitionWithTheJavaConsumer() {
        Map<TopicPartition, List<ConsumerRecord<String, String>>> read = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "max.partition.fetch.bytes", 1 << 20), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(expectedEnd.keySet());
            consumer.seekToBeginning(expectedEnd.keySet());
            long deadline = System.currentTimeMillis() + 60_000;
            while (!expectedEnd.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())
                    && System.currentTimeMillis() < deadline) {
                // a record kafka-clients cannot read makes this poll throw
                consumer.poll(Duration.ofMillis(200)).forEach(r -> read.computeIfAbsent(
                        new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r));
            }
        }
        expectedEnd.forEach((tp, end) -> {
            List<ConsumerRecord<String, String>> records = read.getOrDefault(tp, List.of());
            assertThat((long) records.size()).as("records read from %s", tp).isEqualTo(end);
            for (int i = 0; i < BASELINE_PER_PARTITION; i++) {
                assertThat(records.get(i).value()).isEqualTo(baselineValue(tp.topic(), tp.partition(), i));
            }
        });
    }

    private void readEveryProducedPartitionWithKcat() {
        String kcat = Tools.requireKcat().toString();
        expectedEnd.forEach((tp, end) -> {
            ChildProcess.Result result = ChildProcess.of(kcat, "-b", bootstrap, "-C", "-t", tp.topic(),
                    "-p", Integer.toString(tp.partition()), "-o", "beginning", "-e", "-q", "-f", "%o\\n")
                    .timeout(Duration.ofSeconds(60)).run().assertSuccess();
            assertThat((long) result.stdoutLines().size()).as("records kcat read from %s", tp).isEqualTo(end);
        });
    }

    /** What the node's JVM says of its heap (jcmd GC.heap_info), for the run's summary. */
    private String heapInfo() {
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            return ChildProcess.of(jcmd, Long.toString(node.pid()), "GC.heap_info").timeout(Duration.ofSeconds(30))
                    .run().stdoutLines().stream().skip(1).map(String::strip).reduce((a, b) -> a + " | " + b).orElse("");
        } catch (RuntimeException | AssertionError e) {
            return "unavailable: " + e;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 2_000 ? s.substring(0, 2_000) + "...(" + s.length() + " chars)" : s;
    }

    private String nodeState() {
        StringBuilder state = new StringBuilder("node alive=" + node.isAlive() + " exit=" + node.exitCode()
                + " rss-max=" + rssMaxKib + " KiB");
        Path errors = node.outputFile().resolveSibling(node.outputFile().getFileName() + ".err");
        try {
            List<String> lines = Files.readAllLines(errors, StandardCharsets.UTF_8);
            state.append("\nlast lines of ").append(errors).append(":\n")
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
        } catch (IOException | RuntimeException e) {
            state.append(" (no log: ").append(e).append(')');
        }
        return state.toString();
    }
}
