package io.strand.it;

import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.security.auth.AuthenticationContext;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.KafkaPrincipalBuilder;
import org.apache.kafka.common.security.auth.KafkaPrincipalSerde;
import org.apache.kafka.common.utils.SecurityUtils;

/**
 * A principal builder for tests of authorization without TLS or SASL: every connection of a listener
 * is the user named like the listener, in lower case ({@code ADMIN} → {@code User:admin},
 * {@code CLIENT} → {@code User:alice} as the one exception, so tests read like Kafka's docs). Set it
 * per listener: {@code listener.name.client.principal.builder.class=io.strand.it.ListenerPrincipalBuilder}.
 * Stateless; the broker makes one per listener.
 */
public final class ListenerPrincipalBuilder implements KafkaPrincipalBuilder, KafkaPrincipalSerde {

    @Override
    public KafkaPrincipal build(AuthenticationContext context) {
        String listener = context.listenerName().toLowerCase(Locale.ROOT);
        return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, listener.equals("client") ? "alice" : listener);
    }

    @Override
    public byte[] serialize(KafkaPrincipal principal) {
        return principal.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public KafkaPrincipal deserialize(byte[] bytes) {
        try {
            return SecurityUtils.parseKafkaPrincipal(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new SerializationException(e);
        }
    }
}
