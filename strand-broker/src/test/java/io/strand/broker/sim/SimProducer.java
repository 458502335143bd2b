package io.strand.broker.sim;

import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * A producer sending acks=all records with unique values to the leader its metadata names (the
 * controller's committed image, now and then a random broker instead), at most a few in flight; a
 * record counts as acknowledged only when the leader's success answer arrives, and it is then
 * handed to the {@link ReplicationInvariants}. An answer that never comes is given up on after a
 * timeout: that record's fate is unknown, as a real client's would be.
 *
 * <p>Not thread-safe: the simulation's event loop only.
 */
final class SimProducer {

    static final int NODE_ID = 9;
    private static final int MAX_IN_FLIGHT = 10;
    private static final long TIMEOUT_MS = 1_500;

    private final ReplicationSimulation sim;
    private final Random random;
    private final Map<Long, Sent> inFlight = new LinkedHashMap<>();
    private long nextId;
    private boolean producing = true;
    private int acked;
    private int failed;

    private record Sent(TopicPartition tp, String value, long sentMs) {
    }

    SimProducer(ReplicationSimulation sim, Random random) {
        this.sim = sim;
        this.random = random;
    }

    int acked() {
        return acked;
    }

    int failed() {
        return failed;
    }

    void stop() {
        producing = false;
    }

    boolean idle() {
        return inFlight.isEmpty();
    }

    void onTick() {
        long nowMs = sim.scheduler().nowMs();
        inFlight.values().removeIf(s -> nowMs - s.sentMs() > TIMEOUT_MS);
        if (!producing || inFlight.size() >= MAX_IN_FLIGHT || random.nextInt(2) != 0) {
            return;
        }
        TopicImage topic = sim.controller().image().topics().byName(ReplicationSimulation.TOPIC).orElse(null);
        if (topic == null) {
            return;
        }
        List<Integer> ids = List.copyOf(topic.partitions().keySet());
        int partitionId = ids.get(random.nextInt(ids.size()));
        PartitionRegistration registration = topic.partitions().get(partitionId);
        int target = registration.leader() >= 0 && random.nextInt(10) != 0 ? registration.leader()
                : 1 + random.nextInt(ReplicationSimulation.BROKERS);
        long id = nextId++;
        Sent sent = new Sent(new TopicPartition(ReplicationSimulation.TOPIC, partitionId), "v" + id, nowMs);
        inFlight.put(id, sent);
        sim.send(NODE_ID, target, new SimMessage.Produce(id, sent.tp(), sent.value()));
    }

    void onMessage(SimMessage message) {
        SimMessage.ProduceAnswer answer = (SimMessage.ProduceAnswer) message;
        Sent sent = inFlight.remove(answer.produceId());
        if (sent == null) {
            return;
        }
        if (answer.error() == Errors.NONE) {
            acked++;
            sim.invariants().onAcked(sent.tp(), answer.offset(), sent.value());
        } else {
            failed++;
        }
    }
}
