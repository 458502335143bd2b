package io.strand.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * The "noisy neighbour" scenario: while heavy producers append to a topic with {@code flush.messages=1}
 * (an fsync per append) on several partitions and connections at once, a light producer on its own
 * connection sends one small record at a time, acks=1, to another topic, and the latency of each of its
 * sends is what is measured. A broker that fsyncs on the threads that also read and write other
 * connections' sockets makes the light client wait for the heavy one's disk; one that fsyncs off them
 * does not.
 *
 * <p>Both sides are Kafka's Java producer, in this JVM: {@value #HEAVY_PRODUCERS} heavy producers
 * (each its own connection), each keeping up to {@value #HEAVY_IN_FLIGHT} sends of
 * {@value #HEAVY_RECORD_BYTES}-byte records outstanding over {@value #HEAVY_PARTITIONS} partitions in
 * turn; one light producer sending {@value #LIGHT_RECORD_BYTES}-byte records, each after the previous
 * was acknowledged and a pause of {@value #LIGHT_PAUSE_MS} ms. The light sends of the first
 * {@value #WARM_UP_MS} ms (connections, metadata, JIT) are not counted.
 *
 * <p>Runs on the calling thread plus one thread per heavy producer; everything it starts is closed
 * before {@link #run} returns.
 */
final class NoisyNeighbour {

    static final String HEAVY_TOPIC = "bench-noisy-heavy";
    static final String LIGHT_TOPIC = "bench-noisy-light";
    static final int HEAVY_PRODUCERS = 4;
    static final int HEAVY_PARTITIONS = 8;
    static final int HEAVY_IN_FLIGHT = 64;
    static final int HEAVY_RECORD_BYTES = 1024;
    static final int LIGHT_RECORD_BYTES = 100;
    static final long LIGHT_PAUSE_MS = 5;
    static final long WARM_UP_MS = 3_000;
    private static final long ADMIN_TIMEOUT_MS = 60_000;
    private static final long SEND_TIMEOUT_MS = 120_000;

    /**
     * What one run measured.
     *
     * @param lightSends        light sends counted (after the warm-up)
     * @param lightP50Ms        median latency of a light send
     * @param lightP99Ms        99th percentile latency of a light send
     * @param lightMaxMs        slowest light send
     * @param heavyRecordsPerSec records the heavy producers had acknowledged per second, over the run
     */
    record Result(int lightSends, double lightP50Ms, double lightP99Ms, double lightMaxMs, double heavyRecordsPerSec) {
    }

    private final Time time;
    private final String bootstrap;
    private final long durationMs;

    /** @param durationMs how long the light client is measured, after the warm-up */
    NoisyNeighbour(Time time, String bootstrap, long durationMs) {
        this.time = time;
        this.bootstrap = bootstrap;
        this.durationMs = durationMs;
    }

    /** Creates the two topics, runs the load, and returns what the light client saw. */
    Result run() throws InterruptedException {
        createTopics();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong heavyAcked = new AtomicLong();
        AtomicReference<Exception> heavyFailure = new AtomicReference<>();
        List<Thread> heavy = new ArrayList<>();
        long startMs = time.milliseconds();
        for (int i = 0; i < HEAVY_PRODUCERS; i++) {
            Thread thread = new Thread(() -> produceHeavy(stop, heavyAcked, heavyFailure), "noisy-heavy-" + i);
            thread.start();
            heavy.add(thread);
        }
        double[] latenciesMs;
        try {
            latenciesMs = produceLight(heavyFailure);
        } finally {
            stop.set(true);
            for (Thread thread : heavy) {
                thread.join();
            }
        }
        if (heavyFailure.get() != null) {
            throw new IllegalStateException("a heavy producer failed", heavyFailure.get());
        }
        double elapsedSec = (time.milliseconds() - startMs) / 1000.0;
        Arrays.sort(latenciesMs);
        return new Result(latenciesMs.length, percentile(latenciesMs, 0.50), percentile(latenciesMs, 0.99),
                latenciesMs.length == 0 ? Double.NaN : latenciesMs[latenciesMs.length - 1],
                heavyAcked.get() / elapsedSec);
    }

    /** The value below which {@code fraction} of the sorted {@code values} lie (nearest rank). */
    static double percentile(double[] sorted, double fraction) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private void createTopics() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(
                    new NewTopic(HEAVY_TOPIC, HEAVY_PARTITIONS, (short) 1)
                            .configs(Map.of(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "1")),
                    new NewTopic(LIGHT_TOPIC, 1, (short) 1)))
                    .all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the noisy-neighbour topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating the noisy-neighbour topics", e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer(String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(SEND_TIMEOUT_MS));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(SEND_TIMEOUT_MS - 1));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** One heavy producer: keeps {@value #HEAVY_IN_FLIGHT} sends outstanding until told to stop. */
    private void produceHeavy(AtomicBoolean stop, AtomicLong acked, AtomicReference<Exception> failure) {
        byte[] value = new byte[HEAVY_RECORD_BYTES];
        Semaphore window = new Semaphore(HEAVY_IN_FLIGHT);
        try (KafkaProducer<byte[], byte[]> producer = producer("noisy-heavy")) {
            for (long i = 0; !stop.get() && failure.get() == null; i++) {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                producer.send(new ProducerRecord<>(HEAVY_TOPIC, (int) (i % HEAVY_PARTITIONS), null, value),
                        (metadata, error) -> {
                            window.release();
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            } else {
                                acked.incrementAndGet();
                            }
                        });
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** The light producer: one record at a time; returns the latency of each counted send, in ms. */
    private double[] produceLight(AtomicReference<Exception> heavyFailure) throws InterruptedException {
        byte[] value = new byte[LIGHT_RECORD_BYTES];
        List<Double> latenciesMs = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer("noisy-light")) {
            long warmUpEndMs = time.milliseconds() + WARM_UP_MS;
            long endMs = warmUpEndMs + durationMs;
            while (time.milliseconds() < endMs && heavyFailure.get() == null) {
                long startNs = time.nanoseconds();
                try {
                    producer.send(new ProducerRecord<>(LIGHT_TOPIC, 0, null, value))
                            .get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("a light send failed", e);
                }
                long latencyNs = time.nanoseconds() - startNs;
                if (time.milliseconds() >= warmUpEndMs) {
                    latenciesMs.add(latencyNs / 1e6);
                }
                time.sleep(LIGHT_PAUSE_MS);
            }
        }
        return latenciesMs.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
