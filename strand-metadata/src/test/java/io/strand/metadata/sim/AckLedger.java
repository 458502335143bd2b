package io.strand.metadata.sim;

import io.strand.metadata.BrokerRegistration;
import io.strand.metadata.MetadataImage;
import io.strand.metadata.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

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
    record Ack(SimMessage.Op op, Uuid topicId, long ackOffset) {
    }

    private final ReferenceReplay reference;
    private final List<Ack> acks = new ArrayList<>();
    private final List<Ack> createdTopics = new ArrayList<>();

    AckLedger(ReferenceReplay reference) {
        this.reference = reference;
    }

    int size() {
        return acks.size();
    }

    void onAck(SimMessage.Op op, SimMessage.Response response) {
        Ack ack = new Ack(op, response.topicId(), response.ackOffset());
        acks.add(ack);
        if (op instanceof SimMessage.CreateTopic) {
            createdTopics.add(ack);
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
            holds = Objects.equals(registered, op.registration().registration());
        } else {
            throw new IllegalArgumentException("Unexpected operation: " + ack.op());
        }
        if (!holds) {
            throw new AssertionError("Acknowledged operation not in the committed history at its offset: " + ack
                    + " image=" + at + " topics=" + at.topics());
        }
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
