package io.strand.broker.quota;

import static io.strand.broker.quota.Quotas.entity;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.quota.QuotaResolver.Resolution;
import io.strand.broker.quota.QuotaResolver.Tags;
import org.junit.jupiter.api.Test;

class QuotaResolverTest {

    private static final String KEY = "producer_byte_rate";

    private final Quotas quotas = new Quotas();

    private Resolution resolve(String user, String clientId) {
        return QuotaResolver.of(quotas.image(), KEY).resolve(user, clientId);
    }

    @Test
    void followsKafkasEightLevelsOfPrecedence() {
        quotas.set(entity("client-id", null), KEY, 8);
        assertThat(resolve("u", "c")).isEqualTo(new Resolution(new Tags("", "c"), 8));
        quotas.set(entity("client-id", "c"), KEY, 7);
        assertThat(resolve("u", "c")).isEqualTo(new Resolution(new Tags("", "c"), 7));
        quotas.set(entity("user", null), KEY, 6);
        assertThat(resolve("u", "c")).isEqualTo(new Resolution(new Tags("u", ""), 6));
        quotas.set(entity("user", null, "client-id", null), KEY, 5);
        assertThat(resolve("u", "c")).isEqualTo(new Resolution(new Tags("u", "c"), 5));
        quotas.set(entity("user", null, "client-id", "c"), KEY, 4);
        assertThat(resolve("u", "c")).isEqualTo(new Resolution(new Tags("u", "c"), 4));
        quotas.set(entity("user", "u"), KEY, 3);
        assertThat(resolve("u", "c")).isEqualTo(new Resolution(new Tags("u", ""), 3));
        quotas.set(entity("user", "u", "client-id", null), KEY, 2);
        assertThat(resolve("u", "c")).isEqualTo(new Resolution(new Tags("u", "c"), 2));
        quotas.set(entity("user", "u", "client-id", "c"), KEY, 1);
        assertThat(resolve("u", "c")).isEqualTo(new Resolution(new Tags("u", "c"), 1));

        // other users and clients fall through to the defaults
        assertThat(resolve("v", "c")).isEqualTo(new Resolution(new Tags("v", "c"), 4));
        assertThat(resolve("v", "d")).isEqualTo(new Resolution(new Tags("v", "d"), 5));
        assertThat(resolve("u", "d")).isEqualTo(new Resolution(new Tags("u", "d"), 2));
    }

    @Test
    void appliesNothingWithoutAQuotaOfItsKey() {
        quotas.set(entity("client-id", "c"), "consumer_byte_rate", 10);
        QuotaResolver resolver = QuotaResolver.of(quotas.image(), KEY);

        assertThat(resolver.isEmpty()).isTrue();
        assertThat(resolver.resolve("u", "c")).isNull();
        quotas.set(entity("user", "someone-else"), KEY, 10);
        assertThat(resolve("u", "c")).isNull();
    }

    @Test
    void limitReadsTheBoundOfExistingTagsAsKafkaRereadsItsSensors() {
        quotas.set(entity("user", "u"), KEY, 3).set(entity("client-id", null), KEY, 8)
                .set(entity("user", null, "client-id", null), KEY, 5);
        QuotaResolver resolver = QuotaResolver.of(quotas.image(), KEY);

        assertThat(resolver.limit(new Tags("u", ""))).isEqualTo(3.0);
        assertThat(resolver.limit(new Tags("v", ""))).isNull();
        assertThat(resolver.limit(new Tags("", "c"))).isEqualTo(8.0);
        assertThat(resolver.limit(new Tags("u", "c"))).isEqualTo(5.0);
    }
}
