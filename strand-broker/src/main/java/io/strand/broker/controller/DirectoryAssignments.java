package io.strand.broker.controller;

import io.strand.broker.replica.DirectoryAssigner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AssignReplicasToDirsRequestData;
import org.apache.kafka.common.message.AssignReplicasToDirsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the controller in which log directory this broker placed each replica (Kafka's
 * {@code AssignmentsManager}, KIP-858): {@link #assign} queues a replica's directory, and the
 * assignments thread ({@code strand-directory-assignments-<id>}) sends what is queued as one
 * AssignReplicasToDirs request, at most one in flight, once the broker has a broker epoch. A request
 * that fails as a whole (no controller, STALE_BROKER_EPOCH, …) is sent again, merged with anything
 * queued since, after {@code retryBackoffMs}; a partition the controller refuses (the replica moved,
 * the topic was deleted) is dropped. A later assignment of the same replica replaces an earlier one
 * still queued. Nothing survives a restart: the replica manager reports every placed replica again
 * when it applies the image.
 *
 * <p><b>Threads.</b> {@link #assign} is thread-safe and never blocks; the queue is guarded by this
 * object's monitor. Only the assignments thread (or a test calling {@link #sendPending}) sends.
 */
public final class DirectoryAssignments implements DirectoryAssigner, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DirectoryAssignments.class);

    private final int brokerId;
    private final Time time;
    private final ControllerChannel channel;
    private final LongSupplier brokerEpoch;
    private final long retryBackoffMs;
    private final long requestTimeoutMs;
    /** Replica → its directory, waiting to be sent. Guarded by this. */
    private final Map<Replica, Uuid> pending = new LinkedHashMap<>();
    private volatile boolean closed;
    private Thread thread;

    /** One replica of this broker: a topic id and a partition index. */
    record Replica(Uuid topicId, int partition) {
    }

    /**
     * @param brokerEpoch      this broker's epoch, -1 before it registered
     * @param retryBackoffMs   pause before a failed request is sent again
     * @param requestTimeoutMs how long the thread waits for one answer
     */
    public DirectoryAssignments(int brokerId, Time time, ControllerChannel channel, LongSupplier brokerEpoch,
                                long retryBackoffMs, long requestTimeoutMs) {
        this.brokerId = brokerId;
        this.time = Objects.requireNonNull(time);
        this.channel = Objects.requireNonNull(channel);
        this.brokerEpoch = Objects.requireNonNull(brokerEpoch);
        this.retryBackoffMs = retryBackoffMs;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    @Override
    public synchronized void assign(Uuid topicId, int partition, Uuid directoryId) {
        pending.put(new Replica(topicId, partition), directoryId);
        notifyAll();
    }

    /** Starts the assignments thread. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("Directory assignments already started: brokerId=" + brokerId);
        }
        thread = new Thread(this::run, "strand-directory-assignments-" + brokerId);
        thread.setDaemon(true);
        thread.start();
    }

    /** The assignments not sent yet (or to be sent again), for tests. */
    synchronized Map<Replica, Uuid> pending() {
        return Map.copyOf(pending);
    }

    private void run() {
        while (!closed) {
            try {
                synchronized (this) {
                    while (!closed && (pending.isEmpty() || brokerEpoch.getAsLong() < 0)) {
                        wait(pending.isEmpty() ? 0L : retryBackoffMs);
                    }
                }
                if (!closed && !sendPending()) {
                    time.sleep(retryBackoffMs);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("Directory assignment step failed: brokerId={}", brokerId, e);
            }
        }
    }

    /**
     * Sends what is queued as one request and waits for the answer. Returns false when the request
     * failed as a whole (its assignments are queued again, unless replaced meanwhile); true when it
     * was answered, or there was nothing to send or no broker epoch yet.
     */
    boolean sendPending() throws InterruptedException {
        long epoch = brokerEpoch.getAsLong();
        Map<Replica, Uuid> batch;
        synchronized (this) {
            if (pending.isEmpty() || epoch < 0) {
                return true;
            }
            batch = new LinkedHashMap<>(pending);
            pending.clear();
        }
        AssignReplicasToDirsRequestData request = request(epoch, batch);
        Errors error;
        AssignReplicasToDirsResponseData response = null;
        try {
            response = (AssignReplicasToDirsResponseData) channel.send(ApiKeys.ASSIGN_REPLICAS_TO_DIRS, request)
                    .get(requestTimeoutMs, TimeUnit.MILLISECONDS);
            error = Errors.forCode(response.errorCode());
        } catch (ExecutionException | CompletionException e) {
            error = Errors.forException(e.getCause() != null ? e.getCause() : e);
        } catch (TimeoutException e) {
            error = Errors.REQUEST_TIMED_OUT;
        }
        if (error != Errors.NONE) {
            log.info("Directory assignments not accepted, sending again: brokerId={} replicas={} error={}",
                    brokerId, batch.size(), error.name());
            requeue(batch);
            return false;
        }
        logRefused(response);
        log.debug("Directory assignments accepted: brokerId={} replicas={}", brokerId, batch.size());
        return true;
    }

    private synchronized void requeue(Map<Replica, Uuid> batch) {
        batch.forEach(pending::putIfAbsent);
    }

    private void logRefused(AssignReplicasToDirsResponseData response) {
        for (AssignReplicasToDirsResponseData.DirectoryData dir : response.directories()) {
            for (AssignReplicasToDirsResponseData.TopicData topic : dir.topics()) {
                for (AssignReplicasToDirsResponseData.PartitionData partition : topic.partitions()) {
                    if (partition.errorCode() != Errors.NONE.code()) {
                        log.info("Directory assignment refused: brokerId={} topicId={} partition={} dir={} error={}",
                                brokerId, topic.topicId(), partition.partitionIndex(), dir.id(),
                                Errors.forCode(partition.errorCode()).name());
                    }
                }
            }
        }
    }

    private AssignReplicasToDirsRequestData request(long epoch, Map<Replica, Uuid> batch) {
        Map<Uuid, Map<Uuid, List<Integer>>> byDir = new LinkedHashMap<>();
        batch.forEach((replica, dir) -> byDir.computeIfAbsent(dir, d -> new LinkedHashMap<>())
                .computeIfAbsent(replica.topicId(), t -> new ArrayList<>()).add(replica.partition()));
        AssignReplicasToDirsRequestData request = new AssignReplicasToDirsRequestData().setBrokerId(brokerId)
                .setBrokerEpoch(epoch);
        byDir.forEach((dir, topics) -> {
            AssignReplicasToDirsRequestData.DirectoryData dirData =
                    new AssignReplicasToDirsRequestData.DirectoryData().setId(dir);
            topics.forEach((topicId, partitions) -> {
                AssignReplicasToDirsRequestData.TopicData topicData =
                        new AssignReplicasToDirsRequestData.TopicData().setTopicId(topicId);
                partitions.forEach(p -> topicData.partitions().add(
                        new AssignReplicasToDirsRequestData.PartitionData().setPartitionIndex(p)));
                dirData.topics().add(topicData);
            });
            request.directories().add(dirData);
        });
        return request;
    }

    /** Stops the assignments thread; what is still queued is dropped. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
            notifyAll();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
