package io.strand.metadata.sim;

import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Every operation a client saw succeed, with the offset it was acknowledged at, and the checks
 * that such an acknowledgement is never lost: the committed history holds the operation's effect
 * at its offset (so neither a leader change nor a restart took it back), and every node that has
 * applied that far shows an acknowledged topic (unless a later committed deletion removed it).
 *
 * <p>Not thread-safe: owned by the simulation's event loop.
 */
final class AckLedger {

    /** One acknowledged operation. */
    record Ack(SimMessage.Op op, Uuid topicId, long firstProducerId, long ackOffset, ApiMessage reply) {
    }

    private final ReferenceReplay reference;
    private final List<Ack> acks = new ArrayList<>();
    private final List<Ack> createdTopics = new ArrayList<>();
    /** Acknowledged producer id blocks by first id: none may overlap another. */
    private final TreeMap<Long, Ack> producerIdBlocks = new TreeMap<>();

    AckLedger(ReferenceReplay reference) {
        this.reference = reference;
    }

    int size() {
        return acks.size();
    }

    void onAck(SimMessage.Op op, SimMessage.Response response) {
        Ack ack = new Ack(op, response.outcome().topicId(), response.outcome().firstProducerId(), response.ackOffset(),
                response.outcome().reply());
        acks.add(ack);
        if (op instanceof SimMessage.CreateTopic) {
            createdTopics.add(ack);
        } else if (op instanceof SimMessage.AllocateProducerIds allocate) {
            checkDisjoint(ack, allocate.blockSize());
        }
        reference.catchUp();
        verifyInHistory(ack);
    }

    /** Re-checks every acknowledgement against the committed history (at the end of a run). */
    void verifyAllInHistory() {
        acks.forEach(this::verifyInHistory);
    }

    private void verifyInHistory(Ack ack) {
        if (ack.ackOffset() > reference.lastOffset()) {
            throw new AssertionError("Acknowledged beyond the committed history: " + ack + " committedUpTo="
                    + reference.lastOffset());
        }
        MetadataImage at = reference.imageAt(ack.ackOffset());
        boolean holds;
        if (ack.op() instanceof SimMessage.CreateTopic op) {
            TopicImage topic = at.topics().byId(ack.topicId()).orElse(null);
            holds = topic != null && topic.name().equals(op.name()) && topic.numPartitions() == op.partitions();
        } else if (ack.op() instanceof SimMessage.DeleteTopic op) {
            OptionalLong removed = reference.removedAt(ack.topicId());
            holds = removed.isPresent() && removed.getAsLong() <= ack.ackOffset()
                    && at.topics().byName(op.name()).map(t -> !t.id().equals(ack.topicId())).orElse(true);
        } else if (ack.op() instanceof SimMessage.CreatePartitions op) {
            holds = at.topics().byName(op.name()).map(t -> t.numPartitions() == op.count()).orElse(false);
        } else if (ack.op() instanceof SimMessage.AlterTopicConfig op) {
            holds = op.value().equals(at.configs(new ConfigResource(ConfigResource.Type.TOPIC, op.name())).get(op.key()));
        } else if (ack.op() instanceof SimMessage.RegisterBroker op) {
            BrokerRegistration registered = at.brokers().get(op.registration().brokerId());
            holds = Objects.equals(registered, BrokerRegistration.of(op.registration()));
        } else if (ack.op() instanceof SimMessage.AllocateProducerIds op) {
            holds = at.nextProducerId() == ack.firstProducerId() + op.blockSize();
        } else if (ack.op() instanceof SimMessage.LifecycleRegistration op) {
            BrokerRegistration registered = at.brokers().get(op.request().brokerId());
            holds = registered != null && registered.incarnationId().equals(op.request().incarnationId())
                    && registered.brokerEpoch() == ((BrokerRegistrationResponseData) ack.reply()).brokerEpoch();
        } else if (ack.op() instanceof SimMessage.Heartbeat op) {
            BrokerRegistration registered = at.brokers().get(op.request().brokerId());
            holds = registered != null && registered.brokerEpoch() == op.request().brokerEpoch();
        } else if (ack.op() instanceof SimMessage.AlterIsr op) {
            AlterPartitionResponseData.PartitionData answer =
                    ((AlterPartitionResponseData) ack.reply()).topics().get(0).partitions().get(0);
            var partition = at.topics().byId(op.request().topics().get(0).topicId())
                    .flatMap(t -> t.partition(answer.partitionIndex()));
            holds = partition.isPresent() && partition.get().isr().equals(answer.isr())
                    && partition.get().partitionEpoch() == answer.partitionEpoch()
                    && partition.get().leaderEpoch() == answer.leaderEpoch();
        } else {
            throw new IllegalArgumentException("Unexpected operation: " + ack.op());
        }
        if (!holds) {
            throw new AssertionError("Acknowledged operation not in the committed history at its offset: " + ack
                    + " image=" + at + " topics=" + at.topics());
        }
    }

    /** Two brokers never get the same producer id, whatever leader handed the blocks out. */
    private void checkDisjoint(Ack ack, int blockSize) {
        Map.Entry<Long, Ack> below = producerIdBlocks.floorEntry(ack.firstProducerId());
        Map.Entry<Long, Ack> above = producerIdBlocks.ceilingEntry(ack.firstProducerId());
        boolean overlapsBelow = below != null && below.getKey()
                + ((SimMessage.AllocateProducerIds) below.getValue().op()).blockSize() > ack.firstProducerId();
        boolean overlapsAbove = above != null && above.getKey() < ack.firstProducerId() + blockSize;
        if (overlapsBelow || overlapsAbove) {
            throw new AssertionError("Producer id blocks overlap: " + ack + " other="
                    + (overlapsBelow ? below.getValue() : above.getValue()));
        }
        producerIdBlocks.put(ack.firstProducerId(), ack);
    }

    /** An acknowledged topic is visible on {@code node} once it has applied up to the ack's offset. */
    void verifyVisibleOn(ControllerNode node) {
        for (Ack ack : createdTopics) {
            if (node.appliedOffset() < ack.ackOffset()) {
                continue;
            }
            OptionalLong removed = reference.removedAt(ack.topicId());
            boolean deletedSince = removed.isPresent() && removed.getAsLong() <= node.appliedOffset();
            if (!deletedSince && node.image().topics().byId(ack.topicId()).isEmpty()) {
                throw new AssertionError("Acknowledged topic missing on a node that applied past its offset: " + ack
                        + " node=" + node);
            }
        }
    }
}
