package io.strand.broker.share;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * Share sessions (KIP-932), one per share group member on this broker: the partitions the member
 * fetches and the epoch its next request must carry. A request with epoch 0 opens a session (replacing
 * the member's earlier one, whose acquired records are released); -1 closes it once the request is
 * served; any other epoch must be the session's next one (INVALID_SHARE_SESSION_EPOCH), on a session
 * that exists (SHARE_SESSION_NOT_FOUND). At most {@code group.share.max.share.sessions} sessions: a new
 * one then evicts one idle for longer than {@link #EVICTABLE_IDLE_MS}, else gets
 * SHARE_SESSION_LIMIT_REACHED. A session belongs to the connection that opened it, as in Kafka: the handler
 * calls {@link #closeIfCurrent} when that connection closes, and the member's acquired records are released
 * at once rather than when their locks expire.
 *
 * <p>Thread-safe: every method is {@code synchronized}; a session's partition set is changed only
 * through this class.
 */
public final class ShareSessionCache {

    /** A session unused this long may be evicted for a new one. */
    static final long EVICTABLE_IDLE_MS = 120_000;

    private final int maxSessions;
    private final Time time;
    private final Map<Key, Session> sessions = new HashMap<>();

    private record Key(String groupId, String memberId) {
    }

    private static final class Session {
        final Set<TopicIdPartition> partitions = new LinkedHashSet<>();
        int nextEpoch = 1;
        long lastUsedMs;
    }

    /**
     * The outcome of a request against its session: an error, or the session's partitions after the
     * request's changes, whether they came from a full request (epoch 0), and those the member stopped
     * using (replaced or forgotten), whose records the caller releases.
     */
    public record Use(Errors error, Set<TopicIdPartition> partitions, boolean full, Set<TopicIdPartition> released,
                      Object session) {
        Use(Errors error, Set<TopicIdPartition> partitions, boolean full, Set<TopicIdPartition> released) {
            this(error, partitions, full, released, null);
        }
    }

    public ShareSessionCache(int maxSessions, Time time) {
        this.maxSessions = maxSessions;
        this.time = time;
    }

    /**
     * Opens, checks or closes the member's session for a request of {@code epoch} that adds
     * {@code added} and forgets {@code forgotten}.
     */
    public synchronized Use use(String groupId, String memberId, int epoch, Set<TopicIdPartition> added,
                                Set<TopicIdPartition> forgotten) {
        long nowMs = time.milliseconds();
        Key key = new Key(groupId, memberId);
        Session session = sessions.get(key);
        if (epoch == 0) {
            Set<TopicIdPartition> released = new LinkedHashSet<>();
            if (session != null) {
                released.addAll(session.partitions);
            } else if (sessions.size() >= maxSessions && !evictIdle(nowMs)) {
                return new Use(Errors.SHARE_SESSION_LIMIT_REACHED, Set.of(), true, Set.of());
            }
            session = new Session();
            session.partitions.addAll(added);
            session.lastUsedMs = nowMs;
            sessions.put(key, session);
            released.removeAll(added);
            return new Use(Errors.NONE, Set.copyOf(session.partitions), true, released, session);
        }
        if (session == null) {
            return new Use(Errors.SHARE_SESSION_NOT_FOUND, Set.of(), false, Set.of());
        }
        if (epoch != -1 && epoch != session.nextEpoch) {
            return new Use(Errors.INVALID_SHARE_SESSION_EPOCH, Set.of(), false, Set.of());
        }
        session.partitions.addAll(added);
        session.partitions.removeAll(forgotten);
        session.lastUsedMs = nowMs;
        Set<TopicIdPartition> partitions = new LinkedHashSet<>(session.partitions);
        if (epoch == -1) {
            sessions.remove(key);
            Set<TopicIdPartition> released = new LinkedHashSet<>(partitions);
            released.addAll(forgotten);
            return new Use(Errors.NONE, partitions, false, released);
        }
        session.nextEpoch = session.nextEpoch == Integer.MAX_VALUE ? 1 : session.nextEpoch + 1;
        return new Use(Errors.NONE, partitions, false, new LinkedHashSet<>(forgotten), session);
    }

    /**
     * Closes the member's session if it is still {@code session} (the one {@link Use#session()} named when it
     * was opened; a newer one is left alone).
     *
     * @return the partitions of the closed session, whose records the caller releases; empty if none closed
     */
    public synchronized Set<TopicIdPartition> closeIfCurrent(String groupId, String memberId, Object session) {
        Key key = new Key(groupId, memberId);
        if (session != null && sessions.get(key) == session) {
            return sessions.remove(key).partitions;
        }
        return Set.of();
    }

    /** True if a member of {@code groupId} has a share session here. */
    public synchronized boolean hasSessions(String groupId) {
        for (Key key : sessions.keySet()) {
            if (key.groupId().equals(groupId)) {
                return true;
            }
        }
        return false;
    }

    public synchronized int size() {
        return sessions.size();
    }

    private boolean evictIdle(long nowMs) {
        for (Map.Entry<Key, Session> e : new ArrayList<>(sessions.entrySet())) {
            if (nowMs - e.getValue().lastUsedMs > EVICTABLE_IDLE_MS) {
                sessions.remove(e.getKey());
                return true;
            }
        }
        return false;
    }
}
