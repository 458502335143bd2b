package io.strand.broker.quota;

import static io.strand.broker.quota.Quotas.entity;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/**
 * Rates over Kafka's default windows (11 of 1 s): a rate's window is the time since its oldest sample
 * began, plus one window for each of the ten full windows not yet passed. So with a bound of 1,000 B/s,
 * 10,000 bytes at once are within it and 11,000 are 1,100 B/s, throttled for
 * (1,100 − 1,000) / 1,000 × 10 s = 1 s; the throttle time is always the bytes over the bound minus the
 * window (11 s − 10 s).
 */
class ClientQuotaManagerTest {

    private static final String KEY = QuotaType.PRODUCE.key();
    private static final KafkaPrincipal ALICE = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");

    private final ManualTime time = new ManualTime();
    private final Quotas quotas = new Quotas();
    private final ClientQuotaManager manager =
            new ClientQuotaManager(QuotaType.PRODUCE, QuotaWindows.DEFAULT, quotas::image, time);

    private int record(KafkaPrincipal principal, String clientId, double bytes) {
        return manager.recordAndGetThrottleTimeMs(principal, clientId, bytes, time.milliseconds());
    }

    @Test
    void throttlesOnceTheRateIsOverTheBoundByKafkasFormula() {
        quotas.set(entity("client-id", "c"), KEY, 1_000);

        assertThat(record(ALICE, "c", 5_000)).isZero();
        assertThat(record(ALICE, "c", 5_000)).isZero();
        assertThat(record(ALICE, "c", 1_000)).isEqualTo(1_000);
        time.advance(500);
        // 12,000 bytes over 10.5 s: 12 s at the bound minus the 10.5 s window
        assertThat(record(ALICE, "c", 1_000)).isEqualTo(1_500);
    }

    @Test
    void theRateIsMeasuredOverTheWholeWindowOnceItHasPassed() {
        quotas.set(entity("client-id", "c"), KEY, 1_000);
        // 900 B at the start of every second: the 11 windows kept hold 9,900 B over 10 s
        for (int second = 0; second < 30; second++) {
            assertThat(record(ALICE, "c", 900)).as("second %d", second).isZero();
            time.advance(1_000);
        }
        // 1,000 B in each of 11 windows: 11,000 B over 10 s once the older windows have gone
        for (int second = 0; second < 10; second++) {
            record(ALICE, "c", 1_000);
            time.advance(1_000);
        }
        assertThat(record(ALICE, "c", 1_000)).isEqualTo(1_000);
        time.advance(20_000);
        assertThat(record(ALICE, "c", 10_000)).isZero();
    }

    @Test
    void unrecordTakesBackAThrottledFetch() {
        quotas.set(entity("client-id", "c"), KEY, 1_000);
        assertThat(record(ALICE, "c", 11_000)).isEqualTo(1_000);

        manager.unrecord(ALICE, "c", 11_000, time.milliseconds());

        assertThat(record(ALICE, "c", 10_000)).isZero();
    }

    @Test
    void aDefaultQuotaHoldsEachClientSeparatelyAndAUserQuotaIsShared() {
        quotas.set(entity("client-id", null), KEY, 1_000).set(entity("user", "alice"), KEY, 1_000);
        KafkaPrincipal bob = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "bob");

        assertThat(record(bob, "c1", 10_000)).isZero();
        assertThat(record(bob, "c2", 10_000)).isZero();
        assertThat(record(ALICE, "c1", 10_000)).isZero();
        assertThat(record(ALICE, "c2", 1_000)).isEqualTo(1_000);
    }

    @Test
    void aChangedBoundAppliesToTheRateSoFarAndARemovedQuotaStopsThrottling() {
        quotas.set(entity("user", "alice"), KEY, 1_000);
        assertThat(record(ALICE, "c", 9_000)).isZero();

        quotas.set(entity("user", "alice"), KEY, 500);
        assertThat(record(ALICE, "c", 1_000)).isEqualTo(10_000);

        quotas.remove(entity("user", "alice"), KEY);
        assertThat(record(ALICE, "c", 1_000_000)).isZero();
        assertThat(manager.enabled()).isFalse();
    }

    @Test
    void withoutAQuotaOfItsTypeNothingIsRecorded() {
        quotas.set(entity("client-id", "c"), QuotaType.FETCH.key(), 1);

        assertThat(manager.enabled()).isFalse();
        assertThat(record(ALICE, "c", 1e12)).isZero();
        assertThat(manager.maxValueInQuotaWindow(ALICE, "c")).isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void theMostARequestMayTakeIsTheBoundOverAllWindowsButTheCurrentOne() {
        quotas.set(entity("client-id", "c"), KEY, 1_000);

        assertThat(manager.maxValueInQuotaWindow(ALICE, "c")).isEqualTo(10_000.0);
        assertThat(manager.maxValueInQuotaWindow(ALICE, "other")).isEqualTo(Double.MAX_VALUE);
        assertThat(manager.quota(ALICE, "c")).isEqualTo(1_000.0);
    }

    @Test
    void aRequestQuotasThrottleTimeIsBoundedByOneWindow() {
        ClientQuotaManager requests = new ClientQuotaManager(QuotaType.REQUEST, QuotaWindows.DEFAULT, quotas::image,
                time);
        quotas.set(entity("client-id", "c"), QuotaType.REQUEST.key(), 10);
        ClientRequestQuota connections = new ClientRequestQuota(requests);

        // 100 % of a thread for 2 s is 200 (percent × seconds), 20 times the bound: 10 s over, bounded to 1 s
        assertThat(requests.recordAndGetThrottleTimeMs(ALICE, "c", 200, time.milliseconds())).isEqualTo(1_000);
        assertThat(connections.enabled()).isTrue();
        assertThat(ClientRequestQuota.PERCENT_PER_NANO * 1_000_000_000L).isEqualTo(100.0);
    }

    @Test
    void windowsFollowTheConfiguredCountAndSize() {
        ClientQuotaManager twoWindows = new ClientQuotaManager(QuotaType.PRODUCE, new QuotaWindows(2, 2),
                quotas::image, time);
        quotas.set(entity("client-id", "c"), KEY, 1_000);

        // one full window of 2 s at least: 2,000 bytes are within, 3,000 are 1,500 B/s → (0.5) × 2,000 ms
        assertThat(twoWindows.recordAndGetThrottleTimeMs(ALICE, "c", 2_000, time.milliseconds())).isZero();
        assertThat(twoWindows.recordAndGetThrottleTimeMs(ALICE, "c", 1_000, time.milliseconds())).isEqualTo(1_000);
        assertThat(twoWindows.maxValueInQuotaWindow(ALICE, "c")).isEqualTo(2_000.0);
    }
}
