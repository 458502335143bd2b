package io.strand.metadata.sim;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionRequestData.BrokerState;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A simulated broker's lifecycle, as the operation source and listener of its {@link SimClient}:
 * it registers, heartbeats, sometimes falls silent for about a session timeout (so the controller
 * may fence it), sometimes shuts down in a controlled way and later restarts as a new incarnation,
 * asks for producer ids, and, for partitions it leads in its view of the metadata, sends ISR
 * changes.
 *
 * <p>Its view of the metadata is the committed image at the highest offset a controller answered
 * it at, as if it had fetched the metadata log that far; so its ISR changes carry the epochs it
 * last saw and may be stale.
 *
 * <pre>
 *   UNREGISTERED --registered--> RUNNING --(2%)--> SILENT --after a while--> RUNNING
 *        ^                          |  \--(1%)--> SHUTTING_DOWN --shouldShutDown--> STOPPED
 *        |                          \--STALE_BROKER_EPOCH--> UNREGISTERED              |
 *        +---------------------- after a while, a new incarnation ---------------------+
 * </pre>
 *
 * <p>Not thread-safe: runs on the simulation's event loop.
 */
final class SimBroker {

    private enum State { UNREGISTERED, RUNNING, SILENT, SHUTTING_DOWN, STOPPED }

    private final int brokerId;
    private final String rack;
    private final ControllerSimulation sim;
    private final Random random;
    private State state = State.UNREGISTERED;
    private Uuid incarnationId;
    private long brokerEpoch = -1;
    private long seenOffset;
    private long resumeAtMs;

    SimBroker(int brokerId, String rack, ControllerSimulation sim, Random random) {
        this.brokerId = brokerId;
        this.rack = rack;
        this.sim = sim;
        this.random = random;
        this.incarnationId = new Uuid(random.nextLong(), random.nextLong());
    }

    /** The next operation, or null for none now. */
    SimMessage.Op nextOp() {
        long nowMs = sim.scheduler().nowMs();
        long sessionMs = ControllerSimulation.SESSION_TIMEOUT_MS;
        if (state == State.SILENT || state == State.STOPPED) {
            if (nowMs < resumeAtMs) {
                return null;
            }
            if (state == State.STOPPED) {
                incarnationId = new Uuid(random.nextLong(), random.nextLong());
                state = State.UNREGISTERED;
            } else {
                state = State.RUNNING;
            }
        }
        if (state == State.UNREGISTERED) {
            return registration();
        }
        if (state == State.SHUTTING_DOWN) {
            return heartbeat(true);
        }
        int dice = random.nextInt(100);
        if (dice < 2) {
            state = State.SILENT;
            resumeAtMs = nowMs + sessionMs / 2 + random.nextInt((int) (2 * sessionMs));
            return null;
        } else if (dice < 3) {
            state = State.SHUTTING_DOWN;
            return heartbeat(true);
        } else if (dice < 15) {
            SimMessage.Op alter = maybeAlterIsr();
            if (alter != null) {
                return alter;
            }
        } else if (dice < 18) {
            return new SimMessage.AllocateProducerIds(brokerId, 1 + random.nextInt(1_000));
        }
        return heartbeat(false);
    }

    void onResponse(SimMessage.Response response) {
        seenOffset = Math.max(seenOffset, response.ackOffset());
        if (response.outcome().reply() instanceof BrokerRegistrationResponseData reply) {
            if (response.error() == Errors.NONE && state == State.UNREGISTERED) {
                brokerEpoch = reply.brokerEpoch();
                state = State.RUNNING;
            }
        } else if (response.outcome().reply() instanceof BrokerHeartbeatResponseData reply) {
            if (response.error() == Errors.STALE_BROKER_EPOCH && state != State.STOPPED) {
                state = State.UNREGISTERED;
            } else if (reply.shouldShutDown() && state == State.SHUTTING_DOWN) {
                state = State.STOPPED;
                resumeAtMs = sim.scheduler().nowMs() + random.nextInt((int) (2 * ControllerSimulation.SESSION_TIMEOUT_MS));
            }
        }
    }

    private SimMessage.Op registration() {
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(brokerId)
                .setIncarnationId(incarnationId).setRack(rack);
        request.listeners().add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT")
                .setHost("broker-" + brokerId).setPort(9092).setSecurityProtocol((short) 0));
        return new SimMessage.LifecycleRegistration(request);
    }

    private SimMessage.Op heartbeat(boolean wantShutDown) {
        return new SimMessage.Heartbeat(new BrokerHeartbeatRequestData().setBrokerId(brokerId)
                .setBrokerEpoch(brokerEpoch).setCurrentMetadataOffset(seenOffset).setWantFence(false)
                .setWantShutDown(wantShutDown));
    }

    /** Shrinks or expands the ISR of a partition this broker leads in its view; null if it leads none. */
    private SimMessage.Op maybeAlterIsr() {
        MetadataImage view = sim.committedImageAt(seenOffset);
        List<Map.Entry<TopicImage, Integer>> led = new ArrayList<>();
        for (TopicImage topic : view.topics().all()) {
            topic.partitions().forEach((partitionId, p) -> {
                if (p.leader() == brokerId) {
                    led.add(Map.entry(topic, partitionId));
                }
            });
        }
        if (led.isEmpty()) {
            return null;
        }
        led.sort((a, b) -> a.getKey().name().compareTo(b.getKey().name()) != 0
                ? a.getKey().name().compareTo(b.getKey().name()) : Integer.compare(a.getValue(), b.getValue()));
        Map.Entry<TopicImage, Integer> pick = led.get(random.nextInt(led.size()));
        PartitionRegistration p = pick.getKey().partitions().get(pick.getValue());
        List<Integer> isr = new ArrayList<>(p.isr());
        List<Integer> outside = p.replicas().stream().filter(r -> !p.isr().contains(r)).toList();
        if (!outside.isEmpty() && (isr.size() == 1 || random.nextBoolean())) {
            isr.add(outside.get(random.nextInt(outside.size())));
        } else if (isr.size() > 1) {
            List<Integer> followers = isr.stream().filter(r -> r != brokerId).toList();
            isr.remove(followers.get(random.nextInt(followers.size())));
        } else {
            return null;
        }
        List<BrokerState> states = new ArrayList<>();
        for (int member : isr) {
            BrokerRegistration registration = view.brokers().get(member);
            states.add(new BrokerState().setBrokerId(member)
                    .setBrokerEpoch(registration == null ? -1 : registration.brokerEpoch()));
        }
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(brokerId)
                .setBrokerEpoch(brokerEpoch);
        AlterPartitionRequestData.TopicData topic = new AlterPartitionRequestData.TopicData()
                .setTopicId(pick.getKey().id());
        topic.partitions().add(new AlterPartitionRequestData.PartitionData().setPartitionIndex(pick.getValue())
                .setLeaderEpoch(p.leaderEpoch()).setPartitionEpoch(p.partitionEpoch()).setNewIsrWithEpochs(states));
        request.topics().add(topic);
        return new SimMessage.AlterIsr(request);
    }
}
