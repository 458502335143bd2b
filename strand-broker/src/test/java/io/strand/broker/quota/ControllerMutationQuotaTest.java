package io.strand.broker.quota;

import static io.strand.broker.quota.Quotas.entity;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.time.ManualTime;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/**
 * A bound of 10 partitions/s over Kafka's default windows gives a bucket of 10 × 11 × 1 s = 110 tokens,
 * refilled at 10 per second.
 */
class ControllerMutationQuotaTest {

    private static final KafkaPrincipal ALICE = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");

    private final ManualTime time = new ManualTime();
    private final Quotas quotas = new Quotas().set(entity("client-id", "c"), QuotaType.CONTROLLER_MUTATION.key(), 10);
    private final ClientQuotaManager manager =
            new ClientQuotaManager(QuotaType.CONTROLLER_MUTATION, QuotaWindows.DEFAULT, quotas::image, time);

    @Test
    void strictAcceptsWhileTheBucketIsNotBelowZeroThenRefusesTheRest() {
        ControllerMutationQuota quota = manager.newControllerMutationQuota(ALICE, "c", true);

        assertThat(quota.tryAcquire(90)).isTrue();
        assertThat(quota.tryAcquire(90)).isTrue();
        assertThat(quota.throttleTimeMs()).isZero();
        // 70 tokens below zero: 7 s to refill at 10/s
        assertThat(quota.tryAcquire(1)).isFalse();
        assertThat(quota.throttleTimeMs()).isEqualTo(7_000);
        assertThat(quota.tryAcquire(0)).isFalse();
        time.advance(3_000);
        assertThat(quota.throttleTimeMs()).isEqualTo(4_000);

        time.advance(4_000);
        ControllerMutationQuota next = manager.newControllerMutationQuota(ALICE, "c", true);
        assertThat(next.tryAcquire(5)).isTrue();
    }

    @Test
    void permissiveAcceptsEverythingAndThrottles() {
        ControllerMutationQuota quota = manager.newControllerMutationQuota(ALICE, "c", false);

        assertThat(quota.tryAcquire(200)).isTrue();
        assertThat(quota.tryAcquire(10)).isTrue();
        assertThat(quota.throttleTimeMs()).isEqualTo(10_000);
    }

    @Test
    void aClientWithoutTheQuotaIsUnbounded() {
        assertThat(manager.newControllerMutationQuota(ALICE, "other", true)).isSameAs(ControllerMutationQuota.UNBOUNDED);
        assertThat(ControllerMutationQuota.UNBOUNDED.tryAcquire(1_000_000)).isTrue();
        assertThat(ControllerMutationQuota.UNBOUNDED.throttleTimeMs()).isZero();
    }
}
