package io.strand.broker.network;

/**
 * Where the connections account the time each request spends on the broker's threads, for the
 * {@code request_percentage} client quota: the time its handler's {@code handle} call took on the
 * thread that made it (a request thread, or the event loop for the handlers that run there; a long
 * poll's later reads are not counted). Requests of cluster actions (inter-broker APIs) are not
 * measured, as Kafka exempts them. A throttle time above the response's own raises it, so the
 * connection is muted for it ({@link ChannelThrottle}).
 *
 * <p>Implementations are thread-safe and cheap: {@link #enabled()} is asked for every request.
 */
public interface RequestTimeQuota {

    /** No request quota: nothing is measured. */
    RequestTimeQuota NONE = new RequestTimeQuota() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public int recordAndGetThrottleTimeMs(RequestContext context, long threadTimeNs) {
            return 0;
        }
    };

    /** True when some client has a request quota: only then is a request's time measured. */
    boolean enabled();

    /** Records {@code threadTimeNs} for the request's client; its throttle time in ms, 0 when within quota. */
    int recordAndGetThrottleTimeMs(RequestContext context, long threadTimeNs);
}
