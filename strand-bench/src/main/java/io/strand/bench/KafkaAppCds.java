package io.strand.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * Records an AppCDS archive of Apache Kafka's own, once per benchmark run, so that one extra row can
 * compare Strand's start-up (from the archive {@code ./strand} ships) with Kafka's when Kafka too
 * starts from an archive, recorded the same way. Kafka's scripts ship no such archive: every other row
 * runs Kafka without one.
 *
 * <p>Recording: Kafka starts on fresh storage with {@code -XX:ArchiveClassesAtExit=<archive>} after the
 * shared JVM options; once it answers Metadata, Kafka's Java clients (in the harness's JVM) create a
 * topic, produce {@value #RECORDS} records with acks=all, read them back in a group and commit, as
 * {@code ./strand}'s training run does against Strand, so request paths are archived too. Kafka then
 * gets SIGTERM and writes the archive as its JVM exits. Starting from it:
 * {@code -XX:SharedArchiveFile=<archive> -Xlog:cds=off -Xlog:cds+dynamic=off}.
 *
 * <p>Runs on the harness's main thread; the broker it starts is stopped before {@link #record} returns.
 */
final class KafkaAppCds {

    static final String ARCHIVE_FILE = "kafka-appcds.jsa";
    static final String TOPIC = "appcds-training";
    static final int RECORDS = 200;
    private static final int PARTITIONS = 2;
    private static final long STEP_TIMEOUT_MS = 60_000;
    /** Kafka's controlled shutdown plus writing the archive. */
    private static final long EXIT_GRACE_MS = 120_000;

    private KafkaAppCds() {
    }

    /**
     * Records Kafka's archive into {@code dir} from a start of {@code kafka} logged under {@code logDir};
     * returns the launcher that starts Kafka from it, or empty (with the reason on {@code samples})
     * when recording failed.
     */
    static Optional<KafkaLauncher> record(Time time, KafkaLauncher kafka, Path dir, Path logDir, Samples samples) {
        Path archive = dir.resolve(ARCHIVE_FILE).toAbsolutePath();
        KafkaLauncher recording = kafka.withBrokerJvmOptions(List.of("-XX:ArchiveClassesAtExit=" + archive));
        try {
            Files.deleteIfExists(archive);
            Files.createDirectories(logDir);
            BrokerRun.StartedBroker broker = BrokerRun.start(time, recording, dir, logDir);
            boolean exited;
            try {
                train(time, broker.bootstrap());
            } finally {
                exited = ChildJvm.stop(broker.process(), EXIT_GRACE_MS);
                broker.deleteData();
            }
            if (!exited || !Files.isRegularFile(archive) || Files.size(archive) == 0) {
                throw new IllegalStateException("no archive written exitedOnSigterm=" + exited + " archive=" + archive);
            }
        } catch (IOException | RuntimeException | ExecutionException | TimeoutException e) {
            String reason = "failed (see " + logDir.getFileName() + "/broker.log)";
            samples.note(Metric.STARTUP_KAFKA_APPCDS_MS, BrokerKind.KAFKA, reason);
            samples.warn("Kafka's AppCDS archive could not be recorded, so the row \""
                    + Metric.STARTUP_KAFKA_APPCDS_MS.label() + "\" is empty: " + e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording Kafka's archive", e);
        }
        List<String> useArchive = new ArrayList<>();
        useArchive.add(BrokerLauncher.SHARED_ARCHIVE_OPTION + archive);
        useArchive.addAll(StrandLauncher.ARCHIVE_LOG_OPTIONS);
        return Optional.of(kafka.withBrokerJvmOptions(useArchive));
    }

    /** The client workload Kafka's archive is recorded from; throws when a step fails. */
    private static void train(Time time, String bootstrap) throws ExecutionException, InterruptedException, TimeoutException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all()
                    .get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            produce(bootstrap);
            consume(time, bootstrap);
            admin.describeTopics(List.of(TOPIC)).allTopicNames().get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static void produce(String bootstrap) throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, new byte[Workload.SMALL_RECORD_BYTES])));
            }
            for (Future<?> send : sends) {
                send.get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static void consume(Time time, String bootstrap) throws TimeoutException {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "appcds-training",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadlineMs = time.milliseconds() + STEP_TIMEOUT_MS;
            int read = 0;
            while (read < RECORDS) {
                if (time.milliseconds() > deadlineMs) {
                    throw new TimeoutException("read " + read + " of " + RECORDS + " training records");
                }
                read += consumer.poll(Duration.ofMillis(500)).count();
            }
            consumer.commitSync(Duration.ofMillis(STEP_TIMEOUT_MS));
        }
    }
}
