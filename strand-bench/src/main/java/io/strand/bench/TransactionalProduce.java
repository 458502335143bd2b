package io.strand.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * Transactional produce: one Kafka Java producer in this JVM with a {@code transactional.id} (which
 * makes it idempotent) and acks=all runs transactions back to back against one topic of
 * {@link Workload#PARTITIONS} partitions, each {@code beginTransaction}, {@value #RECORDS_PER_TRANSACTION}
 * sends of {@value #RECORD_BYTES}-byte records (no key: the producer's sticky partitioner spreads a
 * transaction's batches over the partitions), {@code commitTransaction}. Every other producer setting
 * is the client's default, as ProducerPerformance leaves them.
 *
 * <p>After {@code initTransactions}, the transactions begun in the first {@code warmUpMs} (the
 * transaction coordinator's first use, the JIT) are not counted; then every transaction begun within
 * {@code durationMs} is, and the measured time runs from the begin of the first counted transaction to
 * the end of the commit of the last. A record counts once its transaction has committed.
 *
 * <p>A broker that does not serve transactions makes a step throw (typically {@code initTransactions},
 * after {@value #MAX_BLOCK_MS} ms, the producer's {@code max.block.ms}); {@link #run} then throws a
 * {@link Failed} naming the step, and {@link #measure} turns that into a note in both cells instead of
 * a value, so the rest of the run goes on.
 *
 * <p>Runs on the calling thread (plus the producer's own I/O thread); the producer is closed before
 * {@link #run} returns.
 */
final class TransactionalProduce {

    static final String TOPIC = "bench-txn-1kib";
    static final int RECORDS_PER_TRANSACTION = 100;
    static final int RECORD_BYTES = Workload.LARGE_RECORD_BYTES;
    static final long WARM_UP_MS = 1_000;
    /** How long {@code initTransactions} (and any other blocking step) may wait for the broker. */
    static final long MAX_BLOCK_MS = 30_000;
    static final String TRANSACTIONAL_ID = "strand-bench-txn";
    private static final long CLOSE_TIMEOUT_MS = 5_000;
    private static final double BYTES_PER_MIB = 1024.0 * 1024.0;
    private static final int MAX_REASON_CHARS = 200;

    /**
     * What one run measured.
     *
     * @param transactions committed transactions counted (after the warm-up)
     * @param records      records of those transactions
     * @param elapsedNs    from the begin of the first counted transaction to the end of the last commit
     */
    record Result(long transactions, long records, long elapsedNs) {

        double recordsPerSec() {
            return records / (elapsedNs / 1e9);
        }

        /** Mebibytes of record values per second, as kafka-tools' "MB/sec". */
        double mbPerSec() {
            return records * (double) RECORD_BYTES / BYTES_PER_MIB / (elapsedNs / 1e9);
        }
    }

    /** A step of the transactional producer failed; the message names the step and the client's error. */
    static final class Failed extends RuntimeException {
        Failed(String step, RuntimeException cause) {
            super(step + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        }
    }

    private final Time time;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final String topic;
    private final long warmUpMs;
    private final long durationMs;

    /**
     * @param producers  creates the producer, configured for transactions ({@link #producerConfig})
     * @param durationMs how long transactions are begun and counted, after {@code warmUpMs}
     */
    TransactionalProduce(Time time, Supplier<Producer<byte[], byte[]>> producers, String topic, long warmUpMs,
            long durationMs) {
        if (warmUpMs < 0 || durationMs < 1) {
            throw new IllegalArgumentException("warmUpMs=" + warmUpMs + " durationMs=" + durationMs);
        }
        this.time = time;
        this.producers = producers;
        this.topic = topic;
        this.warmUpMs = warmUpMs;
        this.durationMs = durationMs;
    }

    /** The workload against a broker at {@code bootstrap}: a real Kafka producer, {@link #TOPIC}. */
    static TransactionalProduce against(Time time, String bootstrap, long durationMs) {
        Properties config = producerConfig(bootstrap);
        return new TransactionalProduce(time, () -> new KafkaProducer<>(config), TOPIC, WARM_UP_MS, durationMs);
    }

    /** The producer's settings: transactional (hence idempotent), acks=all, the defaults otherwise. */
    static Properties producerConfig(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(MAX_BLOCK_MS));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /**
     * Runs the workload and records its records/s and MB/s for {@code broker} in {@code samples}; when
     * it fails, notes {@code failed (<step>: <error>)} in both cells instead and returns normally.
     */
    static void measure(TransactionalProduce produce, Samples samples, BrokerKind broker) {
        try {
            Result result = produce.run();
            samples.record(Metric.TXN_PRODUCE_RECORDS_PER_SEC, broker, result.recordsPerSec());
            samples.record(Metric.TXN_PRODUCE_MB_PER_SEC, broker, result.mbPerSec());
            progress(broker, "transactional produce: %,d transactions of %d records committed in %.1f s, "
                    + "%.0f records/s, %.2f MB/s", result.transactions(), RECORDS_PER_TRANSACTION,
                    result.elapsedNs() / 1e9, result.recordsPerSec(), result.mbPerSec());
        } catch (Failed e) {
            String reason = failedReason(e.getMessage());
            samples.note(Metric.TXN_PRODUCE_RECORDS_PER_SEC, broker, reason);
            samples.note(Metric.TXN_PRODUCE_MB_PER_SEC, broker, reason);
            progress(broker, "transactional produce %s", reason);
        }
    }

    /** {@code failed (message)}, on one line and without the table's cell separator, shortened. */
    static String failedReason(String message) {
        String oneLine = String.valueOf(message).replace('|', '/').replaceAll("\\s+", " ").trim();
        if (oneLine.length() > MAX_REASON_CHARS) {
            oneLine = oneLine.substring(0, MAX_REASON_CHARS - 1) + "…";
        }
        return "failed (" + oneLine + ")";
    }

    /** Runs the transactions; throws {@link Failed} when a step of the producer fails. */
    Result run() {
        byte[] value = payload();
        String step = "create the producer";
        Producer<byte[], byte[]> producer = null;
        try {
            producer = producers.get();
            step = "initTransactions";
            producer.initTransactions();
            long countFromNs = time.nanoseconds() + warmUpMs * 1_000_000;
            long endNs = countFromNs + durationMs * 1_000_000;
            long firstCountedNs = -1;
            long lastCommittedNs = -1;
            long transactions = 0;
            for (long beginNs = time.nanoseconds(); beginNs < endNs; beginNs = time.nanoseconds()) {
                boolean counted = beginNs >= countFromNs;
                step = "beginTransaction";
                producer.beginTransaction();
                step = "send";
                for (int i = 0; i < RECORDS_PER_TRANSACTION; i++) {
                    producer.send(new ProducerRecord<>(topic, value));
                }
                // A send the broker refused fails the commit: only committed records are counted.
                step = "commitTransaction";
                producer.commitTransaction();
                if (counted) {
                    if (firstCountedNs < 0) {
                        firstCountedNs = beginNs;
                    }
                    lastCommittedNs = time.nanoseconds();
                    transactions++;
                }
            }
            if (transactions == 0) {
                throw new Failed("measure", new IllegalStateException("no transaction began after the warm-up"));
            }
            return new Result(transactions, transactions * RECORDS_PER_TRANSACTION, lastCommittedNs - firstCountedNs);
        } catch (Failed e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Failed(step, e);
        } finally {
            if (producer != null) {
                close(producer);
            }
        }
    }

    /** Closes the producer; a failure to close is printed, not thrown: the figures are already taken. */
    private static void close(Producer<byte[], byte[]> producer) {
        try {
            producer.close(Duration.ofMillis(CLOSE_TIMEOUT_MS));
        } catch (RuntimeException e) {
            System.out.printf("  transactional producer did not close cleanly: %s%n", e);
        }
    }

    /** Random upper-case letters, as ProducerPerformance's values, the same in every record. */
    private static byte[] payload() {
        byte[] value = new byte[RECORD_BYTES];
        Random random = new Random(RECORD_BYTES);
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('A' + random.nextInt(26));
        }
        return value;
    }

    private static void progress(BrokerKind broker, String format, Object... args) {
        System.out.printf("  [%s] %s%n", broker.label(), String.format(Locale.ROOT, format, args));
    }
}
