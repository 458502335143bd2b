package io.strand.broker.network.tls;

import io.netty.handler.ssl.SslHandler;
import java.util.Map;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The TLS side of this broker's connections to other brokers' inter-broker listener, as Kafka's
 * inter-broker clients make it: the inter-broker listener's {@code ssl.*} properties (its
 * {@code listener.name.<listener>.} overrides applied), the trust store to check the other broker's
 * certificate, the key store (if any) to present for {@code ssl.client.auth=required}, and
 * {@code ssl.endpoint.identification.algorithm} (Kafka's default {@code https}: the certificate must
 * name the host the broker advertises). JDK engine, built by kafka-clients' {@code DefaultSslEngineFactory}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientTls {

    private final TlsStores stores;
    private final String endpointIdentification;

    private ClientTls(TlsStores stores, String endpointIdentification) {
        this.stores = stores;
        this.endpointIdentification = endpointIdentification;
    }

    /**
     * @param listenerName the inter-broker listener, for messages
     * @param configs      its effective properties (overrides applied, parsed)
     */
    public static ClientTls of(String listenerName, Map<String, ?> configs) {
        TlsStores stores = TlsStores.load("inter-broker listener " + listenerName, configs);
        return new ClientTls(stores, stores.string(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, ""));
    }

    /** A handler for a connection to {@code host}:{@code port}, to go first in its pipeline. */
    public SslHandler newHandler(String host, int port) {
        return new SslHandler(stores.jdk().createClientSslEngine(host, port,
                endpointIdentification.isEmpty() ? null : endpointIdentification));
    }
}
