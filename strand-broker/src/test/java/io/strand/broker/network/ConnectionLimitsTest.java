package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final InetAddress a = address(10, 0, 0, 1);
    private final InetAddress b = address(10, 0, 0, 2);

    private static InetAddress address(int... bytes) {
        try {
            return InetAddress.getByAddress(new byte[]{(byte) bytes[0], (byte) bytes[1], (byte) bytes[2], (byte) bytes[3]});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private ConnectionLimits limits(int max, Map<String, Integer> listenerMax, int perIp, Map<InetAddress, Integer> overrides,
                                    int rate, Map<String, Integer> listenerRate) {
        return new ConnectionLimits(new ConnectionLimits.Settings(max, listenerMax, perIp, overrides, rate, listenerRate,
                "BROKER"), now::get);
    }

    private static ConnectionActivity activity() {
        return new ConnectionActivity(-1);
    }

    @Test
    void anAddressPastItsLimitIsRefusedAndItsOverrideApplies() {
        ConnectionLimits limits = limits(Integer.MAX_VALUE, Map.of(), 2, Map.of(b, 3), Integer.MAX_VALUE, Map.of());
        assertThat(limits.admit("CLIENT", a, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        Channel second = new EmbeddedChannel();
        assertThat(limits.admit("CLIENT", a, second, activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        assertThat(limits.admit("CLIENT", a, new EmbeddedChannel(), activity()))
                .isEqualTo(ConnectionLimits.Admission.TOO_MANY_FROM_ADDRESS);
        for (int i = 0; i < 3; i++) {
            assertThat(limits.admit("CLIENT", b, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        }
        assertThat(limits.admit("CLIENT", b, new EmbeddedChannel(), activity()))
                .isEqualTo(ConnectionLimits.Admission.TOO_MANY_FROM_ADDRESS);
        limits.release(second);
        assertThat(limits.admit("CLIENT", a, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        assertThat(limits.count()).isEqualTo(5);
    }

    @Test
    void aListenerAtItsLimitPausesUntilAConnectionClosesAndTheNodesLimitSparesTheInterBrokerListener() {
        ConnectionLimits limits = limits(3, Map.of("CLIENT", 2), Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE, Map.of());
        Channel first = new EmbeddedChannel();
        limits.admit("CLIENT", a, first, activity());
        assertThat(limits.acceptPauseNs("CLIENT")).isZero();
        limits.admit("CLIENT", a, new EmbeddedChannel(), activity());
        assertThat(limits.acceptPauseNs("CLIENT")).isEqualTo(ConnectionLimits.UNTIL_A_CONNECTION_CLOSES);
        assertThat(limits.admit("CLIENT", a, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.TOO_MANY);
        limits.admit("OTHER", a, new EmbeddedChannel(), activity());
        assertThat(limits.acceptPauseNs("OTHER")).isEqualTo(ConnectionLimits.UNTIL_A_CONNECTION_CLOSES);
        assertThat(limits.acceptPauseNs("BROKER")).isZero();

        AtomicInteger woken = new AtomicInteger();
        limits.whenConnectionCloses(woken::incrementAndGet);
        limits.release(first);
        assertThat(woken).hasValue(1);
        assertThat(limits.acceptPauseNs("CLIENT")).isZero();
    }

    @Test
    void anInterBrokerConnectionPastTheNodesLimitClosesTheLeastRecentlyActiveOtherConnection() {
        ConnectionLimits limits = limits(2, Map.of(), Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE, Map.of());
        EmbeddedChannel quiet = new EmbeddedChannel();
        EmbeddedChannel busy = new EmbeddedChannel();
        ConnectionActivity quietActivity = activity();
        limits.admit("CLIENT", a, quiet, quietActivity);
        ConnectionActivity busyActivity = new ConnectionActivity(-1);
        busy.pipeline().addLast(busyActivity);
        limits.admit("CLIENT", b, busy, busyActivity);
        busy.writeInbound("bytes"); // more recent activity than the quiet one's opening

        assertThat(limits.admit("BROKER", a, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        assertThat(quiet.isOpen()).isFalse();
        assertThat(busy.isOpen()).isTrue();
    }

    @Test
    void theCreationRateOfTheNodeAndOfAListenerPauseAcceptingForAsLongAsTheyNeed() {
        ConnectionLimits limits = limits(Integer.MAX_VALUE, Map.of(), Integer.MAX_VALUE, Map.of(), 4, Map.of("BROKER", 2));
        for (int i = 0; i < 4; i++) {
            assertThat(limits.acceptPauseNs("CLIENT")).isZero();
            limits.admit("CLIENT", a, new EmbeddedChannel(), activity());
        }
        assertThat(limits.acceptPauseNs("CLIENT")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(limits.acceptPauseNs("BROKER")).isZero(); // the node's rate spares the inter-broker listener
        limits.admit("BROKER", a, new EmbeddedChannel(), activity());
        limits.admit("BROKER", a, new EmbeddedChannel(), activity());
        assertThat(limits.acceptPauseNs("BROKER")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(limits.acceptPauseNs("CLIENT")).isZero();
        assertThat(limits.acceptPauseNs("BROKER")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
    }

    @Test
    void anAddressPastItsConnectionCreationRateIsThrottledUncountedAndHeldAtMostTheLongestThrottle() {
        Map<InetAddress, Integer> quotas = Map.of(a, 2);
        IpConnectionRates rates = address -> quotas.getOrDefault(address, IpConnectionRates.UNLIMITED);
        ConnectionLimits limits = new ConnectionLimits(new ConnectionLimits.Settings(Integer.MAX_VALUE, Map.of(),
                Integer.MAX_VALUE, Map.of(), 3, Map.of(), "BROKER"), rates, TimeUnit.MILLISECONDS.toNanos(400), now::get);

        assertThat(limits.admit("CLIENT", a, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        assertThat(limits.admit("CLIENT", a, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);
        ConnectionLimits.Admission third = limits.admit("CLIENT", a, new EmbeddedChannel(), activity());
        assertThat(third.kind()).isEqualTo(ConnectionLimits.Kind.THROTTLED);
        assertThat(third.closeDelayNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(400)); // 500 ms, bounded
        assertThat(limits.count()).isEqualTo(2);
        // the throttled connection gave the node's rate its token back: another address may still connect
        assertThat(limits.acceptPauseNs("CLIENT")).isZero();
        assertThat(limits.admit("CLIENT", b, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);

        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
        ConnectionLimits.Admission early = limits.admit("CLIENT", a, new EmbeddedChannel(), activity());
        assertThat(early.kind()).isEqualTo(ConnectionLimits.Kind.THROTTLED);
        assertThat(early.closeDelayNs()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(limits.admit("CLIENT", a, new EmbeddedChannel(), activity())).isEqualTo(ConnectionLimits.Admission.ADMITTED);
    }
}
