package io.strand.coordinator.group.classic;

import io.strand.coordinator.group.record.CoordinatorRecord.GroupValue;
import io.strand.coordinator.group.record.CoordinatorRecord.MemberValue;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.protocol.Errors;

/**
 * A classic group: its {@link GroupState} (transitions checked, see there), generation, protocol
 * type and selected protocol, leader, members and static member ids.
 *
 * <p>Two kinds of state live here. The <em>durable</em> part — what a {@link GroupValue} record
 * holds: generation, protocol, leader, members with their subscription and assignment — changes only
 * in {@link #apply}, which runs both live after the record is appended and when the shard replays
 * its partition. The <em>rebalance</em> part — members joining and syncing, pending member ids, the
 * generation being formed before its assignment is stored — is not written to the log (Kafka does
 * not write it either): after a failover the members rejoin, so a rebalance in flight is lost
 * harmlessly.
 *
 * <p>Not thread-safe: owned by its shard's thread.
 */
public final class ClassicGroup {

    public static final String CONSUMER_PROTOCOL_TYPE = "consumer";

    private final String groupId;
    private GroupState state = GroupState.EMPTY;
    private long stateTimestampMs = -1;
    private int generationId;
    private String protocolType = "";
    private String protocolName;
    private String leaderId;
    private final LinkedHashMap<String, ClassicMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMemberIds = new HashMap<>();
    private final Set<String> pendingMemberIds = new HashSet<>();
    /** Set when a member joins during the initial delay, which then extends the delay once more. */
    private boolean newMemberAdded;
    /** True while the join phase waits out {@code group.initial.rebalance.delay.ms}. */
    private boolean inInitialDelay;
    private long initialDelayRemainingMs;

    public ClassicGroup(String groupId) {
        this.groupId = Objects.requireNonNull(groupId);
    }

    public String groupId() {
        return groupId;
    }

    public GroupState state() {
        return state;
    }

    public boolean isInState(GroupState candidate) {
        return state == candidate;
    }

    /** Moves to {@code target}, which must be a legal transition from the current state. */
    public void transitionTo(GroupState target, long nowMs) {
        if (!state.legalTargets().contains(target)) {
            throw new IllegalGroupTransitionException(groupId, state, target);
        }
        state = target;
        stateTimestampMs = nowMs;
    }

    public long stateTimestampMs() {
        return stateTimestampMs;
    }

    public int generationId() {
        return generationId;
    }

    public String protocolType() {
        return protocolType;
    }

    public String protocolName() {
        return protocolName;
    }

    public String leaderId() {
        return leaderId;
    }

    public boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    public Collection<ClassicMember> members() {
        return members.values();
    }

    public int size() {
        return members.size();
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }

    public boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    public ClassicMember member(String memberId) {
        return members.get(memberId);
    }

    public String staticMemberId(String groupInstanceId) {
        return groupInstanceId == null ? null : staticMemberIds.get(groupInstanceId);
    }

    /**
     * Whether this group takes an offset commit from {@code memberId} ({@code groupInstanceId} may be
     * null) at {@code generationId}, checked in Kafka's order: a dead group COORDINATOR_NOT_AVAILABLE;
     * no generation on an empty group (a simple or admin commit) NONE; a request naming a member (a
     * generation, member id or instance id) is checked as that member (an unknown instance id or member
     * UNKNOWN_MEMBER_ID, an instance id held by another member FENCED_INSTANCE_ID, another generation
     * ILLEGAL_GENERATION), one naming none is refused UNKNOWN_MEMBER_ID unless the group is empty or the
     * commit transactional; last, a non-transactional commit while the group completes a rebalance is
     * REBALANCE_IN_PROGRESS. A commit in PREPARING_REBALANCE from a member of the current generation is
     * taken, as Kafka takes it (the eager protocol commits there before rejoining).
     */
    public Errors validateOffsetCommit(String memberId, String groupInstanceId, int generationId,
                                       boolean transactional) {
        if (isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generationId < 0 && isInState(GroupState.EMPTY)) {
            return Errors.NONE;
        }
        boolean namesMember = generationId >= 0 || (memberId != null && !memberId.isEmpty())
                || groupInstanceId != null;
        if (namesMember) {
            if (groupInstanceId != null) {
                String holder = staticMemberId(groupInstanceId);
                if (holder == null) {
                    return Errors.UNKNOWN_MEMBER_ID;
                }
                if (!holder.equals(memberId)) {
                    return Errors.FENCED_INSTANCE_ID;
                }
            }
            if (!has(memberId)) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (generationId != this.generationId) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (!transactional && !isInState(GroupState.EMPTY)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (!transactional && isInState(GroupState.COMPLETING_REBALANCE)) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    /** A known instance id presented with another member id: the older holder of the id is fenced. */
    public boolean isStaticMemberFenced(String groupInstanceId, String memberId) {
        String current = staticMemberId(groupInstanceId);
        return current != null && !current.equals(memberId);
    }

    /** Adds a joining member; the first member of an empty group sets the group's protocol type. */
    public void add(ClassicMember member, String memberProtocolType) {
        if (members.isEmpty()) {
            protocolType = memberProtocolType;
        }
        members.put(member.memberId(), member);
        if (member.isStatic()) {
            staticMemberIds.put(member.groupInstanceId(), member.memberId());
        }
        if (leaderId == null) {
            leaderId = member.memberId();
        }
    }

    public ClassicMember remove(String memberId) {
        ClassicMember removed = members.remove(memberId);
        if (removed != null && removed.isStatic()) {
            staticMemberIds.remove(removed.groupInstanceId(), memberId);
        }
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
        return removed;
    }

    /** Puts a static member under a new member id, keeping its place and assignment. */
    public ClassicMember replaceStaticMember(String oldMemberId, String newMemberId) {
        ClassicMember old = members.get(oldMemberId);
        ClassicMember replacement = old.withMemberId(newMemberId);
        LinkedHashMap<String, ClassicMember> reordered = new LinkedHashMap<>();
        for (Map.Entry<String, ClassicMember> e : members.entrySet()) {
            if (e.getKey().equals(oldMemberId)) {
                reordered.put(newMemberId, replacement);
            } else {
                reordered.put(e.getKey(), e.getValue());
            }
        }
        members.clear();
        members.putAll(reordered);
        staticMemberIds.put(replacement.groupInstanceId(), newMemberId);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        return replacement;
    }

    public Set<String> pendingMemberIds() {
        return pendingMemberIds;
    }

    public boolean isPending(String memberId) {
        return pendingMemberIds.contains(memberId);
    }

    public boolean newMemberAdded() {
        return newMemberAdded;
    }

    public void setNewMemberAdded(boolean newMemberAdded) {
        this.newMemberAdded = newMemberAdded;
    }

    public boolean inInitialDelay() {
        return inInitialDelay;
    }

    public long initialDelayRemainingMs() {
        return initialDelayRemainingMs;
    }

    public void setInitialDelay(boolean inInitialDelay, long remainingMs) {
        this.inInitialDelay = inInitialDelay;
        this.initialDelayRemainingMs = remainingMs;
    }

    /** Every member has sent its JoinGroup and no member id handed out is still unused. */
    public boolean hasAllMembersJoined() {
        return pendingMemberIds.isEmpty() && members.values().stream().allMatch(ClassicMember::isAwaitingJoin);
    }

    public int maxRebalanceTimeoutMs() {
        return members.values().stream().mapToInt(ClassicMember::rebalanceTimeoutMs).max().orElse(0);
    }

    /**
     * Whether a member of {@code memberProtocolType} supporting {@code memberProtocols} may join: an
     * empty group takes any non-empty type with at least one protocol; otherwise the type must match
     * and one of the protocols must be supported by every member.
     */
    public boolean supportsProtocols(String memberProtocolType, Collection<String> memberProtocols) {
        if (members.isEmpty()) {
            return memberProtocolType != null && !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        if (!Objects.equals(protocolType, memberProtocolType)) {
            return false;
        }
        Set<String> common = candidateProtocols();
        return memberProtocols.stream().anyMatch(common::contains);
    }

    /** The protocols every member supports, in the first member's order of preference. */
    public Set<String> candidateProtocols() {
        Set<String> common = null;
        for (ClassicMember member : members.values()) {
            if (common == null) {
                common = new LinkedHashSet<>(member.protocolNames());
            } else {
                common.retainAll(member.protocols().keySet());
            }
        }
        return common == null ? Set.of() : common;
    }

    /** Each member votes for its most preferred candidate; the most votes wins (ties: first candidate). */
    public String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        candidates.forEach(c -> votes.put(c, 0));
        for (ClassicMember member : members.values()) {
            for (String name : member.protocolNames()) {
                if (candidates.contains(name)) {
                    votes.merge(name, 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        if (best == null) {
            throw new IllegalStateException("No protocol supported by every member: groupId=" + groupId);
        }
        return best;
    }

    /** Starts the next generation's join phase result: generation+1, protocol chosen, leader kept if present. */
    public void initNextGeneration(long nowMs) {
        generationId++;
        protocolName = selectProtocol();
        if (leaderId == null || !members.containsKey(leaderId)) {
            leaderId = members.keySet().iterator().next();
        }
        transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
    }

    /**
     * The record of this group as it would be with {@code assignments} (member id → assignment;
     * members missing get their current one) and {@code generationId}; with no members, the record of
     * an empty group.
     */
    public GroupValue toValue(int generation, Map<String, byte[]> assignments, long nowMs) {
        List<MemberValue> values = new ArrayList<>();
        for (ClassicMember m : members.values()) {
            byte[] assignment = assignments.getOrDefault(m.memberId(), m.assignment());
            values.add(new MemberValue(m.memberId(), m.groupInstanceId(), m.clientId(), m.clientHost(),
                    m.rebalanceTimeoutMs(), m.sessionTimeoutMs(), m.metadata(protocolName), assignment));
        }
        return new GroupValue(protocolType, generation, values.isEmpty() ? null : protocolName,
                values.isEmpty() ? null : leaderId, nowMs, values);
    }

    /**
     * Applies a group record: the durable state becomes the record's. Members in the record keep
     * their in-memory rebalance state; members not in it are dropped; members new to this shard are
     * created from the record. The state becomes STABLE (members) or EMPTY (none): through a legal
     * transition live, directly while {@code loading}.
     *
     * @return the members the record dropped (their pending responses are the caller's to answer)
     */
    public List<ClassicMember> apply(GroupValue value, boolean loading) {
        protocolType = value.protocolType();
        generationId = value.generationId();
        protocolName = value.protocolName();
        Map<String, ClassicMember> previous = new LinkedHashMap<>(members);
        members.clear();
        staticMemberIds.clear();
        for (MemberValue mv : value.members()) {
            ClassicMember member = previous.remove(mv.memberId());
            if (member == null) {
                LinkedHashMap<String, byte[]> protocols = new LinkedHashMap<>();
                protocols.put(value.protocolName(), mv.subscription());
                member = new ClassicMember(mv.memberId(), mv.groupInstanceId(), mv.clientId(), mv.clientHost(),
                        mv.rebalanceTimeoutMs(), mv.sessionTimeoutMs(), protocols);
                member.completeJoin(null);
            }
            member.setAssignment(mv.assignment());
            members.put(mv.memberId(), member);
            if (mv.groupInstanceId() != null) {
                staticMemberIds.put(mv.groupInstanceId(), mv.memberId());
            }
        }
        leaderId = value.leaderId();
        GroupState target = members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
        if (loading) {
            state = target;
            stateTimestampMs = value.stateTimestampMs();
        } else if (state != target) {
            transitionTo(target, value.stateTimestampMs());
        }
        return new ArrayList<>(previous.values());
    }

    /** Marks the group removed. */
    public void markDead(long nowMs) {
        transitionTo(GroupState.DEAD, nowMs);
    }

    /**
     * The topics the members of a consumer group subscribe to, from their subscriptions to the
     * selected protocol; null when that cannot be told (not a consumer group, no protocol, a
     * subscription this client library cannot parse), which callers must read as "maybe any".
     */
    public Set<String> subscribedTopics() {
        if (!CONSUMER_PROTOCOL_TYPE.equals(protocolType) || protocolName == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        try {
            for (ClassicMember member : members.values()) {
                topics.addAll(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(member.metadata(protocolName)))
                        .topics());
            }
        } catch (RuntimeException e) {
            return null;
        }
        return topics;
    }

    @Override
    public String toString() {
        return "ClassicGroup[groupId=" + groupId + ", state=" + state + ", generationId=" + generationId
                + ", protocolType=" + protocolType + ", protocolName=" + protocolName + ", leaderId=" + leaderId
                + ", members=" + members.keySet() + "]";
    }
}
