package io.strand.common.config;

import java.util.Locale;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * Where a node's HTTP listener binds (health endpoints, {@code /metrics}, the REST API, the console), as
 * Strand's property {@value BrokerConfig#STRAND_HTTP_LISTENER} gives it: {@code http://host:port}, or
 * {@code https://host:port} for TLS with the node's {@code ssl.*} key store and settings. An empty host
 * binds every interface ({@code http://:8080}), an IPv6 host is written in brackets
 * ({@code http://[::1]:8080}), port 0 asks for an ephemeral port. An empty value disables the
 * listener; any other scheme is refused.
 *
 * @param tls  whether the listener serves TLS ({@code https})
 * @param host the host to bind, empty for every interface (no brackets around an IPv6 address)
 * @param port 0..65535
 */
public record HttpListenerAddress(boolean tls, String host, int port) {

    /** A plain {@code http} listener. */
    public HttpListenerAddress(String host, int port) {
        this(false, host, port);
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return tls ? "https" : "http";
    }

    /** The listener {@code value} names, or empty when the value is empty (the listener is off). */
    public static Optional<HttpListenerAddress> parse(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String spec = value.trim();
        String lower = spec.toLowerCase(Locale.ROOT);
        boolean tls;
        if (lower.startsWith("http://")) {
            tls = false;
        } else if (lower.startsWith("https://")) {
            tls = true;
        } else {
            throw new ConfigException(BrokerConfig.STRAND_HTTP_LISTENER, value,
                    "expected http://host:port or https://host:port (empty to disable)");
        }
        String hostPort = spec.substring(tls ? "https://".length() : "http://".length());
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || hostPort.contains("/")) {
            throw new ConfigException(BrokerConfig.STRAND_HTTP_LISTENER, value, "expected http(s)://host:port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ConfigException(BrokerConfig.STRAND_HTTP_LISTENER, value,
                    "an IPv6 host must be in brackets: http://[::1]:8080");
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return Optional.of(new HttpListenerAddress(tls, host, port));
        } catch (NumberFormatException e) {
            throw new ConfigException(BrokerConfig.STRAND_HTTP_LISTENER, value,
                    "the port must be a number from 0 to 65535");
        }
    }
}
