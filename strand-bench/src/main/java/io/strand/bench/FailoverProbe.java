package io.strand.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;

/**
 * Failover time as a producer sees it. Kafka's Java producer (acks=all, idempotent, retrying, with a
 * short request timeout and metadata that goes stale within {@value #METADATA_MAX_AGE_MS} ms) sends one
 * {@value #RECORD_BYTES}-byte record at a time to partition 0 of one topic, each send waiting for the
 * previous one, and keeps the start and completion time of every send. {@link #failoverNs} turns
 * those into the failover time of a kill: from the kill until the first acknowledged send that
 * started at or after it. A send in flight at the kill is not counted even if acknowledged later,
 * because its acknowledgement may predate the kill; so the figure includes one acks=all round trip
 * of the healthy cluster (a few ms on loopback), the same for both brokers.
 *
 * <p>Threads: {@link #start} starts one sender thread, the only writer of the send list; any thread
 * may read a copy ({@link #sends}). {@link #close} stops the thread and closes the producer.
 */
final class FailoverProbe implements AutoCloseable {

    static final int RECORD_BYTES = 100;
    static final long METADATA_MAX_AGE_MS = 500;
    static final long REQUEST_TIMEOUT_MS = 1_000;
    /** A send not acknowledged in this time fails and the next starts; failover takes far less. */
    static final long DELIVERY_TIMEOUT_MS = 60_000;
    private static final long BACKOFF_MS = 10;
    private static final long BACKOFF_MAX_MS = 100;

    /** One send: when it started and completed ({@link Time#nanoseconds}), and whether it was acknowledged. */
    record Send(long startNs, long endNs, boolean acknowledged) {
    }

    private final Time time;
    private final String bootstrap;
    private final String topic;
    private final List<Send> sends = new ArrayList<>();
    private volatile boolean running = true;
    private Thread sender;

    FailoverProbe(Time time, String bootstrap, String topic) {
        this.time = time;
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    /**
     * The failover time of a kill at {@code killNs}: the completion of the first acknowledged send that
     * started at or after the kill, minus the kill; empty while there is none.
     */
    static OptionalLong failoverNs(long killNs, List<Send> sends) {
        return sends.stream().filter(send -> send.acknowledged() && send.startNs() >= killNs)
                .mapToLong(send -> send.endNs() - killNs).min();
    }

    /** The producer's settings: acks=all, retries, short timeouts so that it finds a new leader fast. */
    static Properties producerProps(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-failover");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(REQUEST_TIMEOUT_MS));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(DELIVERY_TIMEOUT_MS));
        props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, Long.toString(METADATA_MAX_AGE_MS));
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, Long.toString(BACKOFF_MS));
        props.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, Long.toString(BACKOFF_MAX_MS));
        props.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, Long.toString(BACKOFF_MS));
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, Long.toString(BACKOFF_MAX_MS));
        props.put(ProducerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Long.toString(REQUEST_TIMEOUT_MS));
        props.put(ProducerConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Long.toString(REQUEST_TIMEOUT_MS));
        return props;
    }

    /** Starts the sender thread. */
    void start() {
        sender = new Thread(this::sendLoop, "bench-failover-sender");
        sender.setDaemon(true);
        sender.start();
    }

    /** A copy of every send completed so far, in order. */
    List<Send> sends() {
        synchronized (sends) {
            return List.copyOf(sends);
        }
    }

    private void sendLoop() {
        byte[] value = new byte[RECORD_BYTES];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            while (running) {
                long startNs = time.nanoseconds();
                boolean acknowledged;
                try {
                    producer.send(new ProducerRecord<>(topic, 0, null, value)).get();
                    acknowledged = true;
                } catch (ExecutionException | RuntimeException e) {
                    acknowledged = false;
                } catch (InterruptedException e) {
                    return;
                }
                Send send = new Send(startNs, time.nanoseconds(), acknowledged);
                synchronized (sends) {
                    sends.add(send);
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (sender != null) {
            sender.join(DELIVERY_TIMEOUT_MS + REQUEST_TIMEOUT_MS);
            if (sender.isAlive()) {
                sender.interrupt();
                sender.join();
            }
        }
    }
}
