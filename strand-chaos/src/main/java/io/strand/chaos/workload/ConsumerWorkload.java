package io.strand.chaos.workload;

import io.strand.chaos.history.ConsumerEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A Java consumer on a thread of its own that logs what it does as {@link ConsumerEvent}s. The
 * thread owns the consumer and appends to the event list; other threads read the list's copy and
 * the highest offset read per partition.
 */
public abstract class ConsumerWorkload implements AutoCloseable {

    protected final String name;
    protected final String group;
    private final List<ConsumerEvent> events = new ArrayList<>();
    private final Map<Integer, Long> nextToRead = new ConcurrentHashMap<>();
    private final Thread thread;
    protected volatile boolean running = true;
    private volatile Throwable failure;

    protected ConsumerWorkload(String name, String group) {
        this.name = name;
        this.group = group;
        this.thread = new Thread(this::runLoop, "chaos-consumer-" + name);
        this.thread.setDaemon(true);
    }

    protected final void startThread() {
        thread.start();
    }

    /** The client settings every consumer here shares, over which subclasses put their own. */
    protected static KafkaConsumer<String, String> consumer(String bootstrap, String name, Map<String, Object> own) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, name,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500,
                ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500));
        config.putAll(own);
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private void runLoop() {
        try {
            consume();
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** The loop, on the consumer's thread, until {@link #running} turns false; closes the consumer. */
    protected abstract void consume();

    protected final void log(ConsumerEvent event) {
        synchronized (events) {
            events.add(event);
        }
        if (event.kind() == ConsumerEvent.Kind.READ) {
            nextToRead.merge(event.partition(), event.offset() + 1, Math::max);
        }
    }

    public String name() {
        return name;
    }

    /** The highest offset read + 1, per partition read from. */
    public Map<Integer, Long> nextToRead() {
        return Map.copyOf(nextToRead);
    }

    /** Every event so far, in the order the consumer's thread logged them. */
    public List<ConsumerEvent> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** What ended the loop early, or null. */
    public Throwable failure() {
        return failure;
    }

    /** Ends the loop (the consumer closes, a group member committing what it read) and waits for it. */
    public void stop() {
        running = false;
        try {
            thread.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
