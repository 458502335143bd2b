package io.strand.broker.sim;

import io.strand.common.sim.Restartable;
import io.strand.metadata.controller.ClusterControlSettings;
import io.strand.metadata.controller.ControllerDefaults;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataLog;
import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.record.MetadataRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * The metadata quorum as one durable committed log, with the real {@link QuorumController} on the
 * simulation's event loop as its active controller. An append commits after a random delay (the
 * quorum's replication); a crash closes the controller, commits a random prefix of the appends in
 * flight (they may have reached a majority) and loses the rest, without telling anyone; a restart
 * starts a new controller over the committed image, as a newly elected one does. Brokers pull the
 * committed batches ({@link SimMessage.MetadataPull}) and call the controller over the network.
 *
 * <p>Not thread-safe: the simulation's event loop only.
 */
final class SimController implements Restartable {

    static final int NODE_ID = 0;
    /** The controllers' broker.session.timeout.ms. */
    static final long SESSION_TIMEOUT_MS = 600;
    private static final int MAX_COMMIT_DELAY_MS = 8;
    private static final int MAX_BATCHES_PER_PULL = 64;

    private final ReplicationSimulation sim;
    private final Random random;
    /** Durable: the committed batches, offset i at index i - 1. */
    private final List<SimMessage.Batch> committed = new ArrayList<>();
    private MetadataImage image = MetadataImage.EMPTY;
    private boolean up = true;
    private QuorumController controller;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    private record Pending(List<MetadataRecord> records, CompletableFuture<Long> future) {
    }

    SimController(ReplicationSimulation sim, Random random) {
        this.sim = sim;
        this.random = random;
        startController();
    }

    @Override
    public int nodeId() {
        return NODE_ID;
    }

    @Override
    public boolean isUp() {
        return up;
    }

    /** The committed image (what every broker converges to). */
    MetadataImage image() {
        return image;
    }

    long committedEnd() {
        return committed.size();
    }

    private void startController() {
        controller = new QuorumController(new Log(), sim.scheduler().time(), new Random(random.nextLong()),
                sim.scheduler(), ClusterControlSettings.DEFAULTS.withBrokerSessionTimeoutMs(SESSION_TIMEOUT_MS));
    }

    @Override
    public void crash() {
        up = false;
        sim.network().setUp(NODE_ID, false);
        controller.close();
        controller = null;
        int survivors = pending.isEmpty() ? 0 : random.nextInt(pending.size() + 1);
        for (int i = 0; i < survivors; i++) {
            try {
                commit(pending.poll().records());
            } catch (MetadataReplayException e) {
                // Not committed, as a batch that cannot apply never is.
            }
        }
        pending.clear();
    }

    @Override
    public void restart() {
        up = true;
        sim.network().setUp(NODE_ID, true);
        startController();
    }

    /** The active controller's periodic session check. */
    void onSessionCheck() {
        if (up) {
            controller.fenceExpiredBrokers();
        }
    }

    /** Creates a topic as an admin would, straight on the controller; completes with the error. */
    CompletableFuture<Errors> createTopic(CreateTopicsRequestData.CreatableTopic topic) {
        if (!up) {
            return CompletableFuture.completedFuture(Errors.NOT_CONTROLLER);
        }
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        request.topics().add(topic);
        return controller.createTopics(request, ControllerDefaults.SINGLE_NODE).handle((response, error) -> {
            if (error != null) {
                return errorOf(error);
            }
            CreateTopicsResponseData.CreatableTopicResult result = response.topics().find(topic.name());
            return Errors.forCode(result.errorCode());
        });
    }

    void onMessage(int source, SimMessage message) {
        if (!up) {
            return;
        }
        if (message instanceof SimMessage.MetadataPull pull) {
            int from = (int) pull.afterOffset();
            int to = Math.min(committed.size(), from + MAX_BATCHES_PER_PULL);
            if (from <= to) {
                sim.send(NODE_ID, source, new SimMessage.MetadataBatches(List.copyOf(committed.subList(from, to)),
                        committed.size()));
            }
        } else if (message instanceof SimMessage.ControllerCall call) {
            QuorumController current = controller;
            CompletableFuture<?> answer;
            if (call.request() instanceof BrokerRegistrationRequestData r) {
                answer = current.registerBroker(r);
            } else if (call.request() instanceof BrokerHeartbeatRequestData r) {
                answer = current.brokerHeartbeat(r);
            } else if (call.request() instanceof AlterPartitionRequestData r) {
                answer = current.alterPartition(r, (short) 3);
            } else {
                throw new IllegalArgumentException("Unexpected call: " + call.request());
            }
            answer.whenComplete((response, error) -> {
                if (up && controller == current) {
                    sim.send(NODE_ID, source, new SimMessage.ControllerReply(call.callId(), response,
                            error == null ? Errors.NONE : errorOf(error)));
                }
            });
        } else {
            throw new IllegalArgumentException("Unexpected message: " + message);
        }
    }

    private void commitOne(QuorumController by) {
        if (!up || controller != by || pending.isEmpty()) {
            return;
        }
        Pending append = pending.poll();
        try {
            long offset = commit(append.records());
            append.future().complete(offset);
        } catch (MetadataReplayException e) {
            append.future().completeExceptionally(e);
        }
    }

    /** Commits and applies one batch; a batch that cannot apply is not committed. */
    private long commit(List<MetadataRecord> records) {
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(records);
        long offset = committed.size() + 1;
        image = delta.apply(offset);
        committed.add(new SimMessage.Batch(offset, List.copyOf(records)));
        return offset;
    }

    private static Errors errorOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return Errors.forException(cause);
    }

    /** The controller's view of the quorum. */
    private final class Log implements MetadataLog {
        @Override
        public MetadataImage image() {
            return image;
        }

        @Override
        public boolean isLeader() {
            return up;
        }

        @Override
        public CompletableFuture<Long> append(List<MetadataRecord> records) {
            if (!up) {
                return CompletableFuture.failedFuture(new NotControllerException("The controller is down"));
            }
            CompletableFuture<Long> future = new CompletableFuture<>();
            pending.add(new Pending(records, future));
            QuorumController by = controller;
            sim.scheduler().schedule(1 + random.nextInt(MAX_COMMIT_DELAY_MS), () -> commitOne(by));
            return future;
        }
    }

    @Override
    public String toString() {
        return "SimController(up=" + up + ", committed=" + committed.size() + ")";
    }
}
