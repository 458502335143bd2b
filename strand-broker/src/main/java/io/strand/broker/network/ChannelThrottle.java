package io.strand.broker.network;

import io.netty.channel.EventLoop;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Mutes a connection after a throttled response, as Kafka does for clients that honour KIP-219 (all
 * current ones): the response goes out at once with its {@code throttle_time_ms}, and the connection
 * reads no further request for that long. The client waits as well, so a well-behaved client loses
 * nothing; one that ignores the throttle time is held back by the broker.
 *
 * <p>The throttle time is read from the response body itself (every Kafka response that has a
 * {@code throttle_time_ms} field exposes it as {@code throttleTimeMs()}), so a handler only has to
 * fill in that field. A later throttled response while muted extends the mute if it ends later.
 *
 * <p>Owned by the connection's event loop: not thread-safe.
 */
final class ChannelThrottle {

    /** Per response class, its {@code throttleTimeMs()} accessor as {@code (ApiMessage) -> int}, or null. */
    private static final ClassValue<MethodHandle> THROTTLE_TIME = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                return MethodHandles.publicLookup()
                        .findVirtual(type, "throttleTimeMs", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, ApiMessage.class));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return null;
            }
        }
    };

    /** Per response class, its {@code setThrottleTimeMs(int)} as {@code (ApiMessage, int) -> void}, or null. */
    private static final ClassValue<MethodHandle> SET_THROTTLE_TIME = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                return MethodHandles.publicLookup()
                        .findVirtual(type, "setThrottleTimeMs", MethodType.methodType(type, int.class))
                        .asType(MethodType.methodType(void.class, ApiMessage.class, int.class));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return null;
            }
        }
    };

    private final Runnable onUnmuted;
    private boolean muted;
    private long mutedUntilNs;
    private ScheduledFuture<?> unmute;

    /** @param onUnmuted called on the event loop when the mute ends (to resume reading) */
    ChannelThrottle(Runnable onUnmuted) {
        this.onUnmuted = onUnmuted;
    }

    /** The response's {@code throttle_time_ms}, 0 for a response without one. */
    static int throttleTimeMs(ApiMessage response) {
        MethodHandle accessor = THROTTLE_TIME.get(response.getClass());
        if (accessor == null) {
            return 0;
        }
        try {
            return (int) accessor.invokeExact(response);
        } catch (Throwable e) {
            throw new IllegalStateException("Cannot read throttleTimeMs of " + response.getClass().getName(), e);
        }
    }

    /** Raises the response's {@code throttle_time_ms} to {@code throttleTimeMs} if that is more (and it has one). */
    static void raiseThrottleTimeMs(ApiMessage response, int throttleTimeMs) {
        MethodHandle setter = SET_THROTTLE_TIME.get(response.getClass());
        if (setter == null || throttleTimeMs <= throttleTimeMs(response)) {
            return;
        }
        try {
            setter.invokeExact(response, throttleTimeMs);
        } catch (Throwable e) {
            throw new IllegalStateException("Cannot set throttleTimeMs of " + response.getClass().getName(), e);
        }
    }

    /**
     * After {@code response} was written at {@code nowNs} (or, one the client reads none of, dropped):
     * mutes for its throttle time, if any.
     */
    void onResponseWritten(ApiMessage response, long nowNs, EventLoop loop) {
        int throttleTimeMs = throttleTimeMs(response);
        if (throttleTimeMs <= 0) {
            return;
        }
        long untilNs = nowNs + TimeUnit.MILLISECONDS.toNanos(throttleTimeMs);
        if (muted && untilNs - mutedUntilNs <= 0) {
            return;
        }
        if (unmute != null) {
            unmute.cancel(false);
        }
        muted = true;
        mutedUntilNs = untilNs;
        unmute = loop.schedule(() -> {
            muted = false;
            unmute = null;
            onUnmuted.run();
        }, throttleTimeMs, TimeUnit.MILLISECONDS);
    }

    /** True while the connection must not read. */
    boolean isMuted() {
        return muted;
    }

    /** The connection closed: no unmute is pending any more. */
    void close() {
        if (unmute != null) {
            unmute.cancel(false);
            unmute = null;
        }
    }
}
