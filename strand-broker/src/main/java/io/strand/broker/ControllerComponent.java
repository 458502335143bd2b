package io.strand.broker;

import io.strand.broker.api.admin.AdminHandlers;
import io.strand.broker.controller.ControllerRequestDispatcher;
import io.strand.broker.controller.NettyBrokerProber;
import io.strand.broker.controller.QuorumControllerChannel;
import io.strand.broker.share.ShareGroupConfig;
import io.strand.common.config.BrokerConfig;
import io.strand.metadata.controller.BrokerProbeSettings;
import io.strand.metadata.controller.BrokerProber;
import io.strand.metadata.controller.ClusterControlSettings;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.quorum.MetadataQuorum;
import io.strand.metadata.quorum.NodeMetadata;
import io.strand.metadata.quorum.QuorumDescription;
import io.strand.metadata.quorum.QuorumOptions;
import io.strand.metadata.quorum.QuorumTransport;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * The controller role: this node's voter in the metadata quorum (Ratis, listening on the node's
 * {@code controller.quorum.voters} address, which is its controller listener, over the transport its
 * security protocol chooses: {@link QuorumTransports}) and the
 * {@link QuorumController} that writes to it, with the {@link ControllerRequestDispatcher} that
 * answers, while this node leads, the requests brokers send through their controller channels.
 * Every image the quorum applies goes to the given listener.
 *
 * <p>Start returns once the Ratis server runs; it does not wait for an election or catch-up (a
 * broker on this node waits for that before serving). Close stops the controller thread and the
 * prober of silent brokers ({@link NettyBrokerProber}), then the quorum: its Ratis server, port,
 * storage lock and threads.
 */
final class ControllerComponent implements NodeComponent, MetadataRole {

    /** Under the metadata log dir; not a partition directory name, so the log manager leaves it be. */
    static final String METADATA_DIR_NAME = "__cluster_metadata";

    private final BrokerConfig config;
    private final Time time;
    private final MetadataListener imageListener;
    private MetadataQuorum quorum;
    private QuorumTransport transport;
    private QuorumController controller;
    private NettyBrokerProber prober;
    private ControllerRequestDispatcher dispatcher;

    ControllerComponent(BrokerConfig config, Time time, MetadataListener imageListener) {
        this.config = config;
        this.time = time;
        this.imageListener = imageListener;
    }

    @Override
    public String name() {
        return "controller";
    }

    @Override
    public void start() {
        // The controller listener's security protocol: plaintext, TLS (mutual with ssl.client.auth=required), or
        // SASL through an authenticating tunnel (over TLS with SASL_SSL).
        transport = QuorumTransports.of(config);
        // Closes itself when it fails to start.
        quorum = MetadataQuorum.start(config.nodeId(), Voters.addresses(config),
                config.metadataLogDir().resolve(METADATA_DIR_NAME), time, imageListener, QuorumOptions.defaults(),
                transport);
        // Answers only once this node's listeners have the change: a created topic is served here.
        // Its event loop thread starts with the first probe: none on a node whose brokers have no session.
        prober = new NettyBrokerProber(config.nodeId());
        controller = new QuorumController(quorum.controllerLog(), time, new Random(), settings(config),
                probeSettings(config, prober));
        // Requests from every broker's controller channel reach this controller while it leads.
        MetadataQuorum describedQuorum = quorum;
        String controllerListener = config.controllerListenerNames().get(0);
        dispatcher = new ControllerRequestDispatcher(controller,
                AdminHandlers.controllerDefaults(config), BrokerConfig::isAlterable, AdminHandlers::isListProperty,
                ShareGroupConfig.groupConfigBounds(config.originals()),
                request -> QuorumDescription.asksForTheMetadataPartition(request)
                        ? describedQuorum.describeQuorum(controllerListener).map(QuorumDescription::toResponse)
                                .orElseGet(() -> QuorumDescription.error(request, Errors.NOT_LEADER_OR_FOLLOWER))
                        : QuorumDescription.error(request, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        quorum.setLeaderRequestHandler(dispatcher);
    }

    /** Broker sessions and elections as the node's properties set them. */
    static ClusterControlSettings settings(BrokerConfig config) {
        return new ClusterControlSettings(config.brokerSessionTimeoutMs(), config.uncleanLeaderElectionEnable(),
                config.autoLeaderRebalanceEnable(), config.leaderImbalanceCheckIntervalSeconds() * 1000L);
    }

    /**
     * Silent brokers are probed on their inter-broker listener (as this node names it) after one
     * missed {@code broker.heartbeat.interval.ms} (this node's value, taken as the cluster's).
     */
    static BrokerProbeSettings probeSettings(BrokerConfig config, BrokerProber prober) {
        return new BrokerProbeSettings(prober, config.interBrokerListenerName(), config.brokerHeartbeatIntervalMs());
    }

    /** This node's controller as its brokers' controller channels ask it first, while it leads. */
    @Override
    public QuorumControllerChannel.LocalController localController() {
        return new QuorumControllerChannel.LocalController(quorum::isLeader, dispatcher);
    }

    @Override
    public QuorumTransport quorumTransport() {
        return transport;
    }

    MetadataQuorum quorum() {
        return quorum;
    }

    @Override
    public NodeMetadata metadata() {
        return quorum;
    }

    /** The voters; a lone voter may bind an ephemeral Raft port (tests): reached where it bound. */
    @Override
    public Map<Integer, InetSocketAddress> voters() {
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>(Voters.addresses(config));
        if (voters.containsKey(config.nodeId()) && voters.get(config.nodeId()).getPort() == 0) {
            voters.put(config.nodeId(), quorum.raftAddress());
        }
        return voters;
    }

    QuorumController controller() {
        return controller;
    }

    @Override
    public void close() {
        try {
            if (quorum != null) {
                quorum.setLeaderRequestHandler(null);
            }
            if (controller != null) {
                controller.close();
            }
            if (prober != null) {
                prober.close();
            }
        } finally {
            if (quorum != null) {
                quorum.close();
            }
            if (transport != null) {
                transport.close();
            }
        }
    }
}
