package io.strand.chaos.workload;

import io.strand.chaos.history.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Java transactional producer (transactional.id {@code chaos-<name>}, acks=all) on a thread of its own:
 * at most {@code transactionsPerSecond} transactions begin a second, one at a time. Transaction n writes
 * {@value #MIN_RECORDS} to {@value #MAX_RECORDS} records, record i to partition (n + i) mod partitions (so
 * every transaction spans at least two partitions), each tagged with {@link Transaction#valueOf}; every
 * {@value #ABORT_EVERY}th transaction (n mod {@value #ABORT_EVERY} = {@value #ABORT_EVERY} - 1) is
 * aborted on purpose once its records are written (flushed: acknowledged by the partitions' leaders), the
 * others committed. Each transaction's outcome is logged:
 *
 * <ul>
 *   <li>COMMITTED: commitTransaction returned (after retrying it on a time-out, as the client allows);</li>
 *   <li>ABORTED: commitTransaction was never called: abortTransaction returned, or a send, the begin or the
 *       abort failed (a fenced or failed producer's open transaction can only be aborted by its coordinator);</li>
 *   <li>UNKNOWN: commitTransaction was called and did not return within {@value #COMMIT_PATIENCE_MS} ms of
 *       retries, or threw something other than a time-out.</li>
 * </ul>
 *
 * After any failure the client is closed and a new one with the same transactional.id calls
 * initTransactions (which fences the old one and ends its open transaction) until it succeeds.
 *
 * <p>Thread-safe: the campaign starts, observes and stops it; its thread owns the client.
 */
public final class TransactionalProducerWorkload implements AutoCloseable {

    static final int MIN_RECORDS = 2;
    static final int MAX_RECORDS = 5;
    static final int ABORT_EVERY = 5;
    private static final long COMMIT_PATIENCE_MS = 60_000;

    private static final Map<String, Object> DEFAULTS = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 2,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000,
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 20_000,
            ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50,
            ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500,
            ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);

    private final String name;
    private final Map<String, Object> config;
    private final String topic;
    private final int partitions;
    private final long intervalNs;
    private final Thread thread;
    private final List<Transaction> done = new ArrayList<>();
    private final AtomicLong committed = new AtomicLong();
    private volatile boolean running = true;
    private volatile KafkaProducer<String, String> producer;
    /** The transaction under way, as it would be logged if the workload ended now (unknown), or null. */
    private volatile Transaction current;
    private volatile String endedEarly;

    private TransactionalProducerWorkload(String name, Map<String, Object> config, String topic, int partitions,
                                          int transactionsPerSecond) {
        if (name.contains(":") || name.contains("/")) {
            throw new IllegalArgumentException("name=" + name + " must not contain ':' or '/'");
        }
        this.name = name;
        this.config = config;
        this.topic = topic;
        this.partitions = partitions;
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) / transactionsPerSecond;
        this.thread = new Thread(this::run, "chaos-txn-producer-" + name);
        this.thread.setDaemon(true);
    }

    /** Starts a producer named {@code name} (its client id; transactional.id {@code chaos-<name>}). */
    public static TransactionalProducerWorkload start(String name, String bootstrap, String topic, int partitions,
                                                      int transactionsPerSecond) {
        if (partitions < 2) {
            throw new IllegalArgumentException("partitions=" + partitions + ": transactions span at least two");
        }
        Map<String, Object> config = new HashMap<>(DEFAULTS);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, name);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "chaos-" + name);
        TransactionalProducerWorkload workload = new TransactionalProducerWorkload(name, config, topic, partitions,
                transactionsPerSecond);
        workload.thread.start();
        return workload;
    }

    /** The partition of each record of transaction {@code number}. */
    static List<Integer> partitionsOf(long number, int partitions) {
        int count = MIN_RECORDS + (int) (number % (MAX_RECORDS - MIN_RECORDS + 1));
        List<Integer> out = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            out.add((int) ((number + index) % partitions));
        }
        return out;
    }

    static boolean abortsOnPurpose(long number) {
        return number % ABORT_EVERY == ABORT_EVERY - 1;
    }

    private void run() {
        long nextNs = System.nanoTime();
        long number = 0;
        try {
            while (running && !Thread.currentThread().isInterrupted()) {
                if (producer == null && !initialize()) {
                    continue;
                }
                // pacing the load, not waiting for a condition: no catching up after a stall
                LockSupport.parkNanos(nextNs - System.nanoTime());
                nextNs = Math.max(nextNs, System.nanoTime()) + intervalNs;
                runTransaction(number++);
            }
        } catch (RuntimeException | Error e) {
            endedEarly = e.toString();
        }
    }

    /** A new client, its transactions initialised; false (and no client) if that failed. */
    private boolean initialize() {
        KafkaProducer<String, String> fresh = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer());
        try {
            fresh.initTransactions();
            producer = fresh;
            return true;
        } catch (KafkaException e) {
            fresh.close(Duration.ZERO);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // a back-off before asking again
            return false;
        }
    }

    private void runTransaction(long number) {
        List<Integer> targets = partitionsOf(number, partitions);
        long startedAtMs = System.currentTimeMillis();
        current = new Transaction(name, number, targets, Transaction.Outcome.UNKNOWN, startedAtMs, -1, null);
        boolean commitCalled = false;
        try {
            producer.beginTransaction();
            for (int index = 0; index < targets.size(); index++) {
                producer.send(new ProducerRecord<>(topic, targets.get(index), null,
                        Transaction.valueOf(name, number, index, targets.size())));
            }
            if (abortsOnPurpose(number)) {
                // written first, so that the log holds what read_committed readers must not see (an abort
                // with the records still in the client's buffer would drop them unsent)
                producer.flush();
                producer.abortTransaction();
                finish(number, targets, startedAtMs, Transaction.Outcome.ABORTED, null);
            } else {
                commitCalled = true;
                commit();
                committed.incrementAndGet();
                finish(number, targets, startedAtMs, Transaction.Outcome.COMMITTED, null);
            }
        } catch (KafkaException | IllegalStateException e) {
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            finish(number, targets, startedAtMs, commitCalled ? Transaction.Outcome.UNKNOWN
                    : Transaction.Outcome.ABORTED, error);
            if (!commitCalled && tryAbort()) {
                return;
            }
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    /** Commits, calling commitTransaction again after a time-out (the client resumes the pending commit). */
    private void commit() {
        long deadlineMs = System.currentTimeMillis() + COMMIT_PATIENCE_MS;
        while (true) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (System.currentTimeMillis() > deadlineMs) {
                    throw e;
                }
            }
        }
    }

    /** Aborts the open transaction after a failure before commit; whether the client can go on. */
    private boolean tryAbort() {
        try {
            producer.abortTransaction();
            return true;
        } catch (KafkaException | IllegalStateException e) {
            return false;
        }
    }

    private void finish(long number, List<Integer> targets, long startedAtMs, Transaction.Outcome outcome,
                        String error) {
        Transaction transaction = new Transaction(name, number, targets, outcome, startedAtMs,
                System.currentTimeMillis(), error);
        synchronized (done) {
            done.add(transaction);
        }
        current = null;
    }

    public String name() {
        return name;
    }

    /** Transactions committed so far. */
    public long committed() {
        return committed.get();
    }

    /** Why the thread ended before {@link #stop()} asked it to, or null. */
    public String endedEarly() {
        return endedEarly;
    }

    /** Stops after the transaction under way (bounded by the client's time-outs), then closes the client. */
    public void stop() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(90));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        KafkaProducer<String, String> last = producer;
        if (last != null && !thread.isAlive()) {
            last.close(Duration.ofSeconds(10));
        }
    }

    /** Every transaction, in order; one still under way as unknown. Complete once {@link #stop()} returned. */
    public List<Transaction> transactions() {
        List<Transaction> all;
        synchronized (done) {
            all = new ArrayList<>(done);
        }
        Transaction open = current;
        if (open != null) {
            all.add(open);
        }
        return all;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        KafkaProducer<String, String> last = producer;
        if (last != null) {
            last.close(Duration.ZERO);
        }
    }
}
