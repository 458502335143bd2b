package io.strand.metadata.quorum;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests to whichever voter leads the metadata quorum and completes with the answer of its
 * {@link LeaderRequestHandler}: the channel from a node (a voter or not) to the active controller.
 * It needs only the voters' addresses ({@code controller.quorum.voters}); it runs no Ratis server.
 *
 * <p>How: a request is a Ratis read-only, non-linearizable client request ({@link
 * LeaderRequestFormat}), which a voter answers only as ready leader: it writes nothing to the Raft
 * log and the leader hands it to the state machine's {@code query} at once. A follower answers
 * NotLeader with the leader it knows; the request goes there next. Without a leader (an election, a
 * voter down) it is sent to the next voter in turn after {@link #RETRY_BACKOFF_MS}, until it is
 * answered or its {@code timeoutMs} has passed; then it fails with {@link TimeoutException}
 * naming the last error. A handler's failure arrives as the Kafka exception of its error code.
 *
 * <p>Where a request goes first: the leader as the local Raft server knows it, when the node runs
 * one (the {@code knownLeader} of {@link #open(String, Map, long, long, IntSupplier)}: Kafka's
 * brokers likewise find the controller through their quorum state); else the voter that answered
 * last as leader; else the voter after the last one that did not answer. Never simply the first
 * voter: a voter that stopped answering (paused, or dead behind a connection that never fails)
 * would then take every request's whole timeout, and a broker's heartbeats would never reach the
 * new controller. A send waiting on a voter is abandoned as soon as the local Raft server names
 * another leader than it did when the send began, and the request goes to that leader.
 *
 * <p>Delivery is at most once per attempt, not exactly once: a request whose answer was lost (the
 * leader failed after running it) is sent again to the next leader. The handlers are the
 * controller's operations, which answer a repeat as Kafka's controller would a client's retry.
 *
 * <p>Transport: the voters' {@link QuorumTransport} (netty in the clear, or gRPC with TLS when the
 * controller listener is SSL); it must be theirs. Ratis' netty server answers the requests of one
 * connection in order, each only after the one before it: a slow request holds up the later ones sent
 * through the same client (the gRPC transport answers each on its own). Use one client per kind of
 * traffic (heartbeats apart from admin requests), as Kafka's brokers use one channel each.
 *
 * <p>Ratis' netty client does not notice that a connection died (the voter stopped), nor does the
 * gRPC one without keepalives that a voter went silent: a request
 * written to it is never answered. So each send to a voter waits at most {@code attemptTimeoutMs}
 * (and never past the request's deadline), then drops that connection, so that a late answer is
 * never taken for a later request's, and tries the next voter. A leader answers every request
 * within its handler timeout ({@link QuorumOptions#requestTimeoutMs()}); an {@code attemptTimeoutMs}
 * above it means a live leader's slow answer is waited for, never asked for twice. A connection
 * that Ratis did see fail (the voter was killed) is dropped at the first send it fails, so that the
 * voter is reached again once it is back: Ratis would fail every later send on it at once.
 *
 * <p>Threads: thread-safe. One daemon thread ({@code strand-leader-requests-<name>}) runs the
 * timeouts and retries; answers complete on it or on netty threads: do not block in callbacks.
 * {@link #close()} fails requests still waiting with {@link NotControllerException}.
 */
public final class LeaderRequestClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderRequestClient.class);

    /** Pause before sending to the next voter when no leader is known. */
    static final long RETRY_BACKOFF_MS = 50;
    /** How often a waiting send checks its attempt timeout and the local Raft server's leader. */
    static final long ATTEMPT_CHECK_INTERVAL_MS = 50;

    private final String name;
    private final RaftGroup group;
    private final List<RaftPeerId> voterIds;
    private final long timeoutMs;
    private final long attemptTimeoutMs;
    /** The leader's node id as the local Raft server knows it, -1 when unknown or none runs here. */
    private final IntSupplier knownLeader;
    private final ScheduledExecutorService scheduler;
    private final QuorumTransport.Client rpc;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callId = new AtomicLong();
    /** Requests not yet answered, failed by {@link #close()}. */
    private final Set<CompletableFuture<ByteBuffer>> waiting = ConcurrentHashMap.newKeySet();
    /** The voter believed to lead; null when unknown. */
    private volatile RaftPeerId leaderHint;
    /** Where a request goes first when no leader is known: the voter after the last that did not answer. */
    private volatile RaftPeerId nextVoter;
    private volatile boolean closed;

    private LeaderRequestClient(String name, Map<Integer, InetSocketAddress> voters, long timeoutMs,
                                long attemptTimeoutMs, IntSupplier knownLeader, QuorumTransport transport) {
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("No voters to send leader requests to: name=" + name);
        }
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("Leader request timeout must be positive: timeoutMs=" + timeoutMs);
        }
        if (attemptTimeoutMs <= 0) {
            throw new IllegalArgumentException("Leader request attempt timeout must be positive: attemptTimeoutMs="
                    + attemptTimeoutMs);
        }
        this.name = name;
        this.group = RaftSettings.group(voters);
        this.voterIds = new ArrayList<>(group.getPeers().stream().map(RaftPeer::getId).toList());
        this.timeoutMs = timeoutMs;
        this.attemptTimeoutMs = attemptTimeoutMs;
        this.knownLeader = knownLeader;
        this.nextVoter = voterIds.get(0);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strand-leader-requests-" + name);
            t.setDaemon(true);
            return t;
        });
        this.rpc = transport.newClient(clientId, new RaftProperties(), timeoutMs);
        this.rpc.addPeers(group.getPeers());
    }

    /**
     * @param name      for the thread and logs (for example the node id and the traffic, "1-heartbeat")
     * @param voters    node id → raft address of every voter, as in {@code controller.quorum.voters}
     * @param timeoutMs        how long one {@link #send} may take in all, retries included
     * @param attemptTimeoutMs how long one voter may stay silent before the request goes to the
     *                         next; see the class doc
     */
    public static LeaderRequestClient open(String name, Map<Integer, InetSocketAddress> voters, long timeoutMs,
                                           long attemptTimeoutMs) {
        return open(name, voters, timeoutMs, attemptTimeoutMs, () -> -1);
    }

    /**
     * As {@link #open(String, Map, long, long)}, on a node that runs a Raft server of the quorum.
     *
     * @param knownLeader the leader's node id as that server knows it, -1 when it knows none; read
     *                    on every send and retry, so it must be cheap and must not block
     */
    public static LeaderRequestClient open(String name, Map<Integer, InetSocketAddress> voters, long timeoutMs,
                                           long attemptTimeoutMs, IntSupplier knownLeader) {
        return open(name, voters, timeoutMs, attemptTimeoutMs, knownLeader, QuorumTransport.plaintext());
    }

    /**
     * As {@link #open(String, Map, long, long, IntSupplier)}, over {@code transport} (which must be the
     * voters' own).
     */
    public static LeaderRequestClient open(String name, Map<Integer, InetSocketAddress> voters, long timeoutMs,
                                           long attemptTimeoutMs, IntSupplier knownLeader,
                                           QuorumTransport transport) {
        return new LeaderRequestClient(name, voters, timeoutMs, attemptTimeoutMs, knownLeader,
                Objects.requireNonNull(transport, "transport"));
    }

    /**
     * Sends a request to the leader's handler. Completes with the response data (read-only,
     * positioned at its first byte), or fails: with the Kafka exception of the handler's error
     * code, with {@link TimeoutException} when no leader answered within the timeout, with
     * {@link NotControllerException} after {@link #close()}.
     */
    public CompletableFuture<ByteBuffer> send(short apiKey, short apiVersion, ByteBuffer requestData) {
        Attempt attempt = new Attempt(apiKey, LeaderRequestFormat.request(apiKey, apiVersion, requestData),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        waiting.add(attempt.result);
        attempt.result.whenComplete((data, error) -> waiting.remove(attempt.result));
        if (closed) {
            attempt.result.completeExceptionally(closedError());
            return attempt.result;
        }
        RaftPeerId known = knownLeaderPeer();
        RaftPeerId hint = leaderHint;
        attempt.sendTo(known != null ? known : hint != null ? hint : nextVoter);
        return attempt.result.copy();
    }

    /** The voter the local Raft server names leader, or null. */
    private RaftPeerId knownLeaderPeer() {
        int id = knownLeader.getAsInt();
        if (id < 0) {
            return null;
        }
        RaftPeerId peer = RaftSettings.peerId(id);
        return voterIds.contains(peer) ? peer : null;
    }

    private RaftPeerId voterAfter(RaftPeerId voter) {
        return voterIds.get((voterIds.indexOf(voter) + 1) % voterIds.size());
    }

    /** The node id of the voter this client last found leading, or -1. */
    public int leaderHint() {
        RaftPeerId hint = leaderHint;
        return hint == null ? -1 : RaftSettings.nodeId(hint);
    }

    /** Makes the next request go first to {@code nodeId}; for tests. */
    void setLeaderHint(int nodeId) {
        leaderHint = RaftSettings.peerId(nodeId);
    }

    /** One request until it is answered or out of time; each send goes to one voter. */
    private final class Attempt {
        final short apiKey;
        final Message message;
        final long deadlineNs;
        final CompletableFuture<ByteBuffer> result = new CompletableFuture<>();
        /** What went wrong last, for the timeout's message. */
        volatile String lastError = "none";
        /** NotLeader answers that named another voter; one reply at a time touches it. */
        int redirects;

        Attempt(short apiKey, Message message, long deadlineNs) {
            this.apiKey = apiKey;
            this.message = message;
            this.deadlineNs = deadlineNs;
        }

        void sendTo(RaftPeerId target) {
            if (closed) {
                result.completeExceptionally(closedError());
                return;
            }
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
            if (remainingMs <= 0) {
                result.completeExceptionally(new TimeoutException("No metadata leader answered within timeoutMs="
                        + timeoutMs + " apiKey=" + apiKey + " voters=" + voterIds + " lastError=" + lastError));
                return;
            }
            RaftClientRequest request = RaftClientRequest.newBuilder()
                    .setClientId(clientId)
                    .setServerId(target)
                    .setGroupId(group.getGroupId())
                    .setCallId(callId.incrementAndGet())
                    .setMessage(message)
                    .setType(RaftClientRequest.readRequestType(true))
                    .setTimeoutMs(remainingMs)
                    .build();
            CompletableFuture<RaftClientReply> reply = new CompletableFuture<>();
            long waitMs = Math.min(remainingMs, attemptTimeoutMs);
            long waitDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            int knownAtSend = knownLeader.getAsInt();
            long checkMs = Math.max(1L, Math.min(waitMs, ATTEMPT_CHECK_INTERVAL_MS));
            ScheduledFuture<?> timeout;
            try {
                timeout = scheduler.scheduleWithFixedDelay(() -> {
                    String abandoned = abandonReason(target, knownAtSend, waitDeadlineNs, waitMs);
                    if (abandoned != null && reply.completeExceptionally(new TimeoutException(abandoned))) {
                        // Answers on a connection are matched in order: a late one must not meet the next request.
                        rpc.drop(target, new TimeoutException("abandoned"));
                    }
                }, checkMs, checkMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(closedError());
                return;
            }
            reply.whenComplete((r, error) -> {
                timeout.cancel(false);
                onReply(target, r, error);
            });
            try {
                rpc.send(request).whenComplete((r, error) -> {
                    if (error != null) {
                        reply.completeExceptionally(error);
                    } else {
                        reply.complete(r);
                    }
                });
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
        }

        /**
         * Why a send to {@code target} is given up now: its attempt timed out, or the local Raft
         * server names a leader other than {@code target} and other than it named when the send
         * began (a view that does not change never turns a request away, so a stale one cannot
         * bounce it between two voters); null while it may wait on.
         */
        private String abandonReason(RaftPeerId target, int knownAtSend, long waitDeadlineNs, long waitMs) {
            if (System.nanoTime() - waitDeadlineNs >= 0) {
                return "no answer within " + waitMs + " ms";
            }
            RaftPeerId known = knownLeaderPeer();
            if (known != null && !known.equals(target) && RaftSettings.nodeId(known) != knownAtSend) {
                return "voter " + target + " did not answer before " + known + " was elected";
            }
            return null;
        }

        private void onReply(RaftPeerId target, RaftClientReply reply, Throwable error) {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (!(cause instanceof TimeoutException)) {
                    // Ratis keeps a connection that failed (the voter died) and fails every later send on
                    // it at once: drop it, so that the next send to this voter connects afresh. (An
                    // abandoned send, a TimeoutException, has dropped its connection already.)
                    rpc.drop(target, cause);
                }
                retryElsewhere(target, describe(error));
                return;
            }
            NotLeaderException notLeader = reply.getNotLeaderException();
            if (notLeader != null) {
                RaftPeer suggested = notLeader.getSuggestedLeader();
                if (suggested != null && !suggested.getId().equals(target) && voterIds.contains(suggested.getId())) {
                    leaderHint = suggested.getId();
                    lastError = "voter " + target + " is not the leader";
                    // The first redirect is followed at once; more mean views disagree (an
                    // election): pause, so two voters naming each other are not asked in a loop.
                    runOnScheduler(() -> sendTo(suggested.getId()), redirects++ == 0 ? 0 : RETRY_BACKOFF_MS);
                } else {
                    retryElsewhere(target, "voter " + target + " is not the leader and knows none");
                }
                return;
            }
            if (!reply.isSuccess()) {
                retryElsewhere(target, "voter " + target + ": " + describe(reply.getException()));
                return;
            }
            onAnswer(target, reply.getMessage().getContent());
        }

        private void onAnswer(RaftPeerId target, ByteString content) {
            if (content.isEmpty()) {
                result.completeExceptionally(new IllegalStateException("Empty answer to a leader request: voter="
                        + target + " apiKey=" + apiKey));
                return;
            }
            leaderHint = target;
            ByteBuffer body = content.asReadOnlyByteBuffer();
            byte status = body.get(LeaderRequestFormat.ANSWER_STATUS_OFFSET);
            switch (status) {
                case LeaderRequestFormat.STATUS_OK -> {
                    body.position(LeaderRequestFormat.ANSWER_BODY_OFFSET);
                    result.complete(body.slice());
                }
                case LeaderRequestFormat.STATUS_ERROR -> {
                    short code = body.getShort(LeaderRequestFormat.ANSWER_BODY_OFFSET);
                    body.position(LeaderRequestFormat.ANSWER_BODY_OFFSET + Short.BYTES);
                    String text = StandardCharsets.UTF_8.decode(body).toString();
                    result.completeExceptionally(Errors.forCode(code).exception(text));
                }
                case LeaderRequestFormat.STATUS_NO_HANDLER -> {
                    lastError = "voter " + target + " leads but its controller is not ready";
                    runOnScheduler(() -> sendTo(target), RETRY_BACKOFF_MS);
                }
                default -> result.completeExceptionally(new IllegalStateException("Unknown leader answer status="
                        + status + " voter=" + target + " apiKey=" + apiKey));
            }
        }

        private void retryElsewhere(RaftPeerId failed, String why) {
            lastError = why;
            if (failed.equals(leaderHint)) {
                leaderHint = null;
            }
            RaftPeerId after = voterAfter(failed);
            // A later request that knows no leader skips the voter that just failed it.
            nextVoter = after;
            RaftPeerId known = knownLeaderPeer();
            RaftPeerId next = known != null && !known.equals(failed) ? known : after;
            log.debug("Leader request not answered, trying the next voter: name={} apiKey={} failed={} next={} why={}",
                    name, apiKey, failed, next, why);
            runOnScheduler(() -> sendTo(next), RETRY_BACKOFF_MS);
        }

        private void runOnScheduler(Runnable task, long delayMs) {
            try {
                scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(closedError());
            }
        }
    }

    private static String describe(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e == null ? "unknown" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private NotControllerException closedError() {
        return new NotControllerException("Leader request client closed: name=" + name);
    }

    /** Closes the connections and fails every request still waiting. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rpc.close();
        NotControllerException error = closedError();
        List.copyOf(waiting).forEach(f -> f.completeExceptionally(error));
    }
}
