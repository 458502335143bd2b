package io.strand.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * Share-group consume (KIP-932), Kafka's Java clients in this JVM: {@code records} records of
 * {@value #RECORD_BYTES} bytes are produced to a one-partition topic (acks=1, the producer's defaults
 * otherwise), the share group is set to {@code share.auto.offset.reset=earliest} (a group config,
 * through the Admin client), then {@value #CONSUMERS} {@link KafkaShareConsumer}s in that group, each on
 * its own thread, poll in implicit acknowledgement mode (every record a poll returned is accepted by the
 * next poll) until every offset has been delivered, then accept their last poll's records
 * ({@code commitSync}) and close. Measured from the consumers' creation (their join
 * included) to the poll that delivered the last missing offset; the broker's CPU from
 * {@code /proc/<pid>/stat} over the same span. Records delivered twice (redeliveries) are counted once.
 *
 * <p>Runs on the calling thread plus one thread per consumer; everything is closed before
 * {@link #run} returns.
 */
final class ShareConsume {

    static final String TOPIC = "bench-share-1kib";
    static final String GROUP = "strand-bench-share";
    static final int CONSUMERS = 3;
    static final int RECORD_BYTES = Workload.LARGE_RECORD_BYTES;
    private static final long ADMIN_TIMEOUT_MS = 60_000;
    private static final double BYTES_PER_MIB = 1024.0 * 1024.0;
    private static final double BYTES_PER_GB = 1e9;

    /**
     * What one run measured.
     *
     * @param records          distinct records delivered (every one produced, unless it timed out)
     * @param deliveries       records delivered, redeliveries included
     * @param elapsedNs        from the consumers' creation to the last missing record's delivery
     * @param firstRecordNs    from the consumers' creation to the first record's delivery (the group join)
     * @param brokerCpuSeconds the broker's CPU over the whole span
     */
    record Result(long records, long deliveries, long elapsedNs, long firstRecordNs, double brokerCpuSeconds) {

        double recordsPerSec() {
            return records / (elapsedNs / 1e9);
        }

        /** Records per second from the first record's delivery to the last's. */
        double fetchingRecordsPerSec() {
            return records / ((elapsedNs - firstRecordNs) / 1e9);
        }

        /** Mebibytes of record values per second, as kafka-tools' "MB/sec". */
        double mbPerSec() {
            return records * (double) RECORD_BYTES / BYTES_PER_MIB / (elapsedNs / 1e9);
        }

        double cpuSecondsPerGb() {
            return brokerCpuSeconds / (records * (double) RECORD_BYTES / BYTES_PER_GB);
        }
    }

    private final Time time;
    private final String bootstrap;
    private final long brokerPid;
    private final long records;
    private final long timeoutMs;

    ShareConsume(Time time, String bootstrap, long brokerPid, long records, long timeoutMs) {
        this.time = time;
        this.bootstrap = bootstrap;
        this.brokerPid = brokerPid;
        this.records = records;
        this.timeoutMs = timeoutMs;
    }

    /** Runs the workload and records its figures for {@code broker}; a failure notes it in the cells instead. */
    static void measure(ShareConsume consume, Samples samples, BrokerKind broker) {
        try {
            Result result = consume.run();
            samples.record(Metric.SHARE_CONSUME_RECORDS_PER_SEC, broker, result.recordsPerSec());
            samples.record(Metric.SHARE_CONSUME_MB_PER_SEC, broker, result.mbPerSec());
            samples.record(Metric.SHARE_CONSUME_CPU_S_PER_GB, broker, result.cpuSecondsPerGb());
            samples.record(Metric.SHARE_CONSUME_FETCHING_RECORDS_PER_SEC, broker, result.fetchingRecordsPerSec());
            samples.record(Metric.SHARE_CONSUME_FIRST_RECORD_MS, broker, result.firstRecordNs() / 1e6);
            System.out.printf("  [%s] %s%n", broker.label(), String.format(Locale.ROOT, "share consume: %,d records "
                    + "(%,d deliveries) by %d consumers in %.1f s (first record after %.2f s), %.0f records/s (%.0f"
                    + " while fetching), %.2f MB/s, broker CPU %.1f s",
                    result.records(), result.deliveries(), CONSUMERS, result.elapsedNs() / 1e9,
                    result.firstRecordNs() / 1e9, result.recordsPerSec(), result.fetchingRecordsPerSec(),
                    result.mbPerSec(), result.brokerCpuSeconds()));
        } catch (RuntimeException e) {
            String reason = TransactionalProduce.failedReason(e.getClass().getSimpleName() + ": " + e.getMessage());
            for (Metric metric : List.of(Metric.SHARE_CONSUME_RECORDS_PER_SEC, Metric.SHARE_CONSUME_MB_PER_SEC,
                    Metric.SHARE_CONSUME_CPU_S_PER_GB, Metric.SHARE_CONSUME_FETCHING_RECORDS_PER_SEC,
                    Metric.SHARE_CONSUME_FIRST_RECORD_MS)) {
                samples.note(metric, broker, reason);
            }
            System.out.printf("  [%s] share consume %s%n", broker.label(), reason);
        }
    }

    /** Produces, sets the group's start, consumes; throws if a step fails or the records do not all arrive. */
    Result run() {
        produce();
        startGroupAtEarliest();
        BitSet delivered = new BitSet((int) records);
        long[] deliveries = new long[1];
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(CONSUMERS);
        double cpuBefore = ProcStats.cpuSeconds(brokerPid);
        long startNs = time.nanoseconds();
        long[] endNs = new long[1];
        long[] firstNs = {-1};
        try {
            List<Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < CONSUMERS; i++) {
                loops.add(threads.submit(() -> {
                    try (KafkaShareConsumer<byte[], byte[]> consumer = new KafkaShareConsumer<>(consumerConfig())) {
                        consumer.subscribe(List.of(TOPIC));
                        while (!done.get()) {
                            ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
                            if (polled.isEmpty()) {
                                continue;
                            }
                            synchronized (delivered) {
                                if (firstNs[0] < 0) {
                                    firstNs[0] = time.nanoseconds();
                                }
                                for (ConsumerRecord<byte[], byte[]> r : polled) {
                                    delivered.set((int) r.offset());
                                    deliveries[0]++;
                                }
                                if (delivered.cardinality() >= records && !done.get()) {
                                    endNs[0] = time.nanoseconds();
                                    done.set(true);
                                }
                            }
                        }
                        // Implicit mode accepts a poll's records at the next poll or commit, not at close: a close
                        // alone ends the share session with them still acquired, the broker releases them and a
                        // consumer still polling gets them again (Kafka's client and broker do the same).
                        consumer.commitSync();
                    }
                    return null;
                }));
            }
            long deadlineMs = time.milliseconds() + timeoutMs;
            for (Future<?> loop : loops) {
                loop.get(Math.max(1, deadlineMs - time.milliseconds()), TimeUnit.MILLISECONDS);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            synchronized (delivered) {
                throw new IllegalStateException("timed out after " + timeoutMs + " ms with " + delivered.cardinality()
                        + " of " + records + " records delivered");
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            done.set(true);
            threads.shutdownNow();
        }
        double cpuSeconds = ProcStats.cpuSeconds(brokerPid) - cpuBefore;
        synchronized (delivered) {
            return new Result(delivered.cardinality(), deliveries[0], endNs[0] - startNs, firstNs[0] - startNs,
                    cpuSeconds);
        }
    }

    private void produce() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        byte[] value = new byte[RECORD_BYTES];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, value));
            }
            producer.flush();
        }
    }

    private void startGroupAtEarliest() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, GROUP), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET))))
                    .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("setting share.auto.offset.reset=earliest: " + e, e);
        }
    }

    private Properties consumerConfig() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", GROUP);
        props.put("share.acknowledgement.mode", "implicit");
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return props;
    }
}
