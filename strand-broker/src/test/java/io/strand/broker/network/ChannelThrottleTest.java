package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChannelThrottleTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final AtomicInteger unmuted = new AtomicInteger();
    private final ChannelThrottle throttle = new ChannelThrottle(unmuted::incrementAndGet);

    @AfterEach
    void close() {
        throttle.close();
        channel.finishAndReleaseAll();
    }

    @Test
    void readsTheThrottleTimeOfAnyResponseThatHasOne() {
        assertThat(ChannelThrottle.throttleTimeMs(new ProduceResponseData().setThrottleTimeMs(7))).isEqualTo(7);
        assertThat(ChannelThrottle.throttleTimeMs(new FetchResponseData().setThrottleTimeMs(9))).isEqualTo(9);
        assertThat(ChannelThrottle.throttleTimeMs(new SaslHandshakeResponseData())).isZero();
    }

    @Test
    void raisesAThrottleTimeButNeverLowersIt() {
        ProduceResponseData response = new ProduceResponseData().setThrottleTimeMs(50);

        ChannelThrottle.raiseThrottleTimeMs(response, 20);
        assertThat(response.throttleTimeMs()).isEqualTo(50);
        ChannelThrottle.raiseThrottleTimeMs(response, 70);
        assertThat(response.throttleTimeMs()).isEqualTo(70);
        ChannelThrottle.raiseThrottleTimeMs(new SaslHandshakeResponseData(), 70);
    }

    @Test
    void mutesForTheResponsesThrottleTimeThenCallsBack() {
        throttle.onResponseWritten(new ProduceResponseData().setThrottleTimeMs(100), System.nanoTime(),
                channel.eventLoop());
        assertThat(throttle.isMuted()).isTrue();

        channel.advanceTimeBy(99, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(throttle.isMuted()).isTrue();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(throttle.isMuted()).isFalse();
        assertThat(unmuted).hasValue(1);
    }

    @Test
    void anUnthrottledResponseDoesNotMuteNorShortenAMute() {
        long nowNs = System.nanoTime();
        throttle.onResponseWritten(new ProduceResponseData(), nowNs, channel.eventLoop());
        assertThat(throttle.isMuted()).isFalse();

        throttle.onResponseWritten(new ProduceResponseData().setThrottleTimeMs(100), nowNs, channel.eventLoop());
        throttle.onResponseWritten(new ProduceResponseData().setThrottleTimeMs(10), nowNs, channel.eventLoop());
        channel.advanceTimeBy(50, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThat(throttle.isMuted()).isTrue();
        assertThat(unmuted).hasValue(0);
    }
}
