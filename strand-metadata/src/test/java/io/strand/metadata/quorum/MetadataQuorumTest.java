package io.strand.metadata.quorum;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.common.test.ThreadLeakCheck;
import io.strand.metadata.controller.ControllerDefaults;
import io.strand.metadata.controller.ControllerTestSupport;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataLog;
import io.strand.metadata.image.MetadataReplayException;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.ConfigRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RemoveTopicRecord;
import io.strand.metadata.record.TopicRecord;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataQuorumTest {

    private static final Map<Integer, InetSocketAddress> SINGLE_VOTER =
            Map.of(1, new InetSocketAddress("127.0.0.1", 0));

    @TempDir
    Path dir;

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final List<MetadataQuorum> started = new ArrayList<>();
    private final List<String> listenerEvents = new CopyOnWriteArrayList<>();
    private final List<String> listenerThreads = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAndCheckThreads() {
        started.forEach(MetadataQuorum::close);
        threads.assertNoNewThreads();
    }

    private MetadataQuorum start(QuorumOptions options) {
        MetadataQuorum quorum = MetadataQuorum.start(1, SINGLE_VOTER, dir, Time.SYSTEM, this::record, options);
        started.add(quorum);
        get(quorum.caughtUp());
        return quorum;
    }

    private static QuorumOptions options() {
        return QuorumOptions.defaults().withRandom(new Random(5));
    }

    private void record(MetadataDelta delta, MetadataImage image) {
        listenerThreads.add(Thread.currentThread().getName());
        delta.createdTopics().forEach(t -> listenerEvents.add("created " + t.name() + "@" + image.appliedOffset()));
        delta.deletedTopics().forEach(t -> listenerEvents.add("deleted " + t.name() + "@" + image.appliedOffset()));
    }

    private static List<MetadataRecord> newTopic(String name, int partitions) {
        Uuid id = new Uuid(name.hashCode(), 77);
        List<MetadataRecord> records = new ArrayList<>();
        records.add(new TopicRecord(name, id));
        for (int p = 0; p < partitions; p++) {
            records.add(new PartitionRecord(id, p, List.of(1), List.of(1), 1, 0, 0));
        }
        return records;
    }

    @Test
    void ratisMetricsStayOffJmx() throws Exception {
        start(options());

        // Ratis' default reporter would publish every metric of the division in domain "ratis"
        // (its server MBean, domain "Ratis", stays).
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        assertThat(mbeans.queryNames(new ObjectName("ratis:*"), null)).isEmpty();
        assertThat(mbeans.queryNames(new ObjectName("Ratis:*"), null)).isNotEmpty();
    }

    @Test
    void singleVoterLeadsWritesClusterIdAndAppliesBeforeAnswering() {
        MetadataQuorum quorum = start(options());

        assertThat(quorum.isLeader()).isTrue();
        assertThat(quorum.leaderId()).hasValue(1);
        assertThat(quorum.image().clusterId()).isNotBlank();
        assertThat(quorum.image().features().finalizedLevels()).containsEntry("metadata.version", (short) 30)
                .containsEntry("group.version", (short) 1).containsEntry("transaction.version", (short) 2);
        assertThat(quorum.raftAddress().getPort()).isPositive();

        long first = get(quorum.append(newTopic("a", 2)));
        assertThat(quorum.image().topics().byName("a").orElseThrow().numPartitions()).isEqualTo(2);
        assertThat(quorum.image().appliedOffset()).isEqualTo(first);
        long second = get(quorum.append(List.of(new RemoveTopicRecord(new Uuid("a".hashCode(), 77)))));
        assertThat(second).isGreaterThan(first);
        assertThat(quorum.image().topics().byName("a")).isEmpty();
        get(quorum.published(second));
        assertThat(quorum.publishedImage()).isSameAs(quorum.image());
        assertThat(listenerEvents).containsExactly("created a@" + first, "deleted a@" + second);
        assertThat(listenerThreads).hasSizeGreaterThanOrEqualTo(3);
        assertThat(listenerThreads).containsOnly("strand-metadata-publisher-1");
    }

    @Test
    void aBlockedListenerHoldsUpNeitherApplyingNorAppends() {
        CountDownLatch release = new CountDownLatch(1);
        MetadataQuorum quorum = startBlockingOnCreate(release);
        try {
            long first = get(quorum.append(newTopic("a", 1)));
            long second = get(quorum.append(newTopic("b", 1)));

            assertThat(quorum.image().topics().byName("b")).isPresent();
            assertThat(quorum.publishedImage().appliedOffset()).isLessThan(first);
            CompletableFuture<Void> published = quorum.published(second);
            assertThat(published).isNotDone();
            release.countDown();
            get(published);
            assertThat(listenerEvents).containsExactly("created a@" + first, "created b@" + second);
        } finally {
            release.countDown();
        }
    }

    @Test
    void theControllerLogAppendsOnceAppliedAndTellsWhenTheListenerHasSeenIt() {
        CountDownLatch release = new CountDownLatch(1);
        MetadataQuorum quorum = startBlockingOnCreate(release);
        try {
            MetadataLog log = quorum.controllerLog();
            long offset = get(log.append(newTopic("a", 1)));

            assertThat(log.image().topics().byName("a")).isPresent();
            CompletableFuture<Void> published = log.published(offset);
            assertThat(published).isNotDone();
            release.countDown();
            get(published);
            assertThat(listenerEvents).containsExactly("created a@" + offset);
        } finally {
            release.countDown();
        }
    }

    /** A quorum whose listener, once caught up, waits for {@code release} on every created topic. */
    private MetadataQuorum startBlockingOnCreate(CountDownLatch release) {
        MetadataQuorum quorum = MetadataQuorum.start(1, SINGLE_VOTER, dir, Time.SYSTEM, (delta, image) -> {
            record(delta, image);
            if (!delta.createdTopics().isEmpty()) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, options());
        started.add(quorum);
        get(quorum.caughtUp());
        return quorum;
    }

    @Test
    void restartOnANewPortReplaysTheLog() throws IOException {
        MetadataQuorum quorum = start(options().withSnapshotOnClose(false));
        int firstPort = quorum.raftAddress().getPort();
        long createdAt = get(quorum.append(newTopic("a", 1)));
        long lastOffset = get(quorum.append(List.of(
                new ConfigRecord(ConfigResource.Type.TOPIC, "a", "retention.ms", "5"))));
        MetadataImage before = quorum.image();
        quorum.close();
        assertThat(snapshotFiles()).isEmpty();

        listenerEvents.clear();
        MetadataQuorum restarted = start(options().withSnapshotOnClose(false));

        assertThat(restarted.raftAddress().getPort()).isNotEqualTo(firstPort);
        assertThat(restarted.image().topics()).isEqualTo(before.topics());
        assertThat(restarted.image().allConfigs()).isEqualTo(before.allConfigs());
        assertThat(restarted.image().clusterId()).isEqualTo(before.clusterId());
        assertThat(restarted.image().features()).isEqualTo(before.features());
        assertThat(restarted.image().appliedOffset()).isEqualTo(lastOffset);
        assertThat(listenerEvents).containsExactly("created a@" + createdAt);
        long next = get(restarted.append(newTopic("b", 1)));
        assertThat(next).isGreaterThan(lastOffset);
        assertThat(restarted.image().topics().all()).extracting(TopicImage::name).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void restartAfterSnapshotAndLogPurgeRestoresTheImage() throws IOException {
        QuorumOptions options = options().withSnapshotIntervalEntries(8).withLogSegmentBytes(1024)
                .withSnapshotOnClose(false);
        MetadataQuorum quorum = start(options);
        for (int i = 0; i < 60; i++) {
            get(quorum.append(newTopic("t" + i, 2)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !snapshotFiles().isEmpty()
                && logSegmentStarts().stream().noneMatch(start -> start == 0L));
        MetadataImage before = quorum.image();
        quorum.close();

        MetadataQuorum restarted = start(options);

        assertThat(restarted.image().topics()).isEqualTo(before.topics());
        assertThat(restarted.image().topics().size()).isEqualTo(60);
        assertThat(restarted.image().clusterId()).isEqualTo(before.clusterId());
        long next = get(restarted.append(newTopic("after", 1)));
        assertThat(next).isGreaterThan(before.appliedOffset());
        assertThat(restarted.image().topics().byName("after")).isPresent();
    }

    @Test
    void aLoneVoterNeedsNoStartingSnapshotAndItsFirstMetadataEntryIsIndexOne() throws IOException {
        MetadataQuorum quorum = start(options().withSnapshotOnClose(false));

        // Ratis' configuration entry is index 0; the cluster id, the first metadata entry, follows it
        // at index 1, where an observer starts fetching.
        assertThat(quorum.image().appliedOffset()).isEqualTo(1L);
        assertThat(snapshotFiles()).isEmpty();
        assertThat(logSegmentStarts()).containsExactly(0L);
    }

    @Test
    void snapshotOnCloseIsLoadedOnRestart() throws IOException {
        MetadataQuorum quorum = start(options());
        get(quorum.append(newTopic("s", 3)));
        MetadataImage before = quorum.image();
        quorum.close();
        assertThat(snapshotFiles()).isNotEmpty();

        MetadataQuorum restarted = start(options());
        assertThat(restarted.image().topics()).isEqualTo(before.topics());
    }

    @Test
    void batchThatCannotApplyIsRejectedWhole() {
        MetadataQuorum quorum = start(options());
        MetadataImage before = quorum.image();
        List<MetadataRecord> bad = new ArrayList<>(newTopic("ok", 1));
        bad.add(new PartitionRecord(new Uuid(9, 9), 0, List.of(1), List.of(1), 1, 0, 0));

        assertThatThrownBy(() -> quorum.append(bad).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(MetadataReplayException.class);
        assertThat(quorum.image().topics()).isEqualTo(before.topics());
        get(quorum.append(newTopic("ok", 1)));
        assertThat(quorum.image().topics().byName("ok")).isPresent();
    }

    @Test
    void controllerOverTheQuorumSurvivesARestart() {
        MetadataQuorum quorum = start(options());
        QuorumController controller = new QuorumController(quorum, Time.SYSTEM, new Random(2));
        try {
            get(controller.registerBroker(ControllerTestSupport.broker(1)));
            CreateTopicsResponseData response = get(controller.createTopics(ControllerTestSupport.createTopics(
                    ControllerTestSupport.topic("orders", 3, 1)), ControllerDefaults.SINGLE_NODE));
            assertThat(response.topics().find("orders").errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(get(controller.allocateProducerIds(1, 1000))).isZero();
        } finally {
            controller.close();
        }
        quorum.close();

        MetadataQuorum restarted = start(options());
        assertThat(restarted.image().topics().byName("orders").orElseThrow().numPartitions()).isEqualTo(3);
        assertThat(restarted.image().brokers()).containsKey(1);
        assertThat(restarted.image().nextProducerId()).isEqualTo(1000);
    }

    /**
     * A node whose quorum is only itself leads again on a warm restart after the short first-election
     * timeout, not the regular one: with the regular timeout longer than the 10 s {@link #start} waits
     * for the catch-up, the restarted node still leads. (Shorter than the 20 s the thread check waits
     * after close, since Ratis' leader thread looks for its end once per regular timeout.) How long a
     * restart takes is the benchmark's start-up figure, not a wall-clock bound here.
     */
    @Test
    void warmRestartLeadsAfterTheFirstElectionTimeoutNotTheRegularOne() {
        start(options()).close();
        int longerThanTheWaitMs = 12_000;
        MetadataQuorum restarted = start(options().withElectionTimeoutMs(longerThanTheWaitMs, longerThanTheWaitMs + 1));
        assertThat(restarted.isLeader()).isTrue();
        assertThat(restarted.leaderId()).hasValue(1);
    }

    @Test
    void presetClusterIdIsWrittenOnce() {
        MetadataQuorum quorum = start(options().withClusterId("my-cluster"));
        assertThat(quorum.image().clusterId()).isEqualTo("my-cluster");
        quorum.close();

        MetadataQuorum restarted = start(options().withClusterId("other"));
        assertThat(restarted.image().clusterId()).isEqualTo("my-cluster");
    }

    @Test
    void portInUseFailsTheStartAndLeavesNothingRunning() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Map<Integer, InetSocketAddress> voters = Map.of(1, new InetSocketAddress("127.0.0.1", taken.getLocalPort()));
            assertThatThrownBy(() -> MetadataQuorum.start(1, voters, dir, Time.SYSTEM, this::record, options()))
                    .isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("nodeId=1");
        }
    }

    private List<Path> snapshotFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).toList();
        }
    }

    /** Start indexes of the Ratis log segments on disk. */
    private List<Long> logSegmentStarts() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("log_"))
                    .map(n -> Long.parseLong(n.replace("log_inprogress_", "").replace("log_", "").split("-")[0]))
                    .toList();
        }
    }
}
