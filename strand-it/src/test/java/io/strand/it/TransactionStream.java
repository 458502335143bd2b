package io.strand.it;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Java transactional producer committing transactions back to back on its own thread, each
 * transaction {@code n} writing {@link #recordsPerPartition} records {@code <name>-<n>-<i>} to every
 * partition of one topic, and recording each transaction's {@link Outcome}: COMMITTED once
 * {@code commitTransaction} returned, UNKNOWN when anything failed on the way (the producer is then
 * closed and a new one with the same transactional id inits, which fences the old epoch and ends
 * what it left). A test kills brokers under it and checks the read with {@link TransactionAudit}.
 *
 * <p>Thread-safe: the stream's thread is the only writer of the outcomes; tests read them.
 */
final class TransactionStream implements AutoCloseable {

    /** What the producer saw of one transaction. */
    enum Outcome {
        /** commitTransaction returned: every record must be visible to read_committed, once. */
        COMMITTED,
        /** something failed before commit returned: all of its records visible or none. */
        UNKNOWN
    }

    final String name;
    final int partitions;
    final int recordsPerPartition;
    private final String topic;
    private final Properties props = new Properties();
    private final Map<Long, Outcome> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong producersCreated = new AtomicLong();
    private final AtomicReference<Throwable> lastError = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    private TransactionStream(String name, String bootstrap, String topic, int partitions, int recordsPerPartition,
                              Map<String, Object> overrides) {
        this.name = name;
        this.topic = topic;
        this.partitions = partitions;
        this.recordsPerPartition = recordsPerPartition;
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putAll(overrides);
        this.thread = new Thread(this::run, "txn-stream-" + name);
        thread.setDaemon(true);
    }

    /** Starts committing transactions of {@code name} over {@code topic}'s {@code partitions} partitions. */
    static TransactionStream start(String name, String bootstrap, String topic, int partitions,
                                   int recordsPerPartition, Map<String, Object> overrides) {
        TransactionStream stream = new TransactionStream(name, bootstrap, topic, partitions, recordsPerPartition,
                overrides);
        stream.thread.start();
        return stream;
    }

    long committed() {
        return committed.get();
    }

    Map<Long, Outcome> outcomes() {
        return Map.copyOf(outcomes);
    }

    /** Stops after the transaction under way and waits for the thread. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(60_000);
        if (thread.isAlive()) {
            throw new AssertionError(this + " did not stop");
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void run() {
        KafkaProducer<String, String> producer = null;
        long n = 0;
        while (running) {
            try {
                if (producer == null) {
                    producer = new KafkaProducer<>(props);
                    producersCreated.incrementAndGet();
                    producer.initTransactions();
                }
            } catch (RuntimeException e) {
                lastError.set(e);
                producer = closeQuietly(producer);
                pause();
                continue;
            }
            long txn = n++;
            outcomes.put(txn, Outcome.UNKNOWN);
            try {
                producer.beginTransaction();
                for (int p = 0; p < partitions; p++) {
                    for (int i = 0; i < recordsPerPartition; i++) {
                        producer.send(new ProducerRecord<>(topic, p, null, value(txn, p, i)));
                    }
                }
                producer.commitTransaction();
                outcomes.put(txn, Outcome.COMMITTED);
                committed.incrementAndGet();
            } catch (RuntimeException e) {
                lastError.set(e);
                producer = closeQuietly(producer);
                pause();
            }
        }
        closeQuietly(producer);
    }

    String value(long txn, int partition, int index) {
        return name + "-" + txn + "-" + partition + "-" + index;
    }

    private static KafkaProducer<String, String> closeQuietly(KafkaProducer<String, String> producer) {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException ignored) {
                // a producer that failed is dropped whatever its close says
            }
        }
        return null;
    }

    private static void pause() {
        try {
            Thread.sleep(100); // a retry backoff against a broker that is away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        long unknown = outcomes.values().stream().filter(o -> o == Outcome.UNKNOWN).count();
        return "TransactionStream[" + name + " committed=" + committed.get() + " unknown=" + unknown
                + " producers=" + producersCreated.get() + " lastError=" + lastError.get() + "]";
    }
}
