package io.strand.metadata.sim;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.image.PartitionRegistration;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.RemoveTopicRecord;
import io.strand.metadata.record.TopicRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * The images a correct node must hold: the committed log replayed from scratch, one batch at a
 * time, kept for every offset (images are immutable and share structure, so this is cheap at
 * simulation sizes). While replaying it checks what must hold of the committed history itself:
 * every batch applies (the controller validated it against an image holding everything before
 * it), a topic id is never used for a second topic, and every partition's replicas, in-sync
 * replicas and leader are registered brokers.
 *
 * <p>Not thread-safe: owned by the simulation's event loop.
 */
final class ReferenceReplay {

    private final CommittedLog log;
    /** Index = offset; offset 0 is the empty image. */
    private final List<MetadataImage> images = new ArrayList<>(List.of(MetadataImage.EMPTY));
    private final Map<Uuid, Long> createdAt = new HashMap<>();
    private final Map<Uuid, Long> removedAt = new HashMap<>();
    private final LeadershipInvariants leadership = new LeadershipInvariants();

    ReferenceReplay(CommittedLog log) {
        this.log = log;
    }

    /** Replays entries committed since the last call, checking each. */
    void catchUp() {
        while (images.size() - 1 < log.lastOffset()) {
            LogEntry entry = log.get(images.size());
            MetadataImage previous = images.get(images.size() - 1);
            List<MetadataRecord> records = entry.records();
            MetadataDelta delta = new MetadataDelta(previous);
            try {
                delta.replayAll(records);
            } catch (MetadataReplayException e) {
                throw new AssertionError("Committed batch does not apply: " + entry + " reason=" + e.getMessage(), e);
            }
            MetadataImage next = delta.apply(entry.offset());
            for (MetadataRecord record : records) {
                if (record instanceof TopicRecord t) {
                    Long earlier = createdAt.putIfAbsent(t.topicId(), entry.offset());
                    if (earlier != null) {
                        throw new AssertionError("Topic id reused: topicId=" + t.topicId() + " name=" + t.name()
                                + " firstCreatedAt=" + earlier + " againAt=" + entry.offset());
                    }
                } else if (record instanceof RemoveTopicRecord r) {
                    removedAt.put(r.topicId(), entry.offset());
                }
            }
            checkPlacement(next);
            leadership.check(previous, next);
            images.add(next);
        }
    }

    private static void checkPlacement(MetadataImage image) {
        Set<Integer> brokers = image.brokers().keySet();
        for (TopicImage topic : image.topics().all()) {
            topic.partitions().forEach((partition, p) -> {
                Set<Integer> distinct = new HashSet<>(p.replicas());
                boolean ok = !p.replicas().isEmpty() && distinct.size() == p.replicas().size()
                        && brokers.containsAll(distinct) && distinct.containsAll(p.isr())
                        && (p.leader() == PartitionRegistration.NO_LEADER || distinct.contains(p.leader()));
                if (!ok) {
                    throw new AssertionError("Partition placed off the registered brokers: topic=" + topic.name()
                            + " partition=" + partition + " registration=" + p + " brokers=" + brokers
                            + " appliedOffset=" + image.appliedOffset());
                }
            });
        }
    }

    /** The image after replaying offsets 1 to {@code offset} from scratch. */
    MetadataImage imageAt(long offset) {
        if (offset < 0 || offset >= images.size()) {
            throw new AssertionError("No committed history up to offset=" + offset + " (committed up to "
                    + (images.size() - 1) + ")");
        }
        return images.get((int) offset);
    }

    long lastOffset() {
        return images.size() - 1L;
    }

    /** The offset of the RemoveTopicRecord of {@code topicId}, if it was deleted. */
    OptionalLong removedAt(Uuid topicId) {
        Long offset = removedAt.get(topicId);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    LeadershipInvariants leadership() {
        return leadership;
    }

    int topicsEverCreated() {
        return createdAt.size();
    }
}
