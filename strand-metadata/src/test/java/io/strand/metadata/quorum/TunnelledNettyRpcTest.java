package io.strand.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.rpc.RpcType;
import org.junit.jupiter.api.Test;

/**
 * Peers keep their id and every other field and only their address changes to the tunnel's local endpoint,
 * chosen by their real address; Ratis finds the transport again from its name.
 */
class TunnelledNettyRpcTest {

    @Test
    void aPeerIsReachedAtTheTunnelsEndpointForItsAddress() {
        QuorumTunnel tunnel = new QuorumTunnel() {
            @Override
            public InetSocketAddress endpointFor(InetSocketAddress voter) {
                assertThat(voter.isUnresolved()).isTrue();
                return new InetSocketAddress("127.0.0.1", voter.getPort() + 1000);
            }

            @Override
            public Listener serve(InetSocketAddress listen, InetSocketAddress raftServer) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
        RaftPeer peer = RaftPeer.newBuilder().setId("2").setAddress("controller-2.example:9093").setPriority(3).build();
        RaftPeer tunnelled = TunnelledNettyRpc.throughTunnel(peer, tunnel);
        assertThat(tunnelled.getId()).isEqualTo(peer.getId());
        assertThat(tunnelled.getPriority()).isEqualTo(3);
        assertThat(tunnelled.getAddress()).isEqualTo("127.0.0.1:10093");
    }

    @Test
    void addressesParseAsHostAndPort() {
        assertThat(TunnelledNettyRpc.parseAddress("127.0.0.1:9093"))
                .isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 9093));
        assertThat(TunnelledNettyRpc.parseAddress("[::1]:9093"))
                .isEqualTo(InetSocketAddress.createUnresolved("::1", 9093));
        assertThatThrownBy(() -> TunnelledNettyRpc.parseAddress("no-port")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratisMakesTheTransportFromItsName() {
        assertThat(RpcType.valueOf(new TunnelledNettyRpc().name())).isInstanceOf(TunnelledNettyRpc.class);
    }
}
