package io.strand.chaos.workload;

import io.strand.chaos.history.Send;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Java producer, idempotent with acks=all unless {@code config} says otherwise, on a thread of its
 * own: at most {@code sendsPerSecond} sends begin a second and at most {@code maxPending} are
 * unanswered at once (so that a stalled cluster does not fill the client's buffer). The producer
 * rides out faults through its retries within a 60 s delivery timeout.
 *
 * <p>Thread-safe: the campaign starts, observes and stops it; its thread owns the sending.
 */
public final class JavaProducerWorkload implements ProducerWorkload {

    private static final Map<String, Object> DEFAULTS = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 2,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000,
            ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50,
            ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500,
            ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
            ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);

    private final String name;
    private final boolean idempotent;
    private final SendRecorder recorder;
    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final int partitions;
    private final Semaphore pendingPermits;
    private final long sendIntervalNs;
    private final Thread thread;
    private volatile boolean running = true;

    private JavaProducerWorkload(String name, Map<String, Object> config, String topic, int partitions,
                                 int sendsPerSecond, int maxPending) {
        this.name = name;
        this.idempotent = Boolean.parseBoolean(String.valueOf(config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)));
        this.recorder = new SendRecorder(name);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        this.topic = topic;
        this.partitions = partitions;
        this.pendingPermits = new Semaphore(maxPending);
        this.sendIntervalNs = TimeUnit.SECONDS.toNanos(1) / sendsPerSecond;
        this.thread = new Thread(this::sendLoop, "chaos-producer-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts a producer named {@code name} (its client id) with {@code overrides} over the defaults. */
    public static JavaProducerWorkload start(String name, String bootstrap, String topic, int partitions,
                                             int sendsPerSecond, int maxPending, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(DEFAULTS);
        config.putAll(overrides);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, name);
        JavaProducerWorkload workload = new JavaProducerWorkload(name, config, topic, partitions, sendsPerSecond,
                maxPending);
        workload.thread.start();
        return workload;
    }

    private void sendLoop() {
        long nextSendNs = System.nanoTime();
        long seq = 0;
        while (running) {
            try {
                if (!pendingPermits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            }
            // pacing the load, not waiting for a condition: no catching up after a stall
            LockSupport.parkNanos(nextSendNs - System.nanoTime());
            nextSendNs = Math.max(nextSendNs, System.nanoTime()) + sendIntervalNs;
            long mySeq = seq++;
            int partition = (int) (mySeq % partitions);
            recorder.begin(mySeq, partition, System.currentTimeMillis());
            try {
                producer.send(new ProducerRecord<>(topic, partition, null, Send.valueOf(name, mySeq)),
                        (metadata, error) -> {
                            long nowMs = System.currentTimeMillis();
                            if (error == null) {
                                recorder.acked(mySeq, metadata.offset(), nowMs);
                            } else {
                                recorder.failed(mySeq, error.getClass().getSimpleName() + ": " + error.getMessage(),
                                        nowMs);
                            }
                            pendingPermits.release();
                        });
            } catch (KafkaException e) {
                recorder.failed(mySeq, e.getClass().getSimpleName() + ": " + e.getMessage(),
                        System.currentTimeMillis());
                pendingPermits.release();
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean idempotent() {
        return idempotent;
    }

    @Override
    public long acked() {
        return recorder.acked();
    }

    @Override
    public void stop() {
        running = false;
        try {
            thread.join(TimeUnit.MINUTES.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.flush();
        producer.close(Duration.ofSeconds(10));
    }

    @Override
    public List<Send> sends() {
        return recorder.sends();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        producer.close(Duration.ZERO);
    }
}
