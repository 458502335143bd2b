package io.strand.broker;

import io.strand.broker.controller.QuorumControllerChannel;
import io.strand.metadata.quorum.NodeMetadata;
import io.strand.metadata.quorum.QuorumTransport;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * What the broker role needs from the part of its node that holds the metadata: the node's copy of
 * the committed metadata, where the voters listen, and the node's own controller if it has one. A
 * {@link ControllerComponent} (a voter, on a combined node) or an {@link ObserverComponent} (a
 * broker-only node following the log). Call only after that component started.
 */
interface MetadataRole {

    /** The node's copy of the metadata: its image, the catch-up gate, the active controller's id. */
    NodeMetadata metadata();

    /** Node id → Raft address of every voter, with this node's bound address if it is one. */
    Map<Integer, InetSocketAddress> voters();

    /** This node's controller, asked first while it leads; null on a node without the controller role. */
    QuorumControllerChannel.LocalController localController();

    /** How this node reaches the voters (plaintext, or TLS when its controller listener is SSL). */
    QuorumTransport quorumTransport();
}
