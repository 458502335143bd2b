package io.strand.testkit;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One Java producer sending without pause, on a thread of its own, round-robin over the partitions
 * of a topic, each send's outcome recorded in a {@link SendLog} from its callback. At most
 * {@code maxPendingSends} sends are pending at once, so that while the broker is down the client's
 * buffer (and the log) stays small, and at most {@code maxSendsPerSecond} are begun a second (unless
 * {@link #UNPACED}); the producer is built once and meant to outlive broker restarts through its
 * retries and delivery timeout.
 *
 * <p>Thread-safe: the test thread starts, observes and stops it.
 */
public final class ProducerLoad implements AutoCloseable {

    /** Client settings that let a producer ride out a broker restart of a few seconds. */
    public static final Map<String, Object> RIDE_OUT_RESTARTS = Map.of(
            ProducerConfig.LINGER_MS_CONFIG, 2,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
            ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50,
            ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500,
            ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
            ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);

    /** No bound on the sends begun a second. */
    public static final int UNPACED = 0;

    public final SendLog log;
    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final int partitions;
    private final Semaphore pendingPermits;
    private final long sendIntervalNs;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException sendLoopError;

    private ProducerLoad(SendLog log, KafkaProducer<String, String> producer, String topic, int partitions,
                         int maxPendingSends, int maxSendsPerSecond) {
        this.log = log;
        this.producer = producer;
        this.topic = topic;
        this.partitions = partitions;
        this.pendingPermits = new Semaphore(maxPendingSends);
        this.sendIntervalNs = maxSendsPerSecond == UNPACED ? 0 : TimeUnit.SECONDS.toNanos(1) / maxSendsPerSecond;
        this.thread = new Thread(this::sendLoop, "producer-load-" + log.producer);
        this.thread.setDaemon(true);
    }

    /**
     * Starts sending to {@code topic}'s {@code partitions} with a producer built from
     * {@link #RIDE_OUT_RESTARTS} and {@code config} (which wins; it names acks and idempotence).
     */
    public static ProducerLoad start(String name, String bootstrap, String topic, int partitions,
                              Map<String, Object> config, int maxPendingSends, int maxSendsPerSecond) {
        Map<String, Object> all = new HashMap<>(RIDE_OUT_RESTARTS);
        all.putAll(config);
        all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        all.put(ProducerConfig.CLIENT_ID_CONFIG, name);
        boolean idempotent = Boolean.parseBoolean(String.valueOf(
                all.getOrDefault(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")));
        KafkaProducer<String, String> producer =
                new KafkaProducer<>(all, new StringSerializer(), new StringSerializer());
        ProducerLoad load = new ProducerLoad(new SendLog(name, idempotent), producer, topic, partitions,
                maxPendingSends, maxSendsPerSecond);
        load.thread.start();
        return load;
    }

    private void sendLoop() {
        long nextSendNs = System.nanoTime();
        try {
            while (running) {
                if (!pendingPermits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                if (sendIntervalNs > 0) {
                    // pacing the load, not waiting for a condition: no catching up after a stall
                    LockSupport.parkNanos(nextSendNs - System.nanoTime());
                    nextSendNs = Math.max(nextSendNs, System.nanoTime()) + sendIntervalNs;
                }
                SendLog.Send send = log.begin((int) (log.begun() % partitions));
                try {
                    producer.send(new ProducerRecord<>(topic, send.partition, null, send.value),
                            (metadata, error) -> onCompletion(send, error == null ? metadata.offset() : -1, error));
                } catch (KafkaException e) {
                    onCompletion(send, -1, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            sendLoopError = e;
        }
    }

    private void onCompletion(SendLog.Send send, long offset, Exception error) {
        if (log.complete(send, offset, error)) {
            pendingPermits.release();
        }
    }

    /** Produce requests this producer has sent and not yet had an answer to. */
    public int requestsInFlight() {
        for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
            if (metric.getKey().name().equals("requests-in-flight")
                    && metric.getKey().group().equals("producer-metrics")) {
                return ((Number) metric.getValue().metricValue()).intValue();
            }
        }
        throw new IllegalStateException("producer " + log.producer + " has no requests-in-flight metric");
    }

    /**
     * Stops sending, waits until every send is acknowledged or failed (the delivery timeout bounds
     * it) and closes the producer.
     */
    public void stop() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.MINUTES.toMillis(2));
        if (thread.isAlive()) {
            throw new AssertionError("the send loop of " + log + " did not end");
        }
        producer.flush();
        producer.close(Duration.ofSeconds(10));
        if (sendLoopError != null) {
            throw new AssertionError("the send loop of " + log + " failed", sendLoopError);
        }
    }

    /** Ends the producer at once, for a test's clean-up after a failure; pending sends fail. */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        producer.close(Duration.ZERO);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
