package io.strand.broker.api.fetch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.utils.Time;

/**
 * The broker's incremental fetch sessions (KIP-227), and the rules that turn a request's
 * (session id, epoch) into a {@link FetchContext}:
 *
 * <table>
 *   <caption>request metadata → outcome</caption>
 *   <tr><th>session id</th><th>epoch</th><th>outcome</th></tr>
 *   <tr><td>any</td><td>-1 (final)</td><td>close that session (if any); sessionless full fetch</td></tr>
 *   <tr><td>0</td><td>0 (initial)</td><td>new session with the request's partitions; full response</td></tr>
 *   <tr><td>id</td><td>0</td><td>close session id, then as above</td></tr>
 *   <tr><td>id</td><td>n &gt; 0</td><td>incremental in session id; FETCH_SESSION_ID_NOT_FOUND if unknown,
 *       INVALID_FETCH_SESSION_EPOCH unless n is the session's next epoch</td></tr>
 * </table>
 *
 * <p>When the cache is full, the least recently used session idle for longer than
 * {@code evictionMs} makes room; if none is, the client gets a sessionless full fetch (session id 0),
 * which every client handles. Thread-safe (one monitor).
 */
public final class FetchSessionCache {

    private final int maxSessions;
    private final long evictionMs;
    private final Time time;
    private final Random random;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();

    public FetchSessionCache(int maxSessions, long evictionMs, Time time, Random random) {
        this.maxSessions = maxSessions;
        this.evictionMs = evictionMs;
        this.time = time;
        this.random = random;
    }

    public synchronized FetchContext newContext(FetchMetadata metadata,
                                                Map<TopicIdPartition, FetchRequest.PartitionData> fetchData,
                                                List<TopicIdPartition> forgotten, boolean usesTopicIds) {
        long nowMs = time.milliseconds();
        if (metadata.epoch() == FetchMetadata.FINAL_EPOCH) {
            sessions.remove(metadata.sessionId());
            return new FetchContext.Full(FetchMetadata.INVALID_SESSION_ID, fetchData, null);
        }
        if (metadata.epoch() == FetchMetadata.INITIAL_EPOCH) {
            sessions.remove(metadata.sessionId());
            FetchSession session = maybeCreate(usesTopicIds, nowMs);
            if (session == null) {
                return new FetchContext.Full(FetchMetadata.INVALID_SESSION_ID, fetchData, null);
            }
            session.update(fetchData, List.of());
            session.nextEpoch = FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH);
            return new FetchContext.Full(session.id, fetchData, session);
        }
        FetchSession session = sessions.get(metadata.sessionId());
        if (session == null) {
            return new FetchContext.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
        synchronized (session) {
            if (session.nextEpoch != metadata.epoch()) {
                return new FetchContext.SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            if (session.usesTopicIds != usesTopicIds) {
                return new FetchContext.SessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
            }
            session.update(fetchData, forgotten);
            session.nextEpoch = FetchMetadata.nextEpoch(session.nextEpoch);
            session.lastUsedMs = nowMs;
            Map<TopicIdPartition, FetchRequest.PartitionData> toRead = new LinkedHashMap<>();
            for (Map.Entry<TopicIdPartition, FetchSession.CachedPartition> e : session.partitions.entrySet()) {
                toRead.put(e.getKey(), e.getValue().request);
            }
            return new FetchContext.Incremental(session, toRead);
        }
    }

    /** Drops a session created for a fetch that was then answered without it (a throttled first fetch). */
    public synchronized void remove(int sessionId) {
        sessions.remove(sessionId);
    }

    public synchronized int size() {
        return sessions.size();
    }

    private FetchSession maybeCreate(boolean usesTopicIds, long nowMs) {
        if (sessions.size() >= maxSessions && !evictOne(nowMs)) {
            return null;
        }
        int id;
        do {
            id = random.nextInt(Integer.MAX_VALUE - 1) + 1;
        } while (sessions.containsKey(id));
        FetchSession session = new FetchSession(id, usesTopicIds, nowMs);
        sessions.put(id, session);
        return session;
    }

    private boolean evictOne(long nowMs) {
        FetchSession oldest = null;
        for (FetchSession s : new ArrayList<>(sessions.values())) {
            if (oldest == null || s.lastUsedMs < oldest.lastUsedMs) {
                oldest = s;
            }
        }
        if (oldest != null && nowMs - oldest.lastUsedMs >= evictionMs) {
            sessions.remove(oldest.id);
            return true;
        }
        return false;
    }
}
