package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strand.testkit.StrandNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's HTTP API (docs/openapi.yaml) with a plain {@code java.net.http} client against a running
 * node, checked against what Kafka's own Java clients see: REST Proxy v3 shapes for clusters,
 * brokers, topics, configs, partitions, produce and consumer groups, and Strand's extensions (read
 * records, the SSE tail, resetting an empty group's offsets); bad input is a 4xx JSON error and
 * changes nothing.
 */
class RestApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static StrandNode node;
    private static URI http;
    private static Admin admin;
    private static String clusterId;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        http = URI.create("http://127.0.0.1:" + port);
        node = StrandNode.start(dir.resolve("data"), Map.of("strand.http.listener", "http://127.0.0.1:" + port,
                "group.initial.rebalance.delay.ms", "0"));
        admin = Admin.create(Map.of("bootstrap.servers", node.bootstrapServers()));
        clusterId = admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        base = "/v3/clusters/" + clusterId;
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private record Answer(int status, String body, JsonNode json) {
    }

    private static Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(http.resolve(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        boolean isJson = response.headers().firstValue("content-type").orElse("").startsWith("application/json");
        JsonNode json = response.body().isEmpty() || !isJson ? null : JSON.readTree(response.body());
        return new Answer(response.statusCode(), response.body(), json);
    }

    private static Answer get(String path) throws Exception {
        return call("GET", path, null);
    }

    /** A 4xx JSON error in REST Proxy's shape whose message names {@code kafkaError}. */
    private static void assertError(Answer answer, int status, String kafkaError) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.json().get("error_code").asInt()).isEqualTo(status);
        assertThat(answer.json().get("message").asText()).startsWith(kafkaError);
    }

    private static void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(10, TimeUnit.SECONDS);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", node.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        Properties props = new Properties();
        props.put("bootstrap.servers", node.bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<ConsumerRecord<byte[], byte[]>> consumeAll(TopicPartition tp, int count) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(null)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void clustersAndBrokersInRestProxyShapes() throws Exception {
        Answer clusters = get("/v3/clusters");
        assertThat(clusters.status()).isEqualTo(200);
        assertThat(clusters.json().get("kind").asText()).isEqualTo("KafkaClusterList");
        JsonNode cluster = clusters.json().get("data").get(0);
        assertThat(cluster.get("cluster_id").asText()).isEqualTo(clusterId);
        assertThat(cluster.get("metadata").get("self").asText()).isEqualTo(http + base);
        assertThat(cluster.get("topics").get("related").asText()).isEqualTo(http + base + "/topics");

        int brokerId = admin.describeCluster().nodes().get().iterator().next().id();
        Answer one = get(base);
        assertThat(one.json().get("controller_id").asInt()).isEqualTo(brokerId);
        assertThat(one.json().get("controller").get("related").asText()).endsWith("/brokers/" + brokerId);
        Answer brokers = get(base + "/brokers");
        assertThat(brokers.json().get("data")).hasSize(1);
        assertThat(brokers.json().get("data").get(0).get("broker_id").asInt()).isEqualTo(brokerId);
        Answer broker = get(base + "/brokers/" + brokerId);
        assertThat(broker.json().get("kind").asText()).isEqualTo("KafkaBroker");
        assertThat(broker.json().get("port").asInt()).isEqualTo(URI.create("x://" + node.bootstrapServers()).getPort());
        assertError(get(base + "/brokers/999"), 404, "BROKER_NOT_AVAILABLE");
        assertError(get("/v3/clusters/not-this-one/topics"), 404, "CLUSTER_ID_NOT_FOUND");

        Answer openapi = get("/v3/openapi.yaml");
        assertThat(openapi.status()).isEqualTo(200);
        assertThat(openapi.body()).startsWith("openapi: 3").contains("/v3/clusters/{cluster_id}/topics/{topic_name}/records:");
    }

    @Test
    void topicCreatedThroughTheApiIsWhatAdminSeesAndItsConfigsAlter() throws Exception {
        Answer created = call("POST", base + "/topics", """
                {"topic_name":"rest-created","partitions_count":3,"replication_factor":1,
                 "configs":[{"name":"retention.ms","value":"3600000"}]}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("partitions_count").asInt()).isEqualTo(3);
        TopicDescription described = admin.describeTopics(List.of("rest-created")).allTopicNames().get().get("rest-created");
        assertThat(described.partitions()).hasSize(3);
        assertThat(topicConfig("rest-created", "retention.ms")).isEqualTo("3600000");
        assertError(call("POST", base + "/topics", "{\"topic_name\":\"rest-created\"}"), 409, "TOPIC_ALREADY_EXISTS");

        Answer topic = get(base + "/topics/rest-created");
        assertThat(topic.json().get("replication_factor").asInt()).isEqualTo(1);
        assertThat(get(base + "/topics").json().get("data").findValuesAsText("topic_name")).contains("rest-created");

        assertThat(call("PUT", base + "/topics/rest-created/configs/retention.ms", "{\"value\":\"7200000\"}").status()).isEqualTo(204);
        Answer config = get(base + "/topics/rest-created/configs/retention.ms");
        assertThat(config.json().get("value").asText()).isEqualTo("7200000");
        assertThat(config.json().get("source").asText()).isEqualTo("DYNAMIC_TOPIC_CONFIG");
        assertThat(call("POST", base + "/topics/rest-created/configs:alter", """
                {"data":[{"name":"cleanup.policy","value":"compact"},{"name":"retention.ms","operation":"DELETE"}]}""")
                .status()).isEqualTo(204);
        assertThat(topicConfig("rest-created", "cleanup.policy")).isEqualTo("compact");
        assertThat(topicConfig("rest-created", "retention.ms")).isEqualTo("604800000");
        assertThat(get(base + "/topics/rest-created/configs").json().get("data").findValuesAsText("name"))
                .contains("cleanup.policy", "retention.ms", "segment.bytes");
        // A bad value is Kafka's INVALID_CONFIG, and the batch is all or nothing.
        assertError(call("POST", base + "/topics/rest-created/configs:alter", """
                {"data":[{"name":"cleanup.policy","value":"delete"},{"name":"retention.ms","value":"soon"}]}"""),
                400, "INVALID_CONFIG");
        assertThat(topicConfig("rest-created", "cleanup.policy")).isEqualTo("compact");
        assertThat(call("DELETE", base + "/topics/rest-created/configs/cleanup.policy", null).status()).isEqualTo(204);
        assertThat(topicConfig("rest-created", "cleanup.policy")).isEqualTo("delete");

        assertThat(call("DELETE", base + "/topics/rest-created", null).status()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> !admin.listTopics().names().get().contains("rest-created"));
        assertError(get(base + "/topics/rest-created"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
        assertError(call("DELETE", base + "/topics/rest-created", null), 404, "UNKNOWN_TOPIC_OR_PARTITION");
    }

    private static String topicConfig(String topic, String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
        return config.get(name).value();
    }

    @Test
    void recordsFromTheJavaProducerReadThroughTheRecordsEndpoint() throws Exception {
        createTopic("rest-read", 1);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < 5; i++) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("rest-read", 0, 1_000_000L + i,
                        ("k" + i).getBytes(StandardCharsets.UTF_8), i == 4 ? new byte[] {(byte) 0xff, 0, 1}
                        : ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                        List.of(new RecordHeader("trace", ("t" + i).getBytes(StandardCharsets.UTF_8))));
                producer.send(record).get(10, TimeUnit.SECONDS);
            }
        }
        Answer all = get(base + "/topics/rest-read/partitions/0/records?offset=0&max_count=10");
        assertThat(all.status()).as(all.body()).isEqualTo(200);
        JsonNode data = all.json().get("data");
        assertThat(data).hasSize(5);
        assertThat(all.json().get("latest_offset").asLong()).isEqualTo(5);
        assertThat(all.json().get("next_offset").asLong()).isEqualTo(5);
        JsonNode first = data.get(0);
        assertThat(first.get("offset").asLong()).isEqualTo(0);
        assertThat(first.get("timestamp").asLong()).isEqualTo(1_000_000L);
        assertThat(first.get("key").get("text").asText()).isEqualTo("k0");
        assertThat(first.get("value").get("text").asText()).isEqualTo("{\"n\":0}");
        assertThat(first.get("headers").get(0).get("name").asText()).isEqualTo("trace");
        assertThat(first.get("headers").get(0).get("value").get("base64").asText())
                .isEqualTo(Base64.getEncoder().encodeToString("t0".getBytes(StandardCharsets.UTF_8)));
        JsonNode binary = data.get(4).get("value");
        assertThat(binary.has("text")).isFalse();
        assertThat(Base64.getDecoder().decode(binary.get("base64").asText())).containsExactly(0xff, 0, 1);

        Answer page = get(base + "/topics/rest-read/partitions/0/records?offset=2&max_count=2");
        assertThat(page.json().get("data").findValuesAsText("offset")).containsExactly("2", "3");
        assertThat(page.json().get("next_offset").asLong()).isEqualTo(4);
        Answer byTime = get(base + "/topics/rest-read/partitions/0/records?timestamp=1000003");
        assertThat(byTime.json().get("data").findValuesAsText("offset")).containsExactly("3", "4");
        assertThat(get(base + "/topics/rest-read/partitions/0/records?offset=5").json().get("data")).isEmpty();

        Answer partitions = get(base + "/topics/rest-read/partitions");
        JsonNode p0 = partitions.json().get("data").get(0);
        assertThat(p0.get("earliest_offset").asLong()).isEqualTo(0);
        assertThat(p0.get("latest_offset").asLong()).isEqualTo(5);
        int brokerId = admin.describeCluster().nodes().get().iterator().next().id();
        assertThat(p0.get("leader_id").asInt()).isEqualTo(brokerId);
        assertThat(p0.get("isr_ids").get(0).asInt()).isEqualTo(brokerId);
        assertThat(get(base + "/topics/rest-read/partitions/0").json().get("latest_offset").asLong()).isEqualTo(5);
        assertError(get(base + "/topics/rest-read/partitions/1"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
    }

    @Test
    void recordsProducedThroughTheApiAreTheBytesTheJavaConsumerReads() throws Exception {
        createTopic("rest-produce", 2);
        Answer single = call("POST", base + "/topics/rest-produce/records", """
                {"partition_id":1,"key":{"type":"STRING","data":"k1"},"value":{"type":"JSON","data":{"a":[1,true]}}}""");
        assertThat(single.status()).as(single.body()).isEqualTo(200);
        assertThat(single.json().get("error_code").asInt()).isEqualTo(200);
        assertThat(single.json().get("partition_id").asInt()).isEqualTo(1);
        assertThat(single.json().get("offset").asLong()).isEqualTo(0);
        assertThat(single.json().get("value").get("size").asInt()).isEqualTo("{\"a\":[1,true]}".length());

        HttpResponse<String> streamed = client.send(HttpRequest.newBuilder(http.resolve(base + "/topics/rest-produce/records"))
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"partition_id":0,"value":{"type":"BINARY","data":"AP8Q"},"headers":[{"name":"h","value":"aGk="}]}
                        {"partition_id":0,"key":{"type":"JSON","data":7},"value":{"type":"STRING","data":"two"},"timestamp":"2024-01-02T03:04:05Z"}
                        {"partition_id":0,"value":null}""")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        List<JsonNode> answers = new ArrayList<>();
        for (Iterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(streamed.body()); it.hasNext(); ) {
            answers.add(it.next());
        }
        assertThat(answers).extracting(a -> a.get("offset").asLong()).containsExactly(0L, 1L, 2L);
        assertThat(answers).allSatisfy(a -> assertThat(a.get("error_code").asInt()).isEqualTo(200));

        List<ConsumerRecord<byte[], byte[]>> p0 = consumeAll(new TopicPartition("rest-produce", 0), 3);
        assertThat(p0).hasSize(3);
        assertThat(p0.get(0).value()).containsExactly(0, 0xff, 0x10);
        assertThat(p0.get(0).key()).isNull();
        assertThat(p0.get(0).headers().lastHeader("h").value()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(text(p0.get(1).key())).isEqualTo("7");
        assertThat(text(p0.get(1).value())).isEqualTo("two");
        assertThat(p0.get(1).timestamp()).isEqualTo(1704164645000L);
        assertThat(p0.get(2).value()).isNull();
        List<ConsumerRecord<byte[], byte[]>> p1 = consumeAll(new TopicPartition("rest-produce", 1), 1);
        assertThat(text(p1.get(0).key())).isEqualTo("k1");
        assertThat(text(p1.get(0).value())).isEqualTo("{\"a\":[1,true]}");
    }

    @Test
    void badInputIsA4xxJsonErrorAndChangesNothing() throws Exception {
        createTopic("rest-bad", 1);
        String records = base + "/topics/rest-bad/records";
        assertError(call("POST", records, "{\"value\":{\"data\":1}"), 400, "INVALID_REQUEST");
        assertError(call("POST", records, "{\"value\":{\"data\":1}} {\"partition_id\":-1}"), 400, "INVALID_REQUEST");
        assertError(call("POST", records, "{\"value\":{\"type\":\"BINARY\",\"data\":5}}"), 400, "INVALID_REQUEST");
        assertError(call("POST", records, "{\"partition_id\":\"zero\"}"), 400, "INVALID_REQUEST");
        assertError(call("POST", records, "{\"value\":{\"data\":1}} {\"partition_id\":3}"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
        assertError(call("POST", base + "/topics/rest-missing/records", "{\"value\":{\"data\":1}}"), 404,
                "UNKNOWN_TOPIC_OR_PARTITION");
        assertError(get(base + "/topics/rest-missing"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
        assertError(get(base + "/topics/rest-missing/partitions/0/records"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
        assertError(get(base + "/topics/rest-bad/partitions/-1"), 400, "INVALID_REQUEST");
        assertError(get(base + "/topics/rest-bad/partitions/0/records?offset=abc"), 400, "INVALID_REQUEST");
        assertError(get(base + "/topics/rest-bad/partitions/0/records?max_count=0"), 400, "INVALID_REQUEST");
        assertError(call("POST", base + "/topics", "{\"topic_name\":\"rest-typed\",\"partitions_count\":\"three\"}"), 400,
                "INVALID_REQUEST");
        assertError(call("POST", base + "/topics", "{\"topic_name\":\"rest bad name\"}"), 400, "INVALID_TOPIC_EXCEPTION");
        assertError(call("PUT", base + "/topics/rest-bad/configs/retention.ms", "{\"value\":42}"), 400, "INVALID_REQUEST");
        assertThat(oversizedBodyStatusLine(records)).startsWith("HTTP/1.1 413");
        // What another web site could make a browser send: a text/plain form post, or JSON from another origin.
        HttpResponse<String> plainText = client.send(HttpRequest.newBuilder(http.resolve(base + "/topics"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic_name\":\"rest-cross-site\"}"))
                .header("Content-Type", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(plainText.statusCode()).isEqualTo(415);
        HttpResponse<String> otherOrigin = client.send(HttpRequest.newBuilder(http.resolve(base + "/topics"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic_name\":\"rest-cross-site\"}"))
                .header("Content-Type", "application/json").header("Origin", "https://elsewhere.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(otherOrigin.statusCode()).isEqualTo(403);

        assertThat(admin.listTopics().names().get()).doesNotContain("rest-missing", "rest-typed", "rest bad name",
                "rest-cross-site");
        Answer partition = get(base + "/topics/rest-bad/partitions/0");
        assertThat(partition.json().get("latest_offset").asLong()).isEqualTo(0);
        assertThat(topicConfig("rest-bad", "retention.ms")).isEqualTo("604800000");
    }

    /** Announces a body over the 8 MiB limit and reads the answer: the listener refuses it before reading it. */
    private static String oversizedBodyStatusLine(String path) throws Exception {
        try (Socket socket = new Socket(http.getHost(), http.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + (9 * 1024 * 1024) + "\r\n\r\n{\"value\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                answer.write(buffer, 0, n);
            }
            String text = answer.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("\"error_code\":413");
            return text;
        }
    }

    @Test
    void groupLagFollowsTheConsumerAndOffsetsResetOnlyWhenTheGroupIsEmpty() throws Exception {
        createTopic("rest-lag", 1);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("rest-lag", ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        TopicPartition tp = new TopicPartition("rest-lag", 0);
        String group = base + "/consumer-groups/rest-group";
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("rest-group")) {
            consumer.subscribe(List.of("rest-lag"));
            await().atMost(Duration.ofSeconds(15)).until(() -> !consumer.poll(Duration.ofMillis(100)).isEmpty());
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(4)));
            Answer lags = get(group + "/lags");
            assertThat(lags.status()).as(lags.body()).isEqualTo(200);
            JsonNode lag = lags.json().get("data").get(0);
            assertThat(lag.get("current_offset").asLong()).isEqualTo(4);
            assertThat(lag.get("log_end_offset").asLong()).isEqualTo(10);
            assertThat(lag.get("lag").asLong()).isEqualTo(6);
            assertThat(lag.get("consumer_id").asText()).isNotEmpty();
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(9)));
            Answer summary = get(group + "/lag-summary");
            assertThat(summary.json().get("total_lag").asLong()).isEqualTo(1);
            assertThat(summary.json().get("max_lag_topic_name").asText()).isEqualTo("rest-lag");

            Answer described = get(group);
            assertThat(described.json().get("state").asText()).isEqualTo("STABLE");
            assertThat(described.json().get("coordinator_id").asInt()).isGreaterThanOrEqualTo(0);
            Answer consumers = get(group + "/consumers");
            JsonNode member = consumers.json().get("data").get(0);
            assertThat(member.get("assignments").get("data").get(0).get("topic_name").asText()).isEqualTo("rest-lag");
            assertThat(get(base + "/consumer-groups").json().get("data").findValuesAsText("consumer_group_id"))
                    .contains("rest-group");

            assertError(call("POST", group + "/offsets:reset", "{\"to\":\"EARLIEST\"}"), 409, "NON_EMPTY_GROUP");
            assertThat(committed("rest-group", tp)).isEqualTo(9);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> get(group).json().get("state").asText().equals("EMPTY"));
        Answer reset = call("POST", group + "/offsets:reset", "{\"to\":\"EARLIEST\"}");
        assertThat(reset.status()).as(reset.body()).isEqualTo(200);
        assertThat(committed("rest-group", tp)).isEqualTo(0);
        assertThat(get(group + "/lag-summary").json().get("total_lag").asLong()).isEqualTo(10);
        call("POST", group + "/offsets:reset", "{\"to\":\"OFFSET\",\"offset\":7,\"topic_name\":\"rest-lag\",\"partitions\":[0]}");
        assertThat(committed("rest-group", tp)).isEqualTo(7);
        call("POST", group + "/offsets:reset", "{\"to\":\"LATEST\",\"topic_name\":\"rest-lag\"}");
        assertThat(committed("rest-group", tp)).isEqualTo(10);
        assertError(call("POST", group + "/offsets:reset", "{\"to\":\"SOMEWHERE\"}"), 400, "INVALID_REQUEST");
        assertError(get(base + "/consumer-groups/rest-no-such-group"), 404, "GROUP_ID_NOT_FOUND");
    }

    private static long committed(String group, TopicPartition tp) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).get(tp).offset();
    }

    @Test
    void liveTailSendsARecordProducedAfterItOpenedAndEndsWhenTheClientLeaves() throws Exception {
        createTopic("rest-tail", 2);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>("rest-tail", 0, null, "before".getBytes(StandardCharsets.UTF_8))).get();
            HttpResponse<Stream<String>> response = client.send(HttpRequest.newBuilder(http.resolve(base + "/topics/rest-tail/tail"))
                    .build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            producer.send(new ProducerRecord<>("rest-tail", 1, "k".getBytes(StandardCharsets.UTF_8),
                    "after".getBytes(StandardCharsets.UTF_8))).get();
            CompletableFuture<List<String>> event = CompletableFuture.supplyAsync(() -> {
                List<String> lines = new ArrayList<>();
                Iterator<String> it = response.body().iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    if (line.isEmpty() && lines.stream().anyMatch(l -> l.startsWith("data:"))) {
                        return lines;
                    }
                    if (!line.isEmpty()) {
                        lines.add(line);
                    }
                }
                return lines;
            });
            List<String> lines = event.get(15, TimeUnit.SECONDS);
            assertThat(lines).contains("event: record", "id: 1:0");
            JsonNode record = JSON.readTree(lines.stream().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow()
                    .substring("data: ".length()));
            assertThat(record.get("value").get("text").asText()).isEqualTo("after");
            assertThat(record.get("key").get("text").asText()).isEqualTo("k");
            response.body().close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().entrySet().stream()
                .noneMatch(e -> e.getKey().getName().startsWith("strand-rest-tail") && Set.of(e.getValue()).stream()
                        .flatMap(Stream::of).anyMatch(f -> f.getClassName().endsWith("TailResource"))));
    }
}
