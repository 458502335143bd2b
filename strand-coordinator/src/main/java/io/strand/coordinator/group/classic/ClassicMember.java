package io.strand.coordinator.group.classic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * A member of a classic group as its shard holds it: identity and timeouts, the protocols it
 * supports (in its order of preference, metadata opaque), its assignment, and the JoinGroup or
 * SyncGroup response it is waiting for, if any.
 *
 * <p>Not thread-safe: owned by the group's shard thread.
 */
public final class ClassicMember {

    private final String memberId;
    private final String groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    /** Protocol name → metadata, in the member's order of preference. */
    private LinkedHashMap<String, byte[]> protocols;
    private byte[] assignment = new byte[0];
    private CompletableFuture<JoinGroupResponseData> awaitingJoin;
    private CompletableFuture<SyncGroupResponseData> awaitingSync;
    /** True from the first join until the member's first join response. */
    private boolean isNew = true;

    public ClassicMember(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
                  int sessionTimeoutMs, LinkedHashMap<String, byte[]> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocols = protocols;
    }

    /** The same member under another id: a static member that rejoined, keeping its assignment. */
    public ClassicMember withMemberId(String newMemberId) {
        ClassicMember copy = new ClassicMember(newMemberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs,
                sessionTimeoutMs, protocols);
        copy.assignment = assignment;
        copy.isNew = false;
        return copy;
    }

    public String memberId() {
        return memberId;
    }

    public String groupInstanceId() {
        return groupInstanceId;
    }

    public boolean isStatic() {
        return groupInstanceId != null;
    }

    public String clientId() {
        return clientId;
    }

    public String clientHost() {
        return clientHost;
    }

    public int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public void updateTimeouts(int rebalanceTimeoutMs, int sessionTimeoutMs) {
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    public Map<String, byte[]> protocols() {
        return protocols;
    }

    public List<String> protocolNames() {
        return new ArrayList<>(protocols.keySet());
    }

    public void updateProtocols(LinkedHashMap<String, byte[]> newProtocols) {
        this.protocols = newProtocols;
    }

    /** True if {@code other} lists the same protocols in the same order with the same metadata. */
    public boolean sameProtocols(LinkedHashMap<String, byte[]> other) {
        if (!new ArrayList<>(protocols.keySet()).equals(new ArrayList<>(other.keySet()))) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : protocols.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    public byte[] metadata(String protocolName) {
        byte[] metadata = protocols.get(protocolName);
        return metadata == null ? new byte[0] : metadata;
    }

    public byte[] assignment() {
        return assignment;
    }

    public void setAssignment(byte[] assignment) {
        this.assignment = assignment;
    }

    public boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    public boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    public void awaitJoin(CompletableFuture<JoinGroupResponseData> future) {
        this.awaitingJoin = future;
    }

    public void awaitSync(CompletableFuture<SyncGroupResponseData> future) {
        this.awaitingSync = future;
    }

    public boolean isNew() {
        return isNew;
    }

    /** Completes the pending JoinGroup, if any; true if there was one. */
    public boolean completeJoin(JoinGroupResponseData response) {
        CompletableFuture<JoinGroupResponseData> future = awaitingJoin;
        awaitingJoin = null;
        isNew = false;
        return future != null && future.complete(response);
    }

    /** Completes the pending SyncGroup, if any; true if there was one. */
    public boolean completeSync(SyncGroupResponseData response) {
        CompletableFuture<SyncGroupResponseData> future = awaitingSync;
        awaitingSync = null;
        return future != null && future.complete(response);
    }
}
