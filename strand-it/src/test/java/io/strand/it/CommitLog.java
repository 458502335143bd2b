package io.strand.it;

import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The offset commits of one consumer group's members and what became of each, as the clients saw
 * it: acknowledged ({@code commitSync} returned, or the callback had no error), failed, or still
 * pending (unknown, if the broker dies now). Keeps, per partition, the highest offset an
 * acknowledged commit carried, and notes a member's acknowledged commit below one of its own
 * earlier ones: members commit only the offset after records they read, and a member that gets a
 * partition resumes at its committed offset, so such a regression means a member resumed below an
 * acknowledged commit. (Across members the order in which the clients report acknowledgements is
 * not the order the broker applied the commits: an async member's callback may run long after its
 * answer came, when another member has committed further.) The member is the commit's metadata.
 *
 * <p>Thread-safe: members begin and complete commits on their threads, the test reads.
 */
final class CommitLog {

    private static final int HISTORY = 8;

    final String group;
    private final Map<Long, Map<TopicPartition, OffsetAndMetadata>> pending = new HashMap<>();
    private final Map<Long, LocalTime> sentAt = new HashMap<>();
    /** Per partition, the latest acknowledged commits, for a regression's message. */
    private final Map<TopicPartition, Deque<String>> history = new HashMap<>();
    private final Map<TopicPartition, Long> highestAcked = new HashMap<>();
    private final Map<String, Long> highestAckedByMember = new HashMap<>();
    private final Set<Long> failedIds = new HashSet<>();
    private final List<String> regressions = new ArrayList<>();
    private long nextId;
    private long acked;
    private long failed;
    private String firstFailure;

    CommitLog(String group) {
        this.group = group;
    }

    /** Records a commit about to be sent; returns its id for {@link #complete}. */
    synchronized long begin(Map<TopicPartition, OffsetAndMetadata> offsets) {
        long id = nextId++;
        pending.put(id, Map.copyOf(offsets));
        sentAt.put(id, LocalTime.now());
        return id;
    }

    /** Completes commit {@code id}: acknowledged if {@code error} is null. */
    synchronized void complete(long id, Exception error) {
        Map<TopicPartition, OffsetAndMetadata> offsets = pending.remove(id);
        if (offsets == null) {
            throw new IllegalStateException("commit id=" + id + " of group=" + group + " completed twice");
        }
        LocalTime sent = sentAt.remove(id);
        LocalTime answered = LocalTime.now();
        if (error != null) {
            failed++;
            failedIds.add(id);
            if (firstFailure == null) {
                firstFailure = error.toString();
            }
            return;
        }
        acked++;
        offsets.forEach((tp, offset) -> {
            Deque<String> latest = history.computeIfAbsent(tp, p -> new ArrayDeque<>());
            highestAcked.merge(tp, offset.offset(), Math::max);
            String memberPartition = offset.metadata() + "@" + tp;
            Long highestOfMember = highestAckedByMember.get(memberPartition);
            if (highestOfMember != null && offset.offset() < highestOfMember) {
                regressions.add(tp + ": acknowledged " + offset.offset() + " (by " + offset.metadata() + ", sent at "
                        + sent + ", acknowledged at " + answered + ") after " + highestOfMember + "; before: " + latest);
            } else {
                highestAckedByMember.put(memberPartition, offset.offset());
            }
            latest.addLast(offset.offset() + " by " + offset.metadata() + " " + sent + "-" + answered);
            if (latest.size() > HISTORY) {
                latest.removeFirst();
            }
        });
    }

    synchronized long acked() {
        return acked;
    }

    synchronized long failed() {
        return failed;
    }

    /** The ids of the commits sent and not yet answered (as far as the client has told). */
    synchronized Set<Long> pendingIds() {
        return new HashSet<>(pending.keySet());
    }

    /** How many of {@code ids} have failed so far. */
    synchronized long failedOf(Set<Long> ids) {
        return ids.stream().filter(failedIds::contains).count();
    }

    /** Partition to the highest offset an acknowledged commit carried. */
    synchronized Map<TopicPartition, Long> highestAcked() {
        Map<TopicPartition, Long> copy = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        copy.putAll(highestAcked);
        return copy;
    }

    synchronized List<String> regressions() {
        return List.copyOf(regressions);
    }

    @Override
    public synchronized String toString() {
        return group + "{acked=" + acked + " failed=" + failed + " pending=" + pending.size()
                + (firstFailure == null ? "" : " firstFailure=" + firstFailure) + "}";
    }
}
