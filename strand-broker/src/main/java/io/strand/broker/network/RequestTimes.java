package io.strand.broker.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiMessage;

/** Puts a request quota's throttle time into a handler's response once it completes. Stateless. */
final class RequestTimes {

    private RequestTimes() {
    }

    /**
     * Records {@code threadTimeNs} for the request's client now, and raises the response's throttle time
     * to the quota's when it completes (a failed future is left as it is: its error response is built
     * later).
     */
    static <M extends ApiMessage> CompletableFuture<M> throttled(CompletableFuture<M> response, RequestTimeQuota quota,
                                                                 RequestContext context, long threadTimeNs) {
        int throttleTimeMs = quota.recordAndGetThrottleTimeMs(context, threadTimeNs);
        if (throttleTimeMs <= 0) {
            return response;
        }
        return response.thenApply(body -> {
            if (body != null) {
                ChannelThrottle.raiseThrottleTimeMs(body, throttleTimeMs);
            }
            return body;
        });
    }
}
