package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strand.testkit.LogAudit;
import io.strand.testkit.ProducerLoad;
import io.strand.testkit.SendLog;
import io.strand.testkit.StrandProcess;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker JVM killed with SIGKILL while producers send to it, then restarted on the same data, again
 * and again; and a segment whose tail was torn or overwritten recovers to its last whole batch.
 *
 * <p>Under load: three Java producers (idempotent with acks=all; acks=1 without idempotence, one
 * request in flight; acks=all without idempotence or retries) send without pause over the
 * partitions of one topic, each send's outcome recorded from its callback ({@link SendLog}). Each
 * kill comes once some thousand more sends were acknowledged since the last restart and every
 * producer has produce requests on the wire; the producers are built once and ride out the restarts.
 * A full read of the topic at the end, by the Java consumer and by kcat, is checked by
 * {@link LogAudit}: every acknowledged record at its acknowledged offset, no idempotent record
 * twice, each producer's order kept, and the log readable to its end.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CrashRecoveryIT {

    private static final String TOPIC = "crash";
    private static final String LOAD_TOPIC = "crash-load";
    private static final int LOAD_PARTITIONS = 5;
    private static final int KILLS = 3;
    /** Acknowledgements since the last restart before the next kill. */
    private static final int ACKS_PER_ROUND = 4_000;
    private static final int MAX_PENDING_SENDS = 2_000;
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path workDir;
    private StrandProcess broker;
    private KillableBroker killable;
    private final List<ProducerLoad> loads = new ArrayList<>();

    @AfterEach
    void stop() {
        loads.forEach(ProducerLoad::close);
        if (killable != null) {
            killable.close();
        }
        if (broker != null) {
            broker.close();
        }
        ChildProcess.killLeftovers();
    }

    @Test
    void everyAcknowledgedRecordSurvivesKillsWithProducesInFlight() throws Exception {
        // Without kcat (off CI) the Java consumer's read is still worth the kills.
        Optional<Path> kcat = Tools.kcatIfPresent();
        killable = KillableBroker.start(workDir.resolve("data"), Map.of());
        String bootstrap = killable.bootstrapServers();
        Topics.create(bootstrap, LOAD_TOPIC, LOAD_PARTITIONS);
        loads.add(ProducerLoad.start("idempotent-acks-all", bootstrap, LOAD_TOPIC, LOAD_PARTITIONS, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5), MAX_PENDING_SENDS,
                ProducerLoad.UNPACED));
        // one request at a time keeps the order of its retried batches
        loads.add(ProducerLoad.start("acks-1", bootstrap, LOAD_TOPIC, LOAD_PARTITIONS, Map.of(
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1), MAX_PENDING_SENDS,
                ProducerLoad.UNPACED));
        // no retries: what was on the wire at a kill fails, and may or may not be in the log
        loads.add(ProducerLoad.start("acks-all-no-retries", bootstrap, LOAD_TOPIC, LOAD_PARTITIONS, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5), MAX_PENDING_SENDS,
                ProducerLoad.UNPACED));

        List<String> kills = new ArrayList<>();
        long pendingAtKills = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            awaitAcksWithRequestsInFlight("kill " + kill);
            Map<String, List<Long>> pendingBefore = new HashMap<>();
            loads.forEach(load -> pendingBefore.put(load.log.producer, load.log.pendingSeqs()));
            long killedAtMs = System.currentTimeMillis();
            killable.kill();
            long pending = pendingBefore.values().stream().mapToLong(List::size).sum();
            pendingAtKills += pending;
            killable.restart();
            kills.add("kill " + kill + ": " + pending + " sends pending " + pendingBefore.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue().size()).sorted().toList()
                    + ", down and restarted in " + (System.currentTimeMillis() - killedAtMs) + " ms");
        }
        // the producers go on against the last restart
        awaitAcksWithRequestsInFlight("after the last restart");
        for (ProducerLoad load : loads) {
            load.stop();
        }

        List<SendLog> logs = loads.stream().map(load -> load.log).toList();
        for (SendLog log : logs) {
            assertThat(log.pending()).as("pending sends of %s after flush", log).isZero();
        }
        SendLog idempotent = logs.get(0);
        assertThat(idempotent.failed()).as("failed sends of %s, first: %s", idempotent, firstError(idempotent))
                .isZero();
        assertThat(pendingAtKills).as("sends pending at the kills").isPositive();

        LogAudit audit = LogAudit.readWithJavaConsumer(bootstrap, LOAD_TOPIC, LOAD_PARTITIONS, Duration.ofSeconds(60));
        audit.check(logs);
        long acked = logs.stream().mapToLong(SendLog::acked).sum();
        assertThat(audit.records()).isGreaterThanOrEqualTo((int) acked);
        for (int partition = 0; kcat.isPresent() && partition < LOAD_PARTITIONS; partition++) {
            List<String> byKcat = ChildProcess.of(kcat.get().toString(), "-b", bootstrap, "-C", "-t", LOAD_TOPIC,
                    "-p", Integer.toString(partition), "-o", "beginning", "-e", "-q", "-f", "%o|%s\\n")
                    .timeout(Duration.ofSeconds(60)).run().assertSuccess().stdoutLines();
            assertThat(byKcat).as("partition %d read by kcat", partition).isEqualTo(audit.lines(partition));
        }
        System.out.printf("%s: %s; %d records in the log, %d duplicates from producers without idempotence%n",
                getClass().getSimpleName(), String.join("; ", kills), audit.records(), audit.duplicates());
        logs.forEach(log -> System.out.println("  " + log));
    }

    /**
     * Waits until {@link #ACKS_PER_ROUND} more sends were acknowledged and every producer has produce
     * requests on the wire, so that the kill that follows hits requests in flight, not an idle broker.
     */
    private void awaitAcksWithRequestsInFlight(String what) {
        long ackedBefore = loads.stream().mapToLong(load -> load.log.acked()).sum();
        await(what + ": " + ACKS_PER_ROUND + " more acknowledgements, every producer with requests in flight")
                .atMost(ROUND_TIMEOUT).pollInterval(Duration.ofMillis(2))
                .until(() -> loads.stream().mapToLong(load -> load.log.acked()).sum() >= ackedBefore + ACKS_PER_ROUND
                        && loads.stream().allMatch(load -> load.requestsInFlight() > 0));
    }

    private static String firstError(SendLog log) {
        return log.sends().stream().filter(send -> send.error() != null).findFirst()
                .map(send -> send.value + ": " + send.error()).orElse("none");
    }

    @Test
    void tornAndOverwrittenTailsRecoverToTheLastWholeBatch() throws Exception {
        Path data = workDir.resolve("data");
        broker = StrandProcess.start(data, Map.of());
        createTopic(broker.bootstrapServers());
        try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + i)).get(); // one batch per record
            }
        }
        broker.kill9();
        Path segment = data.resolve(TOPIC + "-0").resolve("00000000000000000000.log");
        long size = Files.size(segment);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.setLength(size - 10); // cut into the last batch
        }
        broker = broker.restart();
        List<ConsumerRecord<String, String>> records = readAll(broker.bootstrapServers());
        assertThat(records).hasSize(99);
        assertThat(records.get(98).value()).isEqualTo("v98");

        // Now garbage over the tail: the last batches' bytes replaced by noise.
        try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "after-restart")).get();
        }
        broker.kill9();
        long grown = Files.size(segment);
        byte[] noise = new byte[200];
        new Random(7).nextBytes(noise);
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.seek(grown - 150);
            file.write(noise);
        }
        broker = broker.restart();
        List<ConsumerRecord<String, String>> after = readAll(broker.bootstrapServers());
        assertThat(after.size()).isBetween(90, 99);
        for (int i = 0; i < after.size(); i++) {
            assertThat(after.get(i).offset()).isEqualTo(i);
            assertThat(after.get(i).value()).isEqualTo("v" + i);
        }
        // The recovered log takes new writes at its end.
        try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
            long offset = producer.send(new ProducerRecord<>(TOPIC, 0, "k", "fresh")).get().offset();
            assertThat(offset).isEqualTo(after.size());
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "delivery.timeout.ms", "20000", "request.timeout.ms", "5000", "linger.ms", "1"),
                new StringSerializer(), new StringSerializer());
    }

    private static void createTopic(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(String bootstrap) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "max.poll.records", "5000"), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 60_000;
            while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
