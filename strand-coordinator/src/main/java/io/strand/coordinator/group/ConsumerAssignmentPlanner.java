package io.strand.coordinator.group;

import com.google.re2j.Pattern;
import io.strand.coordinator.group.assignor.Assignments;
import io.strand.coordinator.group.assignor.ConsumerAssignor;
import io.strand.coordinator.group.consumer.ConsumerGroup;
import io.strand.coordinator.group.consumer.ConsumerMember;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerGroupMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentKey;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMemberValue;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataKey;
import io.strand.coordinator.group.record.CoordinatorRecord.TargetAssignmentMetadataValue;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.CoordinatorRecord.ConsumerMemberAssignmentValue;
import io.strand.coordinator.group.record.FormerTopics;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;

/**
 * The group-wide half of a consumer-protocol operation: which topics the members subscribe to
 * (names, and regular expressions resolved against the cluster's topics), whether that moves
 * the group epoch, and the new target assignment from the group's server assignor — all as
 * records, nothing applied. Regular expressions come from clients, so they are RE2 expressions
 * (re2j, as Kafka's coordinator uses): matching takes time linear in the topic name, where a
 * backtracking engine could spend hours on one crafted pattern and stall the shard's thread.
 *
 * <p>A member's regex resolves only over the topics its principal may DESCRIBE: the {@link TopicAccess}
 * of its latest heartbeat, kept here in memory per member (not in records) and dropped when a plan no
 * longer has the member. Kafka filters a group's resolved regexes through the authorizer with the
 * context of the heartbeat that triggered the refresh; here each member's own principal decides, so
 * in a group of several principals none is assigned a topic it may not describe. A member this
 * coordinator has not heard from since it loaded the group (after a failover) keeps the matches the
 * group had recorded as subscribed until its next heartbeat, as Kafka keeps its recorded resolutions.
 *
 * <p>Not thread-safe: runs on the shard's thread.
 */
final class ConsumerAssignmentPlanner {

    /** Where a plan leaves the group: its target assignment and that assignment's epoch. */
    record Target(int assignmentEpoch, Map<String, Map<String, Set<Integer>>> assignment) {
    }

    private static final int MAX_PATTERNS = 1024;

    private final ShardContext context;
    /** Compiled subscription regexes; cleared when it grows past {@value #MAX_PATTERNS}. */
    private final Map<String, Pattern> patterns = new HashMap<>();
    /** Group id → member id → the topic access of the member's latest heartbeat. */
    private final Map<String, Map<String, TopicAccess>> access = new HashMap<>();

    ConsumerAssignmentPlanner(ShardContext context) {
        this.context = context;
    }

    /** Remembers the topic access of a member's heartbeat: its regex resolves through it from now on. */
    void onHeartbeat(String groupId, String memberId, TopicAccess topicAccess) {
        access.computeIfAbsent(groupId, g -> new HashMap<>()).put(memberId, topicAccess);
    }

    /**
     * Bumps the group epoch if {@code forceBump}, the subscribed topics or their replicas' racks changed
     * or one was replaced (see {@link #replacedTopics}), and then, if the
     * target lags the group epoch and the group's assignment interval has passed since the last one
     * ({@link #mayAssign}), computes a new target assignment for {@code members}, adding the records to
     * {@code records}. Otherwise the target stays what it was, at its epoch: a change within the interval
     * leaves the group ASSIGNING until a heartbeat after it, as Kafka batches assignments (KIP-1263).
     *
     * @param previousTarget the target to start from (members renamed or removed already)
     * @param mayAssignNow   false to leave the target as it is whatever the interval (the epoch still moves)
     */
    Target plan(ConsumerGroup group, Map<String, ConsumerMember> members,
                Map<String, Map<String, Set<Integer>>> previousTarget, boolean forceBump, boolean mayAssignNow,
                List<CoordinatorRecord> records) {
        Map<String, Integer> allTopics = context.topicPartitionCounts();
        Map<String, Set<String>> subscriptions = new TreeMap<>();
        boolean replaced = !replacedTopics(group).isEmpty();
        int groupEpoch = maybeBump(group, members, forceBump || replaced, allTopics, subscriptions, records);
        if (groupEpoch <= group.assignmentEpoch() || !mayAssignNow || !mayAssign(group)) {
            return new Target(group.assignmentEpoch(), previousTarget);
        }
        String groupId = group.groupId();
        Map<String, Integer> subscribed = subscribedPartitions(subscriptions, allTopics);
        Map<String, Map<String, Set<Integer>>> next = assignor(members.values())
                .assign(subscriptions, subscribed, previousTarget, homogeneous(members.values()));
        for (Map.Entry<String, Map<String, Set<Integer>>> e : next.entrySet()) {
            if (!e.getValue().equals(previousTarget.getOrDefault(e.getKey(), Assignments.EMPTY))
                    || !group.targetAssignment().containsKey(e.getKey())) {
                records.add(new CoordinatorRecord(new TargetAssignmentMemberKey(groupId, e.getKey()),
                        new TargetAssignmentMemberValue(e.getValue())));
            }
        }
        records.add(new CoordinatorRecord(new TargetAssignmentMetadataKey(groupId),
                new TargetAssignmentMetadataValue(groupEpoch, context.nowMs())));
        return new Target(groupEpoch, next);
    }

    /**
     * Bumps the group epoch for members that left ({@code members} are those that stay), without a new
     * target: as Kafka, the remaining members get theirs at a heartbeat ({@link #plan}).
     */
    void bumpForRemoval(ConsumerGroup group, Map<String, ConsumerMember> members, List<CoordinatorRecord> records) {
        retireReplacedTopics(group, members, new TreeMap<>(group.targetAssignment()), records);
        maybeBump(group, members, true, context.topicPartitionCounts(), new TreeMap<>(), records);
    }

    /**
     * The topics {@code group}'s epoch subscribed to that are no longer there, name to the id they had:
     * deleted since, perhaps created again under their names (another id). Kafka's groups name topics by
     * id, so to them such a topic is gone and one created again is new: the group epoch moves, members
     * revoke the old topic's partitions and are given the new one's afresh. A topic whose id the group
     * did not record (records written before ids were kept, or no ids known) is never replaced.
     */
    Map<String, Uuid> replacedTopics(ConsumerGroup group) {
        Map<String, Uuid> replaced = new TreeMap<>();
        group.subscribedTopicIds().forEach((topic, id) -> {
            if (!Uuid.ZERO_UUID.equals(id) && !id.equals(context.topicIds().idOf(topic))) {
                replaced.put(topic, id);
            }
        });
        return replaced;
    }

    /**
     * Renames the partitions of {@link #replacedTopics replaced topics} to their {@link FormerTopics former
     * topics}, in the members' assignments ({@code members}) and the target ({@code target}, member to
     * partitions), with a record of each one so changed. Kafka's members and target keep such partitions by
     * their old ids in the same way until the next target, which has none: so each member revokes them in
     * its reconciliation, and the assignor gives a topic created again afresh.
     */
    void retireReplacedTopics(ConsumerGroup group, Map<String, ConsumerMember> members,
                              Map<String, Map<String, Set<Integer>>> target, List<CoordinatorRecord> records) {
        Map<String, Uuid> replaced = replacedTopics(group);
        if (replaced.isEmpty()) {
            return;
        }
        Map<String, String> renames = new TreeMap<>();
        replaced.forEach((topic, id) -> renames.put(topic, FormerTopics.name(id)));
        String groupId = group.groupId();
        for (Map.Entry<String, ConsumerMember> e : members.entrySet()) {
            ConsumerMember member = e.getValue();
            ConsumerMemberAssignmentValue renamed = member.assignment().withTopicsRenamed(renames);
            if (renamed != member.assignment()) {
                e.setValue(member.withAssignment(renamed));
                records.add(new CoordinatorRecord(new ConsumerMemberAssignmentKey(groupId, member.memberId()), renamed));
            }
        }
        for (Map.Entry<String, Map<String, Set<Integer>>> e : target.entrySet()) {
            if (renames.keySet().stream().anyMatch(e.getValue()::containsKey)) {
                Map<String, Set<Integer>> renamed = new TreeMap<>();
                e.getValue().forEach((topic, partitions) -> renamed.put(renames.getOrDefault(topic, topic), partitions));
                e.setValue(renamed);
                records.add(new CoordinatorRecord(new TargetAssignmentMemberKey(groupId, e.getKey()),
                        new TargetAssignmentMemberValue(renamed)));
            }
        }
    }

    /**
     * Resolves each member's topics into {@code subscriptions} and bumps the group epoch (a record) if
     * {@code forceBump} or the subscribed topics changed.
     *
     * @return the group epoch after
     */
    private int maybeBump(ConsumerGroup group, Map<String, ConsumerMember> members, boolean forceBump,
                          Map<String, Integer> allTopics, Map<String, Set<String>> subscriptions,
                          List<CoordinatorRecord> records) {
        String groupId = group.groupId();
        forgetAccessOfOthers(groupId, members.keySet());
        for (ConsumerMember member : members.values()) {
            subscriptions.put(member.memberId(), resolve(group, member, allTopics));
        }
        Map<String, Integer> subscribed = subscribedPartitions(subscriptions, allTopics);
        int groupEpoch = group.groupEpoch();
        Map<String, Long> racks = new TreeMap<>();
        subscribed.keySet().forEach(topic -> {
            long hash = SubscribedTopicsHash.racksOf(topic, context.topicIds());
            if (hash != SubscribedTopicsHash.NONE) {
                racks.put(topic, hash);
            }
        });
        if (forceBump || !subscribed.equals(group.subscribedTopicPartitions())
                || !racks.equals(group.subscribedTopicRacks())) {
            groupEpoch++;
            Map<String, Uuid> ids = new TreeMap<>();
            subscribed.keySet().forEach(topic -> {
                Uuid id = context.topicIds().idOf(topic);
                if (!Uuid.ZERO_UUID.equals(id)) {
                    ids.put(topic, id);
                }
            });
            records.add(new CoordinatorRecord(new ConsumerGroupMetadataKey(groupId),
                    new ConsumerGroupMetadataValue(groupEpoch, subscribed, ids, racks)));
        }
        return groupEpoch;
    }

    private static Map<String, Integer> subscribedPartitions(Map<String, Set<String>> subscriptions,
                                                             Map<String, Integer> allTopics) {
        Map<String, Integer> subscribed = new TreeMap<>();
        subscriptions.values().forEach(topics -> topics.forEach(t -> subscribed.put(t, allTopics.get(t))));
        return subscribed;
    }

    /**
     * Whether a new target may be computed now: the group never had one (or its time is unknown), the
     * interval (the group's {@code consumer.assignment.interval.ms}, else the broker's) is 0, or the
     * interval has passed since the last one.
     */
    private boolean mayAssign(ConsumerGroup group) {
        long last = group.assignmentTimestampMs();
        int interval = context.consumerAssignmentIntervalMs(group.groupId());
        return last == 0 || interval == 0 || context.nowMs() - last >= interval;
    }

    /**
     * Whether Kafka counts the members' subscriptions as homogeneous: with no regular expression, every
     * topic named (existing or not) is named by every member; with one, every member subscribes by that
     * same expression and none by name. Members without any subscription make a group heterogeneous.
     */
    static boolean homogeneous(Collection<ConsumerMember> members) {
        Map<String, Integer> byName = new HashMap<>();
        Map<String, Integer> byRegex = new HashMap<>();
        for (ConsumerMember member : members) {
            new TreeSet<>(member.metadata().subscribedTopicNames()).forEach(t -> byName.merge(t, 1, Integer::sum));
            String regex = member.metadata().subscribedTopicRegex();
            if (regex != null && !regex.isEmpty()) {
                byRegex.merge(regex, 1, Integer::sum);
            }
        }
        if (byRegex.isEmpty()) {
            return byName.values().stream().allMatch(n -> n == members.size());
        }
        return byRegex.size() == 1 && byRegex.values().iterator().next() == members.size() && byName.isEmpty();
    }

    /** The tombstones that remove one member: its current assignment, target and metadata. */
    static void removal(String groupId, String memberId, List<CoordinatorRecord> records) {
        records.add(new CoordinatorRecord(new ConsumerMemberAssignmentKey(groupId, memberId), null));
        records.add(new CoordinatorRecord(new TargetAssignmentMemberKey(groupId, memberId), null));
        records.add(new CoordinatorRecord(new ConsumerMemberMetadataKey(groupId, memberId), null));
    }

    /**
     * The group's assignor: the one most members ask for (ties by name), else the first of
     * {@code group.consumer.assignors}.
     */
    ConsumerAssignor assignor(Collection<ConsumerMember> members) {
        Map<String, Integer> votes = new TreeMap<>();
        for (ConsumerMember member : members) {
            String name = member.metadata().serverAssignor();
            if (name != null && ConsumerAssignor.named(name) != null) {
                votes.merge(name, 1, Integer::sum);
            }
        }
        String chosen = context.config().consumerAssignors().get(0);
        int best = 0;
        for (Map.Entry<String, Integer> vote : votes.entrySet()) {
            if (vote.getValue() > best) {
                best = vote.getValue();
                chosen = vote.getKey();
            }
        }
        return ConsumerAssignor.named(chosen);
    }

    private void forgetAccessOfOthers(String groupId, Set<String> memberIds) {
        Map<String, TopicAccess> ofGroup = access.get(groupId);
        if (ofGroup != null) {
            ofGroup.keySet().retainAll(memberIds);
            if (ofGroup.isEmpty()) {
                access.remove(groupId);
            }
        }
    }

    /**
     * The existing topics a member of {@code group} subscribes to: by name, and by regular expression
     * over the non-internal topics its principal may describe.
     */
    Set<String> resolve(ConsumerGroup group, ConsumerMember member, Map<String, Integer> allTopics) {
        Set<String> topics = new TreeSet<>();
        for (String name : member.metadata().subscribedTopicNames()) {
            if (allTopics.containsKey(name)) {
                topics.add(name);
            }
        }
        String regex = member.metadata().subscribedTopicRegex();
        if (regex != null) {
            if (patterns.size() >= MAX_PATTERNS && !patterns.containsKey(regex)) {
                patterns.clear();
            }
            Pattern pattern = patterns.computeIfAbsent(regex, Pattern::compile);
            TopicAccess topicAccess = access.getOrDefault(group.groupId(), Map.of()).get(member.memberId());
            Map<String, Integer> recorded = group.subscribedTopicPartitions();
            for (String topic : allTopics.keySet()) {
                if (!Topic.isInternal(topic) && pattern.matcher(topic).matches()
                        && (topicAccess == null ? recorded.containsKey(topic) : topicAccess.mayDescribe(topic))) {
                    topics.add(topic);
                }
            }
        }
        return topics;
    }
}
