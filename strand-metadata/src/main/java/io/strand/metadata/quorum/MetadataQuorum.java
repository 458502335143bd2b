package io.strand.metadata.quorum;

import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.image.MetadataLog;
import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.image.SupportedFeatures;
import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.MetadataRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.utils.Time;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's member of the metadata quorum: an Apache Ratis server (netty transport, or gRPC with
 * TLS: see {@link QuorumTransport}) whose state
 * machine applies metadata record batches to the {@link MetadataImage}. Any number of voters; a
 * quorum of one leads by itself within a few milliseconds of start.
 *
 * <p>Start-up: the latest snapshot under the metadata directory is loaded, then Ratis replays the
 * log after it. {@link #caughtUp()} completes once this node has applied everything committed
 * before it started and the cluster id is known: as leader, when the entry that opens its term is
 * applied (Ratis "leader ready"; no round trip, so a single voter is caught up as soon as it
 * leads); as follower, when its applied index reaches the index of a linearizable read from the
 * leader ({@link LeaderReadIndex}). A follower's own view of the leader's commit index is no
 * proof: right after a restart or an election it can be one the leader has since passed. Without
 * a leader, or while the read fails, the follower keeps trying. Last, it waits until the listener
 * has been told the image caught up to, so a caller sees the listener's side effects too. The
 * first leader of a new quorum writes the {@link ClusterIdRecord}, and with it, in the same entry, the
 * bootstrap levels of the finalized features ({@link SupportedFeatures#BOOTSTRAP}).
 *
 * <p>Threads: thread-safe. Ratis' apply thread applies entries and hands each new image, with its
 * delta, to the metadata publisher, whose own thread ({@code strand-metadata-publisher-<nodeId>})
 * calls the {@link MetadataListener} in log order, so a slow listener never holds up applying
 * (see {@link MetadataPublisher}). One scheduler thread of this class drives catch-up, cluster-id
 * writing and append timeouts. {@link #close()} stops all of them: Ratis first, then the publisher
 * after it has told the listener what was already applied.
 *
 * <p>Leader requests: while this node leads, the {@link LeaderRequestHandler} installed with
 * {@link #setLeaderRequestHandler} answers what any node sends with a {@link LeaderRequestClient}
 * (the controller channel): Ratis read-only requests that the state machine's {@code query} hands
 * over, with no Raft log write. Such a request waits on a Ratis server thread for its answer;
 * {@link #close()} answers those still waiting NOT_CONTROLLER first.
 *
 * <p>Observers: a broker-only node's {@link MetadataObserver} fetches the committed log (or this
 * node's image, when the log was purged) from the leader through the same read-only requests;
 * {@link ObserverFetches} answers them without a handler, and {@link #describeQuorum} lists the
 * observers heard from lately.
 *
 * <p>Survives a crash: every committed batch (Ratis log, fsynced before commit) and the snapshots;
 * the log is purged behind a snapshot taken every {@link QuorumOptions#snapshotIntervalEntries()}
 * entries.
 */
public final class MetadataQuorum implements MetadataLog, NodeMetadata, AutoCloseable {

    /** slf4j-simple's level property for Ratis' loggers. */
    static final String RATIS_LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.org.apache.ratis";

    static {
        // Ratis logs every election, segment roll and purge at INFO. Unless configured otherwise,
        // keep it at WARN; this must happen before Ratis creates its loggers. Other SLF4J
        // backends ignore the property and need their own setting for "org.apache.ratis".
        if (System.getProperty(RATIS_LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(RATIS_LOG_LEVEL_PROPERTY, "warn");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(MetadataQuorum.class);

    private static final long CATCH_UP_POLL_MS = 10;
    /** Pause after a failed read index before the next; the leader may be changing. */
    private static final long READ_INDEX_RETRY_MS = 50;
    private static final long CLOSE_WAIT_MS = 5_000;

    private final int nodeId;
    private final RaftPeerId selfId;
    private final Time time;
    private final QuorumOptions options;
    private final long startMs;
    private final ScheduledExecutorService scheduler;
    private final QuorumAppender appender;
    private final MetadataStateMachine stateMachine;
    private final MetadataPublisher publisher;
    private final LeaderRequests leaderRequests;
    private final ObserverFetches observerFetches;
    private final CompletableFuture<Void> caughtUpBarrier = new CompletableFuture<>();
    private final CompletableFuture<Void> clusterIdKnown = new CompletableFuture<>();
    private final CompletableFuture<Void> caughtUp;

    private volatile RaftServer server;
    /** The address the server was asked to bind (its port may be 0); set before the server starts. */
    private volatile InetSocketAddress bindAddress;
    /** The controller listener in front of the Raft server when the transport is tunnelled (SASL); else null. */
    private volatile QuorumTunnel.Listener tunnelListener;
    private volatile RaftServer.Division division;
    private volatile boolean closed;
    private volatile long caughtUpMs = -1;
    private volatile LeaderReadIndex leaderReadIndex;
    /** Scheduler thread only: a catch-up poll is scheduled. */
    private boolean catchUpPollScheduled;
    /** Scheduler thread only: a read index request is on its way to the leader. */
    private boolean readIndexInFlight;
    /** Scheduler thread only: the highest read index the leader answered, -1 before. */
    private long readIndex = -1;
    /** Scheduler thread only: no read index request before this time. */
    private long nextReadIndexMs;

    private MetadataQuorum(int nodeId, Time time, QuorumOptions options, MetadataListener listener) {
        this.nodeId = nodeId;
        this.selfId = RaftSettings.peerId(nodeId);
        this.time = time;
        this.options = options;
        this.startMs = time.milliseconds();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strand-metadata-quorum-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        this.appender = new QuorumAppender(nodeId, scheduler, options.requestTimeoutMs(), this::leaderId);
        this.publisher = new MetadataPublisher(nodeId, listener);
        this.leaderRequests = new LeaderRequests(nodeId, scheduler, options.requestTimeoutMs());
        this.observerFetches = new ObserverFetches(() -> nodeId, this::committedLog, this::image,
                time::milliseconds);
        this.stateMachine = new MetadataStateMachine(publisher, new StateMachineEvents(), leaderRequests,
                observerFetches);
        this.caughtUp = caughtUpBarrier.thenCompose(v -> clusterIdKnown)
                .thenCompose(v -> publisher.published(image().appliedOffset()));
        this.caughtUp.thenRun(() -> {
            caughtUpMs = time.milliseconds() - startMs;
            log.info("Metadata quorum caught up: nodeId={} leaderId={} appliedOffset={} clusterId={} startupMs={}",
                    nodeId, leaderId(), image().appliedOffset(), image().clusterId(), caughtUpMs);
        });
    }

    /** {@link #start(int, Map, Path, Time, MetadataListener, QuorumOptions)} with default options. */
    public static MetadataQuorum start(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir,
                                       Time time, MetadataListener listener) {
        return start(nodeId, voters, metadataDir, time, listener, QuorumOptions.defaults());
    }

    /**
     * Starts the Ratis server of {@code nodeId}, bound to {@code voters.get(nodeId)} (port 0 binds
     * an ephemeral port; only sensible for a quorum of one), with its data under
     * {@code metadataDir}; loads the latest snapshot and replays the log. Returns once the server
     * runs; wait on {@link #caughtUp()} before serving reads.
     *
     * @throws UncheckedIOException when the directory or the port cannot be used
     */
    public static MetadataQuorum start(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir,
                                       Time time, MetadataListener listener, QuorumOptions options) {
        return start(nodeId, voters, metadataDir, time, listener, options, QuorumTransport.plaintext());
    }

    /**
     * As {@link #start(int, Map, Path, Time, MetadataListener, QuorumOptions)}, with the voters speaking
     * {@code transport} among themselves and to clients (every voter, and every client of the quorum,
     * must use the same).
     */
    public static MetadataQuorum start(int nodeId, Map<Integer, InetSocketAddress> voters, Path metadataDir,
                                       Time time, MetadataListener listener, QuorumOptions options,
                                       QuorumTransport transport) {
        InetSocketAddress self = voters.get(nodeId);
        if (self == null) {
            throw new IllegalArgumentException("Node is not a voter: nodeId=" + nodeId + " voters=" + voters.keySet());
        }
        MetadataQuorum quorum = new MetadataQuorum(nodeId, Objects.requireNonNull(time),
                Objects.requireNonNull(options), Objects.requireNonNull(listener));
        try {
            Files.createDirectories(metadataDir);
            checkPortFree(self);
            quorum.startServer(voters, self, metadataDir, Objects.requireNonNull(transport, "transport"));
        } catch (IOException e) {
            quorum.close();
            throw new UncheckedIOException("Cannot start metadata quorum: nodeId=" + nodeId + " address=" + self
                    + " dir=" + metadataDir, e);
        } catch (RuntimeException e) {
            quorum.close();
            throw e;
        }
        return quorum;
    }

    /**
     * Ratis starts its raft group before binding its port, and a server whose bind failed can no
     * longer be closed (its threads would stay). So the port is tried first.
     */
    private static void checkPortFree(InetSocketAddress address) throws IOException {
        if (address.getPort() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (IOException e) {
            throw new BindException("Raft port not available: address=" + address + " cause=" + e.getMessage());
        }
    }

    private void startServer(Map<Integer, InetSocketAddress> voters, InetSocketAddress self, Path metadataDir,
                             QuorumTransport transport) throws IOException {
        RaftStorage.StartupOption option = RaftSettings.storageExists(metadataDir)
                ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT;
        // Only voters that can race for the first term need the common starting point; a lone voter
        // is spared its cost (writing, syncing and loading a snapshot: about 130 ms of a start).
        if (option == RaftStorage.StartupOption.FORMAT && voters.size() > 1) {
            stateMachine.formatting();
        }
        RaftSettings.withoutJmxReporting();
        RaftGroup group = RaftSettings.group(voters);
        RaftProperties properties = RaftSettings.properties(metadataDir, options, voters.size());
        transport.configureServer(properties, self);
        bindAddress = self;
        RaftServer raftServer = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setParameters(transport.serverParameters())
                .setOption(option)
                .build();
        server = raftServer;
        leaderReadIndex = new LeaderReadIndex(group, properties, transport, readIndexTimeoutMs(), scheduler);
        raftServer.start();
        // A tunnelled Raft server listens on loopback; the voter's address is the tunnel's, which admits
        // only connections that authenticate.
        tunnelListener = transport.serve(self, raftServer.getServerRpc().getInetSocketAddress());
        division = raftServer.getDivision(RaftSettings.GROUP_ID);
        log.info("Metadata quorum started: nodeId={} address={} voters={} transport={} storage={} startMs={}",
                nodeId, raftAddress(), voters, transport, option, time.milliseconds() - startMs);
        runOnScheduler(this::maybeCatchUp);
    }

    public int nodeId() {
        return nodeId;
    }

    /** The address the Raft transport is bound to. */
    public InetSocketAddress raftAddress() {
        QuorumTunnel.Listener front = tunnelListener;
        if (front != null) {
            return front.address();
        }
        InetSocketAddress bound = server.getServerRpc().getInetSocketAddress();
        // Ratis' gRPC transport reports the wildcard address with the bound port, whatever host it bound.
        InetSocketAddress asked = bindAddress;
        if (bound.getAddress() != null && bound.getAddress().isAnyLocalAddress() && asked != null
                && !asked.isUnresolved() && !asked.getAddress().isAnyLocalAddress()) {
            return new InetSocketAddress(asked.getHostString(), bound.getPort());
        }
        return bound;
    }

    /** The latest applied image. */
    @Override
    public MetadataImage image() {
        return stateMachine.image();
    }

    /** True while this node leads and has applied all earlier terms' entries, so appends are accepted. */
    @Override
    public boolean isLeader() {
        RaftServer.Division d = division;
        if (d == null || closed) {
            return false;
        }
        DivisionInfo info = d.getInfo();
        return info.isLeader() && info.isLeaderReady();
    }

    /** The current leader's node id, if known. */
    @Override
    public OptionalInt leaderId() {
        RaftServer.Division d = division;
        RaftPeerId leader = d == null ? null : d.getInfo().getLeaderId();
        if (leader == null) {
            return OptionalInt.empty();
        }
        int id = RaftSettings.nodeId(leader);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /**
     * The quorum as this node sees it while it leads (see {@link QuorumDescription} for what Ratis
     * exposes and how it maps to Kafka's DescribeQuorum); empty when this node does not lead. Voter
     * endpoints are the Raft addresses, named {@code listenerName}. Thread-safe; reads the Raft
     * division's state without blocking.
     */
    public Optional<QuorumDescription> describeQuorum(String listenerName) {
        RaftServer.Division d = division;
        if (d == null || closed) {
            return Optional.empty();
        }
        DivisionInfo info = d.getInfo();
        RoleInfoProto role = info.getRoleInfoProto();
        if (!info.isLeader() || !role.hasLeaderInfo()) {
            return Optional.empty();
        }
        long nowMs = time.milliseconds();
        long leaderNextIndex = d.getRaftLog().getNextIndex();
        List<ServerRpcProto> followers = role.getLeaderInfo().getFollowerInfoList();
        // Both come from the leader's list of log appenders, in its order; a change of the list
        // between the two reads leaves the next indices unknown.
        long[] nextIndices = info.getFollowerNextIndices();
        boolean indicesLineUp = nextIndices.length == followers.size();
        List<QuorumDescription.Voter> voters = new ArrayList<>();
        voters.add(new QuorumDescription.Voter(nodeId, leaderNextIndex, nowMs, nowMs));
        for (int i = 0; i < followers.size(); i++) {
            ServerRpcProto follower = followers.get(i);
            int followerId = RaftSettings.nodeId(RaftPeerId.valueOf(follower.getId().getId()));
            long nextIndex = indicesLineUp ? nextIndices[i] : -1L;
            long lastFetchMs = nowMs - follower.getLastRpcElapsedTimeMs();
            long caughtUpMs = nextIndex >= leaderNextIndex ? lastFetchMs : -1L;
            voters.add(new QuorumDescription.Voter(followerId, nextIndex, lastFetchMs, caughtUpMs));
        }
        voters.sort(Comparator.comparingInt(QuorumDescription.Voter::nodeId));
        Map<Integer, InetSocketAddress> endpoints = new HashMap<>();
        for (RaftPeer peer : d.getRaftConf().getCurrentPeers()) {
            int id = RaftSettings.nodeId(peer.getId());
            String address = peer.getAddress();
            int colon = address == null ? -1 : address.lastIndexOf(':');
            if (id >= 0 && colon > 0) {
                endpoints.put(id, InetSocketAddress.createUnresolved(address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1))));
            }
        }
        long highWatermark = d.getRaftLog().getLastCommittedIndex() + 1;
        List<QuorumDescription.Voter> observers = observerFetches.observers().stream()
                .map(o -> new QuorumDescription.Voter(o.nodeId(), o.fetchIndex(), o.lastFetchMs(), o.lastCaughtUpMs()))
                .toList();
        return Optional.of(new QuorumDescription(nodeId, info.getCurrentTerm(), highWatermark, voters, observers,
                endpoints, listenerName));
    }

    /**
     * The latest image the listener has returned from. It may lag {@link #image()}, the latest
     * applied one, while the publisher catches up.
     */
    @Override
    public MetadataImage publishedImage() {
        return publisher.publishedImage();
    }

    /**
     * Completes once the listener has returned from an image at or past {@code offset} (a log index,
     * as an append's future carries); fails with {@link NotControllerException} if the quorum closes
     * first. Callbacks may run on the publisher thread: never block there, and never wait on this
     * future from a listener.
     */
    public CompletableFuture<Void> published(long offset) {
        return publisher.published(offset);
    }

    /**
     * This quorum as the {@link MetadataLog} of a controller sharing its node with a broker: appends
     * complete once applied, as {@link #append} does, and {@link MetadataLog#published} waits for the
     * listener, so the controller can hold a client's answer until the change (a topic created, say)
     * is in effect on this node without holding up its next operation behind the listener.
     */
    public MetadataLog controllerLog() {
        return new MetadataLog() {
            @Override
            public MetadataImage image() {
                return MetadataQuorum.this.image();
            }

            @Override
            public boolean isLeader() {
                return MetadataQuorum.this.isLeader();
            }

            @Override
            public CompletableFuture<Long> append(List<MetadataRecord> records) {
                return MetadataQuorum.this.append(records);
            }

            @Override
            public CompletableFuture<Void> published(long offset) {
                return publisher.published(offset);
            }
        };
    }

    /**
     * Installs what answers the requests sent to the metadata leader with a
     * {@link LeaderRequestClient} (the controller's dispatcher); {@code null} removes it. While
     * none is installed, a request reaching this node as leader is answered "no handler" and its
     * sender asks again.
     */
    public void setLeaderRequestHandler(LeaderRequestHandler handler) {
        leaderRequests.setHandler(handler);
    }

    /** This node's Raft log as observers' fetches read it; null before the server runs. */
    private ObserverFetches.CommittedLog committedLog() {
        RaftServer.Division d = division;
        if (d == null) {
            return null;
        }
        RaftLog raftLog = d.getRaftLog();
        return new ObserverFetches.CommittedLog() {
            @Override
            public long startIndex() {
                return raftLog.getStartIndex();
            }

            @Override
            public long commitIndex() {
                return raftLog.getLastCommittedIndex();
            }

            @Override
            public ObserverFetches.LogRecord entry(long index) throws IOException {
                LogEntryProto entry = raftLog.get(index);
                if (entry == null) {
                    return null;
                }
                return entry.hasStateMachineLogEntry()
                        ? new ObserverFetches.LogRecord(entry.getStateMachineLogEntry().getLogData().toByteArray())
                        : ObserverFetches.LogRecord.NOT_METADATA;
            }
        };
    }

    /** The first index this node's Raft log still holds (entries before it were purged); for tests. */
    long logStartIndex() {
        return division.getRaftLog().getStartIndex();
    }

    /** The log index the next entry appended to this node's Raft log gets; for tests. */
    long nextLogIndex() {
        return division.getRaftLog().getNextIndex();
    }

    /**
     * Completes when this node has applied everything committed before it started, knows the
     * cluster id, and the listener has been told the image it caught up to.
     */
    @Override
    public CompletableFuture<Void> caughtUp() {
        return caughtUp.toCompletableFuture().copy();
    }

    /** Milliseconds from {@code start} to {@link #caughtUp()}, or -1 before. */
    public long startupMs() {
        return caughtUpMs;
    }

    /**
     * Replicates {@code records} as one atomic batch. Completes with the batch's log index after it
     * is committed and applied here, so {@link #image()} already shows it. Fails with
     * {@link NotControllerException} when this node does not lead (or is closing), with
     * {@link MetadataReplayException} when the batch cannot apply to the image, with
     * {@link org.apache.kafka.common.errors.TimeoutException} after
     * {@link QuorumOptions#requestTimeoutMs()}.
     */
    @Override
    public CompletableFuture<Long> append(List<MetadataRecord> records) {
        if (records.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("Empty metadata batch"));
        }
        RaftServer raftServer = server;
        if (closed || raftServer == null) {
            return CompletableFuture.failedFuture(appender.closed());
        }
        return appender.append(raftServer, records);
    }

    /**
     * Scheduler thread. As leader: caught up once Ratis says the leader is ready (the entry opening
     * its term is applied, so is everything before it). Otherwise: asks the leader for a read index
     * and is caught up once the applied index reaches it. Until then this polls every
     * {@link #CATCH_UP_POLL_MS}, also while no leader is known.
     */
    private void maybeCatchUp() {
        RaftServer.Division d = division;
        if (closed || d == null || caughtUpBarrier.isDone()) {
            return;
        }
        DivisionInfo info = d.getInfo();
        RaftPeerId leader = info.getLeaderId();
        boolean readyLeader = selfId.equals(leader) && info.isLeader() && info.isLeaderReady();
        if (readyLeader || (readIndex >= 0 && info.getLastAppliedIndex() >= readIndex)) {
            completeCatchUp();
            return;
        }
        if (leader != null && !selfId.equals(leader) && readIndex < 0 && !readIndexInFlight
                && time.milliseconds() >= nextReadIndexMs) {
            requestReadIndex(leader);
        }
        scheduleCatchUpPoll();
    }

    private void requestReadIndex(RaftPeerId leader) {
        readIndexInFlight = true;
        leaderReadIndex.read(leader, readIndexTimeoutMs()).whenComplete((index, error) ->
                runOnScheduler(() -> onReadIndex(leader, index, error)));
    }

    /** Scheduler thread: the leader answered a read index request, or it failed. */
    private void onReadIndex(RaftPeerId leader, Long index, Throwable error) {
        readIndexInFlight = false;
        if (error != null) {
            log.debug("No read index from the metadata leader, retrying: nodeId={} leaderId={} error={}", nodeId,
                    leader, error.toString());
            nextReadIndexMs = time.milliseconds() + READ_INDEX_RETRY_MS;
        } else {
            readIndex = Math.max(readIndex, index);
        }
        maybeCatchUp();
    }

    /** A leader that cannot confirm its leadership within two election timeouts has likely lost it. */
    private long readIndexTimeoutMs() {
        return 2L * options.electionTimeoutMaxMs();
    }

    private void completeCatchUp() {
        LeaderReadIndex reader = leaderReadIndex;
        if (reader != null) {
            reader.close();
        }
        caughtUpBarrier.complete(null);
    }

    private void scheduleCatchUpPoll() {
        if (catchUpPollScheduled || closed) {
            return;
        }
        try {
            scheduler.schedule(() -> {
                catchUpPollScheduled = false;
                maybeCatchUp();
            }, CATCH_UP_POLL_MS, TimeUnit.MILLISECONDS);
            catchUpPollScheduled = true;
        } catch (RejectedExecutionException ignored) {
            // closing
        }
    }

    private void maybeWriteClusterId() {
        if (closed || image().clusterId() != null) {
            return;
        }
        String clusterId = options.clusterId() != null ? options.clusterId() : randomClusterId();
        List<MetadataRecord> bootstrap = new ArrayList<>();
        bootstrap.add(new ClusterIdRecord(clusterId));
        bootstrap.addAll(SupportedFeatures.BOOTSTRAP);
        append(bootstrap).whenComplete((offset, error) -> {
            if (error != null) {
                log.warn("Could not write the cluster id, the next leader will: nodeId={} error={}", nodeId,
                        error.toString());
            } else {
                log.info("Wrote cluster id and bootstrap features: clusterId={} features={} offset={}", clusterId,
                        SupportedFeatures.BOOTSTRAP, offset);
            }
        });
    }

    private String randomClusterId() {
        while (true) {
            Uuid id = new Uuid(options.random().nextLong(), options.random().nextLong());
            if (!Uuid.RESERVED.contains(id) && !id.toString().startsWith("-")) {
                return id.toString();
            }
        }
    }

    private void runOnScheduler(Runnable task) {
        if (closed) {
            return;
        }
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException ignored) {
            // closing
        }
    }

    /**
     * Stops the Ratis server (taking a snapshot if so configured), then the publisher once it has
     * told the listener every image already applied, then this class's thread. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        leaderRequests.close();
        QuorumTunnel.Listener front = tunnelListener;
        if (front != null) {
            front.close();
        }
        RaftServer raftServer = server;
        if (raftServer != null) {
            try {
                if (raftServer.getLifeCycleState() == LifeCycle.State.NEW) {
                    closeAfterFailedStart(raftServer);
                }
                RaftServer.Division d = division;
                try (IdleLogWorkerWaker waker = d == null ? null : IdleLogWorkerWaker.during(d)) {
                    raftServer.close();
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Error closing metadata quorum: nodeId={}", nodeId, e);
            }
        }
        publisher.close();
        shutdown(scheduler);
        LeaderReadIndex reader = leaderReadIndex;
        if (reader != null) {
            reader.close();
        }
        appender.close();
        NotControllerException closedError = appender.closed();
        caughtUpBarrier.completeExceptionally(closedError);
        clusterIdKnown.completeExceptionally(closedError);
    }

    /**
     * A Ratis server whose start failed is back in state NEW, where {@code close()} does nothing:
     * close what it started (the raft group, the transport) directly. Two idle Ratis executor
     * threads cannot be reached and stay.
     */
    private void closeAfterFailedStart(RaftServer raftServer) throws IOException {
        log.warn("Metadata quorum failed to start; closing what Ratis started: nodeId={}", nodeId);
        for (RaftGroupId groupId : raftServer.getGroupIds()) {
            raftServer.getDivision(groupId).close();
        }
        raftServer.getServerRpc().close();
    }

    private static void shutdown(ExecutorService executor) {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                log.warn("Metadata quorum thread did not stop within {} ms", CLOSE_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Role changes and new images from the state machine, on Ratis threads. */
    private final class StateMachineEvents implements MetadataStateMachine.Events {
        @Override
        public void onLeaderChanged(RaftPeerId leaderId) {
            log.info("Metadata leader changed: nodeId={} leaderId={}", nodeId, leaderId);
            runOnScheduler(MetadataQuorum.this::maybeCatchUp);
        }

        @Override
        public void onLeaderReady() {
            runOnScheduler(() -> {
                maybeWriteClusterId();
                maybeCatchUp();
            });
        }

        @Override
        public void onApplied(ByteString entryClientId, long entryCallId, long index, String rejection) {
            appender.onApplied(entryClientId, entryCallId, index, rejection);
        }

        /**
         * The metadata log's directory failed: the node halts at once, as Kafka does when its metadata
         * log directory goes offline; no controlled shutdown is possible, the other voters elect a
         * leader and the controller fences this broker when its heartbeats stop.
         */
        @Override
        public void onLogFailed(Throwable cause) {
            log.error("FATAL: halting the node: the metadata log failed: nodeId={}", nodeId, cause);
            Runtime.getRuntime().halt(1);
        }

        @Override
        public void onImage(MetadataImage image) {
            if (image.clusterId() != null && !clusterIdKnown.isDone()) {
                clusterIdKnown.complete(null);
            }
        }
    }
}
