package io.strand.broker.quota;

import io.strand.metadata.image.ClientQuotasImage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.Time;

/**
 * Enforces one type of client quota ({@link QuotaType}) as Kafka's {@code ClientQuotaManager} does:
 * each request's amount (bytes produced, bytes fetched, …) is recorded against the rate of the quota
 * that applies to its (user, client id) pair ({@link QuotaResolver}), and a rate over its bound yields
 * the time the client must wait ({@link RateSensor}; for {@link QuotaType#REQUEST} at most one quota window,
 * as Kafka bounds it). The caller puts that time in the response's
 * {@code throttle_time_ms} and the connection is muted for it (KIP-219).
 *
 * <p>Quotas come from the metadata image: every call compares the image's {@link ClientQuotasImage}
 * with the one last seen (by identity: an image whose quotas did not change shares them) and, when
 * they differ, rebuilds the resolver and re-reads the bound of every existing rate, as Kafka updates
 * its sensors' configs. With no quota of this type, a call reads two fields and returns: nothing is
 * allocated on the produce and fetch paths.
 *
 * <p>Rates are kept per tags and dropped when no quota names their tags any more, or when not
 * recorded for an hour (Kafka's inactive sensor expiry), at the next change of quotas.
 *
 * <p>Thread-safe: called from every request thread and event loop; rates are guarded by their own
 * monitors, the resolver is replaced whole under this object's monitor.
 */
public final class ClientQuotaManager {

    /** Kafka's {@code InactiveSensorExpirationTimeSeconds}, in ms. */
    static final long INACTIVE_RATE_EXPIRY_MS = 3_600_000L;

    private final QuotaType type;
    private final QuotaWindows windows;
    private final Supplier<ClientQuotasImage> quotas;
    private final Time time;
    private final Map<QuotaResolver.Tags, RateSensor> rates = new ConcurrentHashMap<>();
    /** The token buckets of {@link QuotaType#CONTROLLER_MUTATION}, which measures with them instead of rates. */
    private final Map<QuotaResolver.Tags, TokenBucketSensor> buckets = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = new Snapshot(ClientQuotasImage.EMPTY, QuotaResolver.EMPTY);

    private record Snapshot(ClientQuotasImage image, QuotaResolver resolver) {
    }

    /**
     * @param quotas the current client quotas (the metadata image's); read on every call, so cheap
     * @param time   the clock of the calls that take no time
     */
    public ClientQuotaManager(QuotaType type, QuotaWindows windows, Supplier<ClientQuotasImage> quotas, Time time) {
        this.type = type;
        this.windows = windows;
        this.quotas = quotas;
        this.time = time;
    }

    /** A manager that never throttles (no quotas), for tests and tools. */
    public static ClientQuotaManager disabled(QuotaType type) {
        return new ClientQuotaManager(type, QuotaWindows.DEFAULT, () -> ClientQuotasImage.EMPTY, Time.SYSTEM);
    }

    public QuotaType type() {
        return type;
    }

    /** True when some client has a quota of this type. */
    public boolean enabled() {
        return !resolver(0L).isEmpty();
    }

    /** As {@link #recordAndGetThrottleTimeMs(KafkaPrincipal, String, double, long)}, now. */
    public int recordAndGetThrottleTimeMs(KafkaPrincipal principal, String clientId, double value) {
        if (resolver(0L).isEmpty()) {
            return 0;
        }
        return recordAndGetThrottleTimeMs(principal, clientId, value, time.milliseconds());
    }

    /**
     * Records {@code value} for the client at {@code nowMs}.
     *
     * @return the throttle time in ms, 0 when the client is within its quota or has none
     */
    public int recordAndGetThrottleTimeMs(KafkaPrincipal principal, String clientId, double value, long nowMs) {
        QuotaResolver resolver = resolver(nowMs);
        if (resolver.isEmpty()) {
            return 0;
        }
        RateSensor rate = rate(resolver, principal, clientId);
        if (rate == null) {
            return 0;
        }
        long throttleTimeMs = rate.recordAndGetThrottleTimeMs(value, nowMs);
        if (type == QuotaType.REQUEST) {
            // Kafka bounds a request quota's throttle time by one quota window.
            throttleTimeMs = Math.min(throttleTimeMs, TimeUnit.SECONDS.toMillis(windows.windowSizeSeconds()));
        }
        return (int) Math.min(Integer.MAX_VALUE, throttleTimeMs);
    }

    /** As {@link #unrecord(KafkaPrincipal, String, double, long)}, now. */
    public void unrecord(KafkaPrincipal principal, String clientId, double value) {
        unrecord(principal, clientId, value, time.milliseconds());
    }

    /** Takes back {@code value} recorded at {@code nowMs} (a throttled fetch sends nothing). */
    public void unrecord(KafkaPrincipal principal, String clientId, double value, long nowMs) {
        QuotaResolver resolver = resolver(nowMs);
        if (resolver.isEmpty()) {
            return;
        }
        RateSensor rate = rate(resolver, principal, clientId);
        if (rate != null) {
            rate.unrecord(value, nowMs);
        }
    }

    /**
     * The most the client may take in one request without being throttled for sure (Kafka caps a
     * consumer's fetch size with it); {@link Double#MAX_VALUE} when it has no quota.
     */
    public double maxValueInQuotaWindow(KafkaPrincipal principal, String clientId) {
        QuotaResolver resolver = resolver(0L);
        if (resolver.isEmpty()) {
            return Double.MAX_VALUE;
        }
        QuotaResolver.Resolution resolution = resolver.resolve(principal.getName(), clientIdOf(clientId));
        return resolution == null ? Double.MAX_VALUE : windows.maxValueInWindow(resolution.bound());
    }

    /**
     * The controller mutation quota of one request of the client ({@link QuotaType#CONTROLLER_MUTATION}
     * only): {@link ControllerMutationQuota#UNBOUNDED} when the client has none.
     *
     * @param strict whether topics past the quota are refused (the request's version knows
     *               THROTTLING_QUOTA_EXCEEDED) or only throttled
     */
    public ControllerMutationQuota newControllerMutationQuota(KafkaPrincipal principal, String clientId,
                                                              boolean strict) {
        if (type != QuotaType.CONTROLLER_MUTATION) {
            throw new IllegalStateException("Not a controller mutation quota: type=" + type);
        }
        QuotaResolver resolver = resolver(time.milliseconds());
        if (resolver.isEmpty()) {
            return ControllerMutationQuota.UNBOUNDED;
        }
        QuotaResolver.Resolution resolution = resolver.resolve(principal.getName(), clientIdOf(clientId));
        if (resolution == null) {
            return ControllerMutationQuota.UNBOUNDED;
        }
        TokenBucketSensor bucket = buckets.computeIfAbsent(resolution.tags(),
                tags -> new TokenBucketSensor(windows, resolution.bound()));
        bucket.setBound(resolution.bound());
        return new ControllerMutationQuota(bucket, strict, time);
    }

    /** The bound that applies to the client, or null when none does (tests and diagnostics). */
    public Double quota(KafkaPrincipal principal, String clientId) {
        QuotaResolver.Resolution resolution = resolver(0L).resolve(principal.getName(), clientIdOf(clientId));
        return resolution == null ? null : resolution.bound();
    }

    private RateSensor rate(QuotaResolver resolver, KafkaPrincipal principal, String clientId) {
        QuotaResolver.Resolution resolution = resolver.resolve(principal.getName(), clientIdOf(clientId));
        if (resolution == null) {
            return null;
        }
        RateSensor rate = rates.computeIfAbsent(resolution.tags(), tags -> new RateSensor(windows, resolution.bound()));
        rate.setBound(resolution.bound());
        return rate;
    }

    private static String clientIdOf(String clientId) {
        return clientId == null ? "" : clientId;
    }

    private QuotaResolver resolver(long nowMs) {
        ClientQuotasImage current = quotas.get();
        Snapshot seen = snapshot;
        if (seen.image == current) {
            return seen.resolver;
        }
        synchronized (this) {
            seen = snapshot;
            if (seen.image != current) {
                seen = new Snapshot(current, QuotaResolver.of(current, type.key()));
                QuotaResolver resolver = seen.resolver;
                rates.entrySet().removeIf(e -> {
                    Double bound = resolver.limit(e.getKey());
                    if (bound == null || (nowMs > 0 && nowMs - e.getValue().lastRecordMs() > INACTIVE_RATE_EXPIRY_MS)) {
                        return true;
                    }
                    e.getValue().setBound(bound);
                    return false;
                });
                buckets.entrySet().removeIf(e -> {
                    Double bound = resolver.limit(e.getKey());
                    if (bound == null || (nowMs > 0 && nowMs - e.getValue().lastRecordMs() > INACTIVE_RATE_EXPIRY_MS)) {
                        return true;
                    }
                    e.getValue().setBound(bound);
                    return false;
                });
                snapshot = seen;
            }
            return seen.resolver;
        }
    }
}
