package io.strand.broker.quota;

import io.strand.broker.network.RequestContext;
import io.strand.broker.network.RequestTimeQuota;
import java.util.concurrent.TimeUnit;

/**
 * The {@code request_percentage} quota as the connections account it: a request's time on a broker
 * thread, as a percentage of one thread for one second (Kafka's unit: 100 is one whole thread), recorded
 * against the client's rate. The throttle time is bounded by one quota window (Kafka's
 * {@code ClientRequestQuotaManager} bound), see {@link ClientQuotaManager}. Thread-safe.
 */
public final class ClientRequestQuota implements RequestTimeQuota {

    /** Percent of one thread-second per nanosecond of thread time. */
    static final double PERCENT_PER_NANO = 100.0 / TimeUnit.SECONDS.toNanos(1);

    private final ClientQuotaManager requestQuota;

    public ClientRequestQuota(ClientQuotaManager requestQuota) {
        if (requestQuota.type() != QuotaType.REQUEST) {
            throw new IllegalArgumentException("Not a request quota: type=" + requestQuota.type());
        }
        this.requestQuota = requestQuota;
    }

    @Override
    public boolean enabled() {
        return requestQuota.enabled();
    }

    @Override
    public int recordAndGetThrottleTimeMs(RequestContext context, long threadTimeNs) {
        return requestQuota.recordAndGetThrottleTimeMs(context.principal(), context.clientId(),
                threadTimeNs * PERCENT_PER_NANO);
    }
}
