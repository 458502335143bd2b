package io.strand.it;

import java.time.LocalTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
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
    /** Per member and partition ({@code member@tp}), the member's latest assignments and resumptions. */
    private final Map<String, Deque<String>> memberEvents = new HashMap<>();
    /** Per member and partition, the offset after the last record the member read since its assignment. */
    private final Map<String, Long> nextRead = new HashMap<>();
    /** Per member that reports its assignments, the partitions it owns now. */
    private final Map<String, Set<TopicPartition>> owned = new HashMap<>();
    /** Commits that carried a partition their member did not own when it sent them. */
    private final List<String> unownedCommits = new ArrayList<>();
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
        offsets.forEach((tp, offset) -> {
            Set<TopicPartition> ownedByMember = owned.get(offset.metadata());
            if (ownedByMember != null && !ownedByMember.contains(tp)) {
                unownedCommits.add(tp + "=" + offset.offset() + " by " + offset.metadata() + " at " + LocalTime.now()
                        + "; the member lately: " + memberEvents.get(offset.metadata() + "@" + tp));
            }
        });
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
                        + sent + ", acknowledged at " + answered + ") after " + highestOfMember + "; before: " + latest
                        + "; the member lately: " + memberEvents.get(memberPartition));
            } else {
                highestAckedByMember.put(memberPartition, offset.offset());
            }
            latest.addLast(offset.offset() + " by " + offset.metadata() + " " + sent + "-" + answered);
            if (latest.size() > HISTORY) {
                latest.removeFirst();
            }
        });
    }

    /** {@code member} was given {@code partitions}; it resumes at whatever its client decides. */
    synchronized void assigned(String member, Collection<TopicPartition> partitions) {
        owned.computeIfAbsent(member, m -> new HashSet<>()).addAll(partitions);
        for (TopicPartition tp : partitions) {
            String memberPartition = member + "@" + tp;
            nextRead.remove(memberPartition);
            event(memberPartition, "assigned at " + LocalTime.now());
        }
    }

    /** {@code member} gave up {@code partitions} (revoked, or lost if {@code lost}). */
    synchronized void revoked(String member, Collection<TopicPartition> partitions, boolean lost) {
        owned.computeIfAbsent(member, m -> new HashSet<>()).removeAll(partitions);
        for (TopicPartition tp : partitions) {
            String memberPartition = member + "@" + tp;
            nextRead.remove(memberPartition);
            event(memberPartition, (lost ? "lost" : "revoked") + " at " + LocalTime.now());
        }
    }

    /**
     * {@code member} read {@code offset} of {@code tp}: notes where it resumed after an assignment
     * (against its own highest acknowledged commit then) and any jump of its position without one.
     */
    synchronized void read(String member, TopicPartition tp, long offset) {
        String memberPartition = member + "@" + tp;
        Long expected = nextRead.put(memberPartition, offset + 1);
        if (expected == null) {
            event(memberPartition, "resumed at " + offset + " (its highest acknowledged commit "
                    + highestAckedByMember.get(memberPartition) + ", the group's " + highestAcked.get(tp) + ") at "
                    + LocalTime.now());
        } else if (offset != expected) {
            event(memberPartition, "read " + offset + " after " + (expected - 1) + " without a reassignment at "
                    + LocalTime.now());
        }
    }

    private void event(String memberPartition, String event) {
        Deque<String> events = memberEvents.computeIfAbsent(memberPartition, k -> new ArrayDeque<>());
        events.addLast(event);
        if (events.size() > HISTORY) {
            events.removeFirst();
        }
    }

    synchronized long acked() {
        return acked;
    }

    synchronized long failed() {
        return failed;
    }

    /** True if a commit {@code member} sent is still pending. */
    synchronized boolean hasPendingOf(String member) {
        return pending.values().stream()
                .anyMatch(offsets -> offsets.values().stream().anyMatch(o -> member.equals(o.metadata())));
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

    /**
     * Commits of a partition its member did not own when it sent it (members that report their
     * assignments only): such a commit, accepted in the member's current generation, can move the
     * group's committed offset back below the partition's new owner's commits.
     */
    synchronized List<String> unownedCommits() {
        return List.copyOf(unownedCommits);
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
