package io.strand.broker.api.admin;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * The deadline a controller request's {@code timeout_ms} sets, as Kafka's controller keeps it: the
 * work is queued with the deadline {@code now + timeout_ms}, and work whose deadline has passed before
 * it runs fails with REQUEST_TIMED_OUT. So a request with {@code timeout_ms} ≤ 0 that asks the
 * controller anything is answered REQUEST_TIMED_OUT as a whole (every topic or partition it names, the
 * request's error response), while one left with nothing to ask (every topic a duplicate, no partition
 * named) is answered by the broker without the controller, whatever its timeout. Real clients send
 * their request timeout (the admin client's default is 30 s); a timeout of 0 is not a way to ask
 * "without waiting".
 *
 * <p>A positive timeout is not enforced here: the controller answers within its own request timeout.
 * Stateless.
 */
final class ControllerDeadline {

    private ControllerDeadline() {
    }

    /** Whether a request with this {@code timeout_ms} has passed its deadline before the controller sees it. */
    static boolean passed(int timeoutMs) {
        return timeoutMs <= 0;
    }

    /** The answer such a request gets: its error response for REQUEST_TIMED_OUT, as Kafka's controller gives. */
    static <T extends ApiMessage> CompletableFuture<T> timedOut(AbstractRequest request, int timeoutMs,
                                                               Class<T> responseData) {
        TimeoutException timeout = new TimeoutException(request.apiKey().name
                + " timed out before the controller could start it: timeoutMs=" + timeoutMs);
        return CompletableFuture.completedFuture(responseData.cast(request.getErrorResponse(0, timeout).data()));
    }
}
