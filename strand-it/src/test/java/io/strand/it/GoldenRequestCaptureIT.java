package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strand.testkit.StrandNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-captures the golden request fixtures under {@code src/test/resources/requests} that
 * {@link RequestFuzzIT} mutates. Not part of {@code mvn verify}: it runs only when
 * {@code -Dstrand.capture.dir=<dir>} names where to write, e.g.
 *
 * <pre>
 * mvn -pl strand-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=GoldenRequestCaptureIT -Dstrand.capture.dir=$PWD/strand-it/src/test/resources/requests
 * </pre>
 *
 * A node advertises the port of a {@link CapturingProxy}, so every connection of every client goes
 * through it; the Java client (producer with each codec, idempotent and not; classic and KIP-848
 * consumer groups; admin), kcat (librdkafka) and kafkajs then run their usual work. For each client,
 * API, version and variant (a produce request's codec and idempotence) the largest frame is kept.
 * The topics' ids go to {@code topics.tsv}, so that the fuzzer can point the captured ids at the
 * topics it creates.
 */
@EnabledIfSystemProperty(named = GoldenRequestCaptureIT.DIR_PROPERTY, matches = ".+")
class GoldenRequestCaptureIT {

    static final String DIR_PROPERTY = "strand.capture.dir";
    /** Larger frames (a Fetch response is not captured, but a big Metadata request would be) are left out. */
    private static final int MAX_FIXTURE_BYTES = 16 * 1024;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(45);
    private static final Path JS = Path.of(System.getProperty("strand.it.jsDir", "src/test/js"));
    private static final String KCAT = "/usr/bin/kcat";
    static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    @TempDir
    Path dataDir;

    @Test
    void captureRequestsOfEveryClient() throws Exception {
        // the kafka-reference execution runs every selected class; the fixtures come from clients talking to Strand
        assumeThat(BrokerUnderTest.selected()).isEqualTo(BrokerUnderTest.Kind.STRAND);
        Path out = Path.of(System.getProperty(DIR_PROPERTY));
        int proxyPort = freePort();
        try (StrandNode node = StrandNode.start(dataDir, Map.of(
                "advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxyPort,
                "auto.create.topics.enable", "false"));
             CapturingProxy proxy = new CapturingProxy(proxyPort, brokerAddress(node))) {
            String bootstrap = "127.0.0.1:" + proxyPort;
            Map<String, String> topicIds = new LinkedHashMap<>();
            proxy.label("java");
            javaAdmin(bootstrap, topicIds);
            javaProducers(bootstrap);
            javaConsumers(bootstrap);
            proxy.label("kcat");
            kcat(bootstrap);
            proxy.label("kafkajs");
            kafkajs(bootstrap);
            proxy.label("java");
            try (Admin admin = admin(bootstrap)) {
                admin.describeTopics(FuzzTopics.ALL.keySet().stream().filter(t -> !t.equals(FuzzTopics.DOOMED)).toList())
                        .allTopicNames().get().forEach(
                        (name, description) -> topicIds.putIfAbsent(name, description.topicId().toString()));
            }
            writeFixtures(out, proxy.frames(), topicIds);
        }
    }

    private static void javaAdmin(String bootstrap, Map<String, String> topicIds) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            List<NewTopic> topics = new ArrayList<>();
            FuzzTopics.ALL.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
            admin.createTopics(topics).all().get();
            admin.describeCluster().nodes().get();
            admin.listTopics().names().get();
            ConfigResource config = new ConfigResource(ConfigResource.Type.TOPIC, FuzzTopics.ADMIN);
            admin.describeConfigs(List.of(config)).all().get();
            admin.incrementalAlterConfigs(Map.of(config, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)))).all().get();
            admin.createPartitions(Map.of(FuzzTopics.ADMIN, NewPartitions.increaseTo(2))).all().get();
            topicIds.put(FuzzTopics.DOOMED, admin.describeTopics(List.of(FuzzTopics.DOOMED)).allTopicNames().get()
                    .get(FuzzTopics.DOOMED).topicId().toString());
            admin.deleteTopics(List.of(FuzzTopics.DOOMED)).all().get();
        }
    }

    /** Admin calls that need records or groups to exist, made after the producers and consumers ran. */
    private static void javaAdminOnData(String bootstrap) {
        try (Admin admin = admin(bootstrap)) {
            TopicPartition adminPartition = new TopicPartition(FuzzTopics.ADMIN, 0);
            quietly(() -> admin.listOffsets(Map.of(new TopicPartition(FuzzTopics.JAVA, 0), OffsetSpec.latest(),
                    new TopicPartition(FuzzTopics.JAVA, 1), OffsetSpec.earliest())).all().get());
            quietly(() -> admin.listOffsets(Map.of(new TopicPartition(FuzzTopics.JAVA, 0), OffsetSpec.maxTimestamp()))
                    .all().get());
            quietly(() -> admin.deleteRecords(Map.of(adminPartition, RecordsToDelete.beforeOffset(1))).all().get());
            quietly(() -> admin.describeLogDirs(List.of(1)).allDescriptions().get());
            quietly(() -> admin.listGroups().all().get());
            quietly(() -> admin.describeConsumerGroups(List.of("golden-classic", "golden-consumer")).all().get());
            quietly(() -> admin.listConsumerGroupOffsets("golden-classic").partitionsToOffsetAndMetadata().get());
            quietly(() -> admin.describeProducers(List.of(new TopicPartition(FuzzTopics.JAVA, 0))).all().get());
            quietly(() -> admin.describeTopics(List.of(FuzzTopics.JAVA)).allTopicNames().get());
        }
    }

    private static void javaProducers(String bootstrap) throws Exception {
        for (String codec : CODECS) {
            for (boolean idempotent : List.of(true, false)) {
                Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", bootstrap,
                        "compression.type", codec, "enable.idempotence", idempotent,
                        "acks", idempotent ? "all" : "1", "linger.ms", 20));
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(config,
                        new StringSerializer(), new StringSerializer())) {
                    List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        ProducerRecord<String, String> record = new ProducerRecord<>(FuzzTopics.JAVA, i % 2,
                                "key-" + i, "value-" + codec + "-" + i);
                        record.headers().add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                        sends.add(producer.send(record));
                    }
                    for (var send : sends) {
                        send.get(30, TimeUnit.SECONDS);
                    }
                }
            }
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(FuzzTopics.ADMIN, 0, "k", "to-be-deleted")).get();
            producer.send(new ProducerRecord<>(FuzzTopics.ADMIN, 0, "k", "kept")).get();
        }
    }

    private static void javaConsumers(String bootstrap) {
        for (String protocol : List.of("classic", "consumer")) {
            Properties config = new Properties();
            config.put("bootstrap.servers", bootstrap);
            config.put("group.id", "golden-" + protocol);
            config.put("group.protocol", protocol);
            config.put("auto.offset.reset", "earliest");
            config.put("enable.auto.commit", "false");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config,
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(FuzzTopics.JAVA));
                List<ConsumerRecord<String, String>> records = new ArrayList<>();
                long deadline = System.currentTimeMillis() + 30_000;
                while (records.size() < 6 && System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                }
                assertThat(records).as("records read by the %s group", protocol).isNotEmpty();
                consumer.commitSync();
                consumer.committed(consumer.assignment());
            }
        }
        // A position with a leader epoch makes the consumer validate it with OffsetsForLeaderEpoch.
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(FuzzTopics.JAVA, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, new OffsetAndMetadata(1, Optional.of(0), ""));
            consumer.poll(Duration.ofSeconds(2));
            consumer.offsetsForTimes(Map.of(tp, 0L));
        }
        javaAdminOnData(bootstrap);
    }

    private static void kcat(String bootstrap) {
        Tools.requireExecutable(Path.of(KCAT), "apt package kcat");
        for (String codec : CODECS) {
            // librdkafka sends a batch uncompressed when compressing does not make it smaller
            String value = (codec + "-").repeat(20);
            String records = "k1:" + value + "1\nk2:" + value + "2\n";
            ChildProcess.of(KCAT, "-b", bootstrap, "-P", "-t", FuzzTopics.KCAT, "-p", "0", "-K", ":", "-z", codec,
                    "-X", "linger.ms=20").stdin(records).timeout(SCRIPT_TIMEOUT).run().assertSuccess();
        }
        ChildProcess.of(KCAT, "-b", bootstrap, "-P", "-t", FuzzTopics.KCAT, "-p", "0", "-K", ":",
                "-X", "enable.idempotence=true").stdin("k:idempotent\n").timeout(SCRIPT_TIMEOUT).run().assertSuccess();
        ChildProcess.of(KCAT, "-b", bootstrap, "-L").timeout(SCRIPT_TIMEOUT).run().assertSuccess();
        ChildProcess.of(KCAT, "-b", bootstrap, "-C", "-t", FuzzTopics.KCAT, "-o", "beginning", "-e", "-c", "3")
                .timeout(SCRIPT_TIMEOUT).run().assertSuccess();
        ChildProcess.of(KCAT, "-b", bootstrap, "-G", "golden-kcat", FuzzTopics.KCAT, "-o", "beginning", "-c", "4",
                "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100")
                .timeout(SCRIPT_TIMEOUT).run().assertSuccess();
        ChildProcess.of(KCAT, "-b", bootstrap, "-Q", "-t", FuzzTopics.KCAT + ":0:0")
                .timeout(SCRIPT_TIMEOUT).run().assertSuccess();
    }

    private static void kafkajs(String bootstrap) {
        Tools.require(Files.exists(JS.resolve("node_modules/kafkajs/package.json")),
                "kafkajs is missing; run npm ci --prefix strand-it/src/test/js");
        node("admin.js", bootstrap, "create", FuzzTopics.KAFKAJS + "-extra", "1");
        node("admin.js", bootstrap, "metadata", FuzzTopics.KAFKAJS);
        node("admin.js", bootstrap, "list");
        node("produce.js", bootstrap, FuzzTopics.KAFKAJS, "0", "3", "none");
        node("produce.js", bootstrap, FuzzTopics.KAFKAJS, "0", "3", "gzip");
        node("admin.js", bootstrap, "offsets", FuzzTopics.KAFKAJS);
        node("fetch.js", bootstrap, FuzzTopics.KAFKAJS, "0", "0", "3");
        node("consume-group.js", bootstrap, FuzzTopics.KAFKAJS, "golden-kafkajs", "6");
    }

    private static void node(String script, String... args) {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        ChildProcess.of(command).workDir(JS).timeout(SCRIPT_TIMEOUT).run().assertSuccess();
    }

    private static void writeFixtures(Path out, List<CapturingProxy.Frame> frames, Map<String, String> topicIds)
            throws IOException {
        Map<String, CapturingProxy.Frame> largest = new TreeMap<>();
        for (CapturingProxy.Frame frame : frames) {
            if (frame.bytes().length > MAX_FIXTURE_BYTES || !ApiKeys.hasId(frame.apiKey())) {
                continue;
            }
            String name = frame.label() + "/" + fileName(frame);
            CapturingProxy.Frame kept = largest.get(name);
            if (kept == null || kept.bytes().length < frame.bytes().length) {
                largest.put(name, frame);
            }
        }
        if (Files.exists(out)) {
            try (Stream<Path> old = Files.walk(out)) {
                for (Path p : old.filter(p -> p.toString().endsWith(".bin")).toList()) {
                    Files.delete(p);
                }
            }
        }
        StringBuilder manifest = new StringBuilder("# file\tclient\tapi\tversion\tbytes\n");
        for (var entry : largest.entrySet()) {
            Path file = out.resolve(entry.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, entry.getValue().bytes());
            CapturingProxy.Frame frame = entry.getValue();
            manifest.append(entry.getKey()).append('\t').append(frame.label()).append('\t')
                    .append(ApiKeys.forId(frame.apiKey()).name).append('\t').append(frame.apiVersion()).append('\t')
                    .append(frame.bytes().length).append('\n');
        }
        Files.writeString(out.resolve("manifest.tsv"), manifest.toString());
        StringBuilder topics = new StringBuilder("# topic\tpartitions at capture\ttopic id at capture\n");
        topicIds.forEach((name, id) -> topics.append(name).append('\t')
                .append(FuzzTopics.ALL.getOrDefault(name, 1)).append('\t').append(id).append('\n'));
        Files.writeString(out.resolve("topics.tsv"), topics.toString());
    }

    /** {@code <key>-<ApiName>-v<version>[-<codec>][-idempotent]}.bin */
    static String fileName(CapturingProxy.Frame frame) {
        ApiKeys api = ApiKeys.forId(frame.apiKey());
        StringBuilder name = new StringBuilder(String.format("%02d-%s-v%d", api.id, api.name, frame.apiVersion()));
        if (api == ApiKeys.PRODUCE) {
            ByteBuffer buffer = ByteBuffer.wrap(frame.bytes());
            RequestHeader.parse(buffer);
            ProduceRequestData data = new ProduceRequestData(new ByteBufferAccessor(buffer), frame.apiVersion());
            data.topicData().stream().flatMap(t -> t.partitionData().stream())
                    .map(p -> (MemoryRecords) p.records()).filter(r -> r != null && r.sizeInBytes() > 0)
                    .findFirst().ifPresent(records -> {
                        RecordBatch batch = records.batches().iterator().next();
                        name.append('-').append(batch.compressionType().name);
                        if (batch.hasProducerId()) {
                            name.append("-idempotent");
                        }
                    });
        }
        return name.append(".bin").toString();
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap));
    }

    private static InetSocketAddress brokerAddress(StrandNode node) {
        String[] hostPort = node.bootstrapServers().split(":");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** An admin call the node may refuse (an API it does not serve): its request is captured all the same. */
    private static void quietly(ThrowingRunnable call) {
        try {
            call.run();
        } catch (Exception e) {
            // the request went through the proxy; the answer does not matter here
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
