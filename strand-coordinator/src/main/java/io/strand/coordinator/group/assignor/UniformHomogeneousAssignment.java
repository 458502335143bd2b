package io.strand.coordinator.group.assignor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * The {@code uniform} assignor's target when every member subscribes to the same topics, computed as Kafka
 * 4.3's homogeneous builder computes it, so that the same group gets the same assignment from either
 * broker. Balanced to within one partition, then as sticky as that allows:
 *
 * <ol>
 *   <li>each member's quota is {@code floor(total / members)}; {@code total % members} of them may take
 *       one more. Members are visited in order, and a member is offered the extra one while some are left
 *       to give. It keeps its previous partitions of the subscribed topics up to its quota, topic by topic,
 *       and gives the rest back. A member that did not fill its offered quota gives the extra one up again
 *       when more members follow (itself included) than extra ones remain, so that the members that held
 *       the most keep theirs, while the last members are made to take the extras still left;</li>
 *   <li>the partitions to hand out form one list: those nobody held (topic by topic, each ascending), then
 *       those given back (in the order they were given back); the members below their quota, in order,
 *       take them from the head of the list until full.</li>
 * </ol>
 *
 * <p>Order matters, as the assignments are compared exactly: members in the iteration order of a
 * {@link java.util.HashMap} of their ids (see {@link UniformHeterogeneousAssignment}); a member's previous
 * partitions of a topic in the iteration order of a {@link HashSet} of them, as Kafka rebuilds them from
 * its target assignment record (within one hash bucket, partitions that share it iterate here in ascending
 * order, where Kafka keeps the order of the record); topics in the order of their names (Kafka follows the
 * hash of their ids, which each cluster draws at random).
 */
final class UniformHomogeneousAssignment {

    private UniformHomogeneousAssignment() {
    }

    /** Member id → its partitions, an entry for every member. */
    static Map<String, Map<String, Set<Integer>>> assign(Map<String, Set<String>> subscriptions,
                                                         Map<String, Integer> partitionCounts,
                                                         Map<String, Map<String, Set<Integer>>> previous) {
        List<String> members = UniformAssignor.kafkaMemberOrder(subscriptions.keySet());
        Map<String, Map<String, Set<Integer>>> result = new TreeMap<>();
        members.forEach(m -> result.put(m, new TreeMap<>()));
        if (members.isEmpty()) {
            return result;
        }
        // Every member subscribes to the same topics; Kafka reads them off the first.
        Set<String> topics = new TreeSet<>(subscriptions.get(members.get(0)));
        topics.retainAll(partitionCounts.keySet());
        if (topics.isEmpty()) {
            return finish(result);
        }

        Map<String, Set<Integer>> held = new TreeMap<>();
        for (String member : members) {
            previous.getOrDefault(member, Assignments.EMPTY).forEach((topic, partitions) ->
                    held.computeIfAbsent(topic, t -> new HashSet<>()).addAll(partitions));
        }
        List<TopicPartition> toHandOut = new ArrayList<>();
        int total = 0;
        for (String topic : topics) {
            int count = partitionCounts.get(topic);
            Set<Integer> ofTopic = held.getOrDefault(topic, Set.of());
            for (int p = 0; p < count; p++) {
                if (!ofTopic.contains(p)) {
                    toHandOut.add(new TopicPartition(topic, p));
                }
            }
            total += count;
        }
        int minQuota = total / members.size();
        int extrasLeft = total % members.size();
        List<String> unfilled = new ArrayList<>();
        List<Integer> unfilledRoom = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            String member = members.get(i);
            int room = minQuota;
            boolean offeredExtra = extrasLeft > 0;
            if (offeredExtra) {
                room++;
            }
            Map<String, Set<Integer>> target = result.get(member);
            for (Map.Entry<String, Set<Integer>> e
                    : new TreeMap<>(previous.getOrDefault(member, Assignments.EMPTY)).entrySet()) {
                String topic = e.getKey();
                if (!topics.contains(topic)) {
                    continue;
                }
                int count = partitionCounts.get(topic);
                Set<Integer> partitions = new TreeSet<>();
                e.getValue().stream().filter(p -> p >= 0 && p < count).forEach(partitions::add);
                if (partitions.size() <= room) {
                    target.put(topic, partitions);
                    room -= partitions.size();
                    continue;
                }
                Set<Integer> kept = new TreeSet<>();
                for (int p : new HashSet<>(partitions)) {
                    if (room > 0) {
                        kept.add(p);
                        room--;
                    } else {
                        toHandOut.add(new TopicPartition(topic, p));
                    }
                }
                if (!kept.isEmpty()) {
                    target.put(topic, kept);
                }
            }
            if (room > 0 && offeredExtra && members.size() - i > extrasLeft) {
                room--; // a later member takes the extra one
                offeredExtra = false;
            }
            if (room > 0) {
                unfilled.add(member);
                unfilledRoom.add(room);
            }
            if (offeredExtra) {
                extrasLeft--;
            }
        }

        int next = 0;
        for (int u = 0; u < unfilled.size(); u++) {
            Map<String, Set<Integer>> target = result.get(unfilled.get(u));
            for (int taken = 0; taken < unfilledRoom.get(u) && next < toHandOut.size(); taken++, next++) {
                TopicPartition tp = toHandOut.get(next);
                target.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition());
            }
        }
        return finish(result);
    }

    private static Map<String, Map<String, Set<Integer>>> finish(Map<String, Map<String, Set<Integer>>> result) {
        result.replaceAll((member, assignment) -> Assignments.copyOf(assignment));
        return result;
    }
}
