package io.strand.metadata.quorum;

import java.net.InetSocketAddress;

/**
 * An authenticating tunnel that carries the metadata quorum's connections when its controller listener
 * needs what Ratis' own transports lack (SASL): every connection to a voter first authenticates on the
 * voter's controller listener and only then carries Ratis' bytes, unchanged, in both directions.
 *
 * <p>Both ends of every quorum connection go through it ({@link QuorumTransport#tunnelled}):
 * <ul>
 *   <li>{@link #serve}: a voter's controller listener. Each connection accepted there must authenticate;
 *       one that does is joined to the voter's Raft server, which listens on a loopback port only; one that
 *       does not is closed.</li>
 *   <li>{@link #endpointFor}: a node's way to a voter. Ratis connects to a loopback endpoint of this node;
 *       each connection accepted there dials the voter's controller listener, authenticates as this node,
 *       and is then joined; a refused authentication closes the local connection, which Ratis sees as a
 *       lost connection.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe. {@link #close} stops every endpoint and every connection; it is
 * called by whoever made the tunnel, after the quorum and its clients are closed.
 */
public interface QuorumTunnel extends AutoCloseable {

    /**
     * The loopback address whose connections reach the voter at {@code voter} through the tunnel; made on
     * the first call for a voter, the same address afterwards.
     *
     * @param voter the voter's controller listener as {@code controller.quorum.voters} names it (unresolved)
     * @throws java.io.UncheckedIOException when no loopback port can be bound
     */
    InetSocketAddress endpointFor(InetSocketAddress voter);

    /**
     * Starts accepting on {@code listen} (a voter's controller listener): connections that authenticate are
     * joined to {@code raftServer}.
     *
     * @return the bound listener; closing it stops accepting
     * @throws java.io.UncheckedIOException when {@code listen} cannot be bound
     */
    Listener serve(InetSocketAddress listen, InetSocketAddress raftServer);

    /** Stops every endpoint and listener and closes their connections; idempotent. */
    @Override
    void close();

    /** A bound controller listener of a voter. */
    interface Listener extends AutoCloseable {
        /** The address bound (the real port where 0 was asked). */
        InetSocketAddress address();

        /**
         * Stops accepting; idempotent. Connections already joined end when the Raft server closes them,
         * the others when they time out or the tunnel closes.
         */
        @Override
        void close();
    }
}
