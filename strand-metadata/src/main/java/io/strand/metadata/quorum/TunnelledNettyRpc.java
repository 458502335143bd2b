package io.strand.metadata.quorum;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.netty.NettyFactory;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;
import org.apache.ratis.server.protocol.RaftServerAsynchronousProtocol;

/**
 * Ratis' netty transport with every peer connection sent through a {@link QuorumTunnel}: a Ratis
 * {@link RpcType} (named by its class, so Ratis makes it by reflection from the properties) whose server
 * RPC is Ratis' own {@code NettyRpcService}, except that the peers it is given are rewritten to the
 * tunnel's local endpoint for their address before Ratis sees them.
 *
 * <p>Why here and not in the group: the peers' addresses are written into the Raft log (configuration
 * entries) and read back by every voter, so they must stay the voters' real controller listeners; only
 * this node's way of reaching them changes. Ratis hands a server's RPC every peer it will talk to
 * ({@code RaftPeer.Add}), at start and on each configuration change, so rewriting there covers them all.
 *
 * <p>The tunnel comes in through the server's {@link Parameters} under {@link #TUNNEL_PARAMETER}.
 * Stateless apart from what the wrapped RPC holds; thread-safe as it is.
 */
public final class TunnelledNettyRpc implements RpcType {

    static final String TUNNEL_PARAMETER = "strand.quorum.tunnel";

    /** For Ratis' reflection. */
    public TunnelledNettyRpc() {
    }

    @Override
    public String name() {
        return TunnelledNettyRpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters, parameters.getNonNull(TUNNEL_PARAMETER, QuorumTunnel.class));
    }

    /** {@code peer} with its address replaced by the tunnel's local endpoint for it. */
    static RaftPeer throughTunnel(RaftPeer peer, QuorumTunnel tunnel) {
        InetSocketAddress local = tunnel.endpointFor(parseAddress(peer.getAddress()));
        return RaftPeer.newBuilder(peer).setAddress(local.getHostString() + ":" + local.getPort()).build();
    }

    /** {@code host:port} (an IPv6 host may be bracketed), unresolved. */
    static InetSocketAddress parseAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("Not a host:port address: " + address);
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return InetSocketAddress.createUnresolved(host, Integer.parseInt(address.substring(colon + 1)));
    }

    private static final class Factory implements ServerFactory {
        private final NettyFactory netty;
        private final QuorumTunnel tunnel;

        Factory(Parameters parameters, QuorumTunnel tunnel) {
            this.netty = new NettyFactory(parameters);
            this.tunnel = tunnel;
        }

        @Override
        public RpcType getRpcType() {
            return new TunnelledNettyRpc();
        }

        @Override
        public RaftServerRpc newRaftServerRpc(RaftServer server) {
            return new ServerRpc(netty.newRaftServerRpc(server), tunnel);
        }
    }

    /** Ratis' netty server RPC, its peers reached through the tunnel. */
    private static final class ServerRpc implements RaftServerRpc {
        private final RaftServerRpc delegate;
        private final QuorumTunnel tunnel;

        ServerRpc(RaftServerRpc delegate, QuorumTunnel tunnel) {
            this.delegate = Objects.requireNonNull(delegate);
            this.tunnel = tunnel;
        }

        @Override
        public void addRaftPeers(Collection<RaftPeer> peers) {
            List<RaftPeer> tunnelled = peers.stream().map(p -> throughTunnel(p, tunnel)).toList();
            delegate.addRaftPeers(tunnelled);
        }

        @Override
        public RpcType getRpcType() {
            return new TunnelledNettyRpc();
        }

        @Override
        public void start() throws IOException {
            delegate.start();
        }

        @Override
        public InetSocketAddress getInetSocketAddress() {
            return delegate.getInetSocketAddress();
        }

        @Override
        public InetSocketAddress getClientServerAddress() {
            return delegate.getClientServerAddress();
        }

        @Override
        public InetSocketAddress getAdminServerAddress() {
            return delegate.getAdminServerAddress();
        }

        @Override
        public void handleException(RaftPeerId serverId, Exception e, boolean reconnect) {
            delegate.handleException(serverId, e, reconnect);
        }

        @Override
        public void notifyNotLeader(RaftGroupId groupId) {
            delegate.notifyNotLeader(groupId);
        }

        @Override
        public RaftServerAsynchronousProtocol async() {
            return delegate.async();
        }

        @Override
        public RequestVoteReplyProto requestVote(RequestVoteRequestProto request) throws IOException {
            return delegate.requestVote(request);
        }

        @Override
        public AppendEntriesReplyProto appendEntries(AppendEntriesRequestProto request) throws IOException {
            return delegate.appendEntries(request);
        }

        @Override
        public InstallSnapshotReplyProto installSnapshot(InstallSnapshotRequestProto request) throws IOException {
            return delegate.installSnapshot(request);
        }

        @Override
        public StartLeaderElectionReplyProto startLeaderElection(StartLeaderElectionRequestProto request)
                throws IOException {
            return delegate.startLeaderElection(request);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
