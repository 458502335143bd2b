package io.strand.broker.quota;

import org.apache.kafka.common.utils.Time;

/**
 * The {@code controller_mutation_rate} quota of one CreateTopics, CreatePartitions or DeleteTopics
 * request (KIP-599), as Kafka applies it: each topic's partitions are taken from the client's token
 * bucket in request order. Strict (the versions that know THROTTLING_QUOTA_EXCEEDED: CreateTopics v6+,
 * CreatePartitions v3+, DeleteTopics v5+), a topic is refused once the bucket is below zero, and so is
 * every later one; permissive (older versions), every topic is accepted and the client is throttled.
 * {@link #throttleTimeMs()} is what is left of the throttle time when the response is built.
 *
 * <p>Lives for one request; not thread-safe (the bucket behind it is).
 */
public final class ControllerMutationQuota {

    /** No quota: every mutation is accepted, nothing is throttled. */
    public static final ControllerMutationQuota UNBOUNDED = new ControllerMutationQuota(null, false, Time.SYSTEM);

    private final TokenBucketSensor bucket;
    private final boolean strict;
    private final Time time;
    private long throttleTimeMs;
    private long throttledAtMs;

    ControllerMutationQuota(TokenBucketSensor bucket, boolean strict, Time time) {
        this.bucket = bucket;
        this.strict = strict;
        this.time = time;
    }

    /**
     * Takes {@code partitions} for one topic.
     *
     * @return false when the topic must be refused with THROTTLING_QUOTA_EXCEEDED (strict quota exhausted)
     */
    public boolean tryAcquire(int partitions) {
        if (bucket == null) {
            return true;
        }
        if (strict && throttleTimeMs > 0) {
            return false;
        }
        long nowMs = time.milliseconds();
        long throttle = strict ? bucket.tryTake(partitions, nowMs) : bucket.take(partitions, nowMs);
        if (throttle > 0) {
            throttleTimeMs = throttle;
            throttledAtMs = nowMs;
        }
        return !strict || throttle == 0;
    }

    /** The throttle time left now: the recorded one less the time since it was computed. */
    public int throttleTimeMs() {
        if (throttleTimeMs <= 0) {
            return 0;
        }
        return (int) Math.max(0, throttleTimeMs - (time.milliseconds() - throttledAtMs));
    }
}
