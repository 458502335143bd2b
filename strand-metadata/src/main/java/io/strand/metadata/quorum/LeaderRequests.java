package io.strand.metadata.quorum;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.Errors;
import org.apache.ratis.protocol.Message;

/**
 * The leader's side of leader requests: turns a request message into a call of the installed
 * {@link LeaderRequestHandler} and its outcome into an answer message ({@link LeaderRequestFormat}).
 * Ratis hands a request here only on the leader (a follower answers NotLeader itself).
 *
 * <p>Every answer is a message, never a failed future, and comes within {@code timeoutMs}: the
 * Ratis server thread that called waits for it, so a handler that never answers must not hold that
 * thread for ever.
 *
 * <p>Thread-safe: the handler is a volatile field, replaced by the node; answers complete on the
 * handler's threads or, on timeout, on the quorum's scheduler.
 */
final class LeaderRequests {

    private final int nodeId;
    private final ScheduledExecutorService scheduler;
    private final long timeoutMs;
    /** Answers not yet given; {@link #close()} gives them. */
    private final Set<CompletableFuture<Message>> waiting = ConcurrentHashMap.newKeySet();
    private volatile LeaderRequestHandler handler;
    private volatile boolean closed;

    LeaderRequests(int nodeId, ScheduledExecutorService scheduler, long timeoutMs) {
        this.nodeId = nodeId;
        this.scheduler = scheduler;
        this.timeoutMs = timeoutMs;
    }

    void setHandler(LeaderRequestHandler handler) {
        this.handler = handler;
    }

    CompletableFuture<Message> answer(Message message) {
        LeaderRequestHandler current = handler;
        if (closed) {
            return CompletableFuture.completedFuture(closedAnswer());
        }
        if (current == null) {
            return CompletableFuture.completedFuture(LeaderRequestFormat.noHandler());
        }
        LeaderRequestFormat.Request request = LeaderRequestFormat.parseRequest(message);
        CompletableFuture<ByteBuffer> response;
        try {
            response = current.handle(request.apiKey(), request.apiVersion(), request.data());
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Message> answer = new CompletableFuture<>();
        waiting.add(answer);
        answer.whenComplete((m, e) -> waiting.remove(answer));
        if (closed) {
            answer.complete(closedAnswer());
        }
        response.whenComplete((data, error) -> answer.complete(error == null
                ? LeaderRequestFormat.ok(data)
                : errorAnswer(error)));
        if (!answer.isDone()) {
            try {
                ScheduledFuture<?> timeout = scheduler.schedule(() -> answer.complete(LeaderRequestFormat.error(
                        Errors.REQUEST_TIMED_OUT.code(), "The metadata leader's handler did not answer within timeoutMs="
                                + timeoutMs + " nodeId=" + nodeId + " apiKey=" + request.apiKey())),
                        timeoutMs, TimeUnit.MILLISECONDS);
                answer.whenComplete((m, e) -> timeout.cancel(false));
            } catch (RejectedExecutionException e) {
                answer.complete(closedAnswer());
            }
        }
        return answer;
    }

    /**
     * Answers NOT_CONTROLLER to every request still waiting for its handler and to every later
     * one, so no Ratis thread waits past the quorum's close.
     */
    void close() {
        closed = true;
        Message answer = closedAnswer();
        List.copyOf(waiting).forEach(f -> f.complete(answer));
    }

    private Message closedAnswer() {
        return LeaderRequestFormat.error(Errors.NOT_CONTROLLER.code(), "Metadata quorum closing: nodeId=" + nodeId);
    }

    private static Message errorAnswer(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        Errors code = Errors.forException(cause);
        return LeaderRequestFormat.error(code.code(), cause.getMessage() != null ? cause.getMessage() : code.message());
    }
}
