package io.strand.broker.network;

import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;

/**
 * How this node logs in to another node's SASL listener: the mechanism, the user (for messages) and a new
 * SASL client per authentication. The broker adapts its settings to it (the inter-broker ones live in the
 * fetcher, which this package does not see). Implementations are thread-safe.
 */
public interface SaslLogin {

    /** The SASL mechanism, as SaslHandshake names it. */
    String mechanism();

    /** Who logs in, for messages; never the password. */
    String username();

    /** A client for one authentication to {@code host}. */
    SaslClient newClient(String host) throws SaslException;
}
