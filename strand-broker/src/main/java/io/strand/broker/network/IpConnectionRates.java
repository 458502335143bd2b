package io.strand.broker.network;

import java.net.InetAddress;

/**
 * Each client address's connection creation rate quota (Kafka's {@code connection_creation_rate} of
 * an {@code ip} quota entity): connections per second, or {@link #UNLIMITED}. {@link ConnectionLimits}
 * asks it on every accepted connection, on an accepting thread: implementations answer from memory.
 */
@FunctionalInterface
public interface IpConnectionRates {

    /** No quota for the address (Kafka's default, {@code Integer.MAX_VALUE}). */
    int UNLIMITED = Integer.MAX_VALUE;

    /** No address has a quota. */
    IpConnectionRates NONE = address -> UNLIMITED;

    /** The quota of {@code address}: connections per second, at least 1, or {@link #UNLIMITED}. */
    int ratePerSecond(InetAddress address);
}
