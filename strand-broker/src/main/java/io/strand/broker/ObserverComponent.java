package io.strand.broker;

import io.strand.broker.controller.QuorumControllerChannel;
import io.strand.common.config.BrokerConfig;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.quorum.MetadataObserver;
import io.strand.metadata.quorum.NodeMetadata;
import io.strand.metadata.quorum.QuorumTransport;
import java.net.InetSocketAddress;
import java.util.Map;
import org.apache.kafka.common.utils.Time;

/**
 * The metadata of a broker-only node: a {@link MetadataObserver} that follows the committed
 * metadata log of the controllers in {@code controller.quorum.voters} without voting and hands
 * every image to the given listener, as a voter would. It binds no port; it keeps its copy of the
 * image in the metadata directory ({@code metadata.log.dir}, else the first log dir, under
 * {@link ControllerComponent#METADATA_DIR_NAME}), so a restart fetches only what it missed.
 * Without voters listed, start first asks {@code controller.quorum.bootstrap.servers} for them
 * ({@link QuorumDiscovery}), waiting up to {@link #DISCOVERY_TIMEOUT_MS}.
 *
 * <p>Start returns once the observer runs (the broker waits for it to catch up before serving).
 * Close stops fetching and the observer's threads.
 */
final class ObserverComponent implements NodeComponent, MetadataRole {

    static final long DISCOVERY_TIMEOUT_MS = 30_000;

    private final BrokerConfig config;
    private final Time time;
    private final MetadataListener imageListener;
    private MetadataObserver observer;
    private QuorumTransport transport;
    private Map<Integer, InetSocketAddress> voters;

    ObserverComponent(BrokerConfig config, Time time, MetadataListener imageListener) {
        this.config = config;
        this.time = time;
        this.imageListener = imageListener;
    }

    @Override
    public String name() {
        return "metadata-observer";
    }

    @Override
    public void start() throws InterruptedException {
        // As a Kafka broker reaches the controllers: with the security protocol and ssl.* of its controller listener.
        transport = QuorumTransports.of(config);
        voters = config.quorumVoters().isEmpty()
                ? QuorumDiscovery.voters(config.nodeId(), config.quorumBootstrapServers(), DISCOVERY_TIMEOUT_MS,
                        transport)
                : Voters.addresses(config);
        observer = MetadataObserver.start(config.nodeId(), voters,
                config.metadataLogDir().resolve(ControllerComponent.METADATA_DIR_NAME), time, imageListener,
                transport);
    }

    @Override
    public NodeMetadata metadata() {
        return observer;
    }

    @Override
    public Map<Integer, InetSocketAddress> voters() {
        return voters;
    }

    @Override
    public QuorumControllerChannel.LocalController localController() {
        return null;
    }

    @Override
    public QuorumTransport quorumTransport() {
        return transport;
    }

    @Override
    public void close() {
        try {
            if (observer != null) {
                observer.close();
            }
        } finally {
            if (transport != null) {
                transport.close();
            }
        }
    }
}
