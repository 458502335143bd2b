package io.strand.metadata.quorum;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strand.common.test.FreePorts;
import io.strand.common.test.ThreadLeakCheck;
import io.strand.common.time.ManualTime;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import io.strand.metadata.record.TopicRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A non-voting node following a real single-voter quorum over its Raft port. */
class MetadataObserverTest {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final List<AutoCloseable> started = new ArrayList<>();
    /** Every image the observer's listener was given, in order. */
    private final List<MetadataImage> observed = new CopyOnWriteArrayList<>();
    private final List<String> listenerThreads = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAndCheckThreads() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        threads.assertNoNewThreads();
    }

    private MetadataQuorum startVoter(QuorumOptions options) {
        MetadataQuorum quorum = MetadataQuorum.start(1, Map.of(1, new InetSocketAddress("127.0.0.1", 0)), dir,
                Time.SYSTEM, MetadataListener.NOOP, options.withRandom(new Random(3)));
        started.add(quorum);
        get(quorum.caughtUp());
        return quorum;
    }

    private MetadataObserver startObserver(MetadataQuorum voter) {
        MetadataObserver observer = MetadataObserver.start(5, Map.of(1, voter.raftAddress()), observerDir(),
                Time.SYSTEM, (delta, image) -> {
                    listenerThreads.add(Thread.currentThread().getName());
                    observed.add(image);
                });
        started.add(observer);
        return observer;
    }

    private Path observerDir() {
        return dir.resolve("observer-5");
    }

    private static TopicRecord topic(String name) {
        return new TopicRecord(name, new Uuid(name.hashCode(), 11));
    }

    @Test
    void followsTheCommittedLogWithoutVotingAndShowsAsAnObserver() {
        MetadataQuorum voter = startVoter(QuorumOptions.defaults());
        get(voter.append(List.of(topic("before"))));

        MetadataObserver observer = startObserver(voter);
        get(observer.caughtUp());

        assertThat(observer.image().clusterId()).isEqualTo(voter.image().clusterId());
        assertThat(observer.image().topics().byName("before")).as("committed before it started").isPresent();
        assertThat(observer.publishedImage().appliedOffset()).isEqualTo(voter.image().appliedOffset());
        assertThat(observer.leaderId()).hasValue(1);

        long offset = get(voter.append(List.of(topic("after"))));
        await().atMost(STEP_TIMEOUT).until(() -> observer.publishedImage().appliedOffset() >= offset);
        assertThat(observer.image().topics().byName("after")).isPresent();
        assertThat(listenerThreads).allMatch(name -> name.equals("strand-metadata-publisher-5"));
        assertThat(observed).extracting(MetadataImage::appliedOffset).isSorted();

        QuorumDescription description = voter.describeQuorum("CONTROLLER").orElseThrow();
        assertThat(description.voters()).extracting(QuorumDescription.Voter::nodeId).containsExactly(1);
        assertThat(description.observers()).singleElement().satisfies(o -> {
            assertThat(o.nodeId()).isEqualTo(5);
            assertThat(o.logEndOffset()).isGreaterThan(offset);
        });
        assertThat(description.toResponse().topics().get(0).partitions().get(0).observers())
                .extracting(r -> r.replicaId()).containsExactly(5);
    }

    @Test
    void anObserverThatStartsAfterThePurgeLoadsTheLeadersImageThenFollows() {
        MetadataQuorum voter = startVoter(QuorumOptions.defaults().withSnapshotIntervalEntries(4)
                .withLogSegmentBytes(1024));
        for (int i = 0; i < 40; i++) {
            get(voter.append(List.of(topic("t" + i))));
        }
        await().atMost(STEP_TIMEOUT).until(() -> voter.logStartIndex() > 0);

        MetadataObserver observer = startObserver(voter);
        get(observer.caughtUp());

        assertThat(observed.get(0).topics().size()).as("the first image came whole, not entry by entry")
                .isGreaterThan(1);
        assertThat(observer.image().topics().size()).isEqualTo(40);
        long offset = get(voter.append(List.of(topic("later"))));
        await().atMost(STEP_TIMEOUT).until(() -> observer.publishedImage().appliedOffset() >= offset);
        assertThat(observer.image().topics().byName("later")).isPresent();
    }

    @Test
    void anImageLargerThanOneChunkArrivesInChunks() {
        MetadataQuorum voter = startVoter(QuorumOptions.defaults().withSnapshotIntervalEntries(4)
                .withLogSegmentBytes(1024));
        int batches = 24;
        int topicsPerBatch = 1_000;
        String padding = "x".repeat(100);
        for (int b = 0; b < batches; b++) {
            List<MetadataRecord> records = new ArrayList<>();
            for (int t = 0; t < topicsPerBatch; t++) {
                records.add(new TopicRecord("topic-" + b + "-" + t + "-" + padding, new Uuid(b + 1, t + 1)));
            }
            get(voter.append(records));
        }
        await().atMost(STEP_TIMEOUT).until(() -> voter.logStartIndex() > 0);
        int imageBytes = MetadataRecordSerde.serializeBatch(voter.image().toRecords()).length;
        assertThat(imageBytes).as("the test needs an image of several chunks")
                .isGreaterThan(2 * ObserverFetches.IMAGE_CHUNK_BYTES);

        MetadataObserver observer = startObserver(voter);
        get(observer.caughtUp());

        assertThat(observer.imageChunks()).isGreaterThanOrEqualTo(
                (imageBytes + ObserverFetches.IMAGE_CHUNK_BYTES - 1) / ObserverFetches.IMAGE_CHUNK_BYTES);
        assertThat(observed.get(0).topics().size()).as("the first image came whole, not chunk by chunk")
                .isEqualTo(batches * topicsPerBatch);
        assertThat(observer.image().topics().size()).isEqualTo(batches * topicsPerBatch);
        long offset = get(voter.append(List.of(topic("later"))));
        await().atMost(STEP_TIMEOUT).until(() -> observer.publishedImage().appliedOffset() >= offset);
        assertThat(observer.image().topics().byName("later")).isPresent();
    }

    @Test
    void aRestartedObserverLoadsItsCopyAndFetchesOnlyWhatItMissed() {
        MetadataQuorum voter = startVoter(QuorumOptions.defaults());
        for (int i = 0; i < 10; i++) {
            get(voter.append(List.of(topic("t" + i))));
        }
        MetadataObserver first = startObserver(voter);
        get(first.caughtUp());
        assertThat(first.fetchedBatches()).as("the cluster id and ten topics").isEqualTo(11);
        first.close();
        long copied = first.image().appliedOffset();
        assertThat(observerDir().resolve(MetadataObserver.COPY_FILE_NAME)).exists();

        for (int i = 0; i < 3; i++) {
            get(voter.append(List.of(topic("missed" + i))));
        }
        long committed = voter.image().appliedOffset();
        observed.clear();
        MetadataObserver second = startObserver(voter);
        get(second.caughtUp());

        assertThat(observed.get(0).appliedOffset()).as("the copy on disk comes first").isEqualTo(copied);
        assertThat(observed.get(0).topics().size()).isEqualTo(10);
        assertThat(second.image().appliedOffset()).as("caught up to what the leader had committed")
                .isGreaterThanOrEqualTo(committed);
        assertThat(second.image().topics().size()).isEqualTo(13);
        assertThat(second.fetchedBatches()).as("only the three batches it missed").isEqualTo(3);
        assertThat(second.imageChunks()).isZero();
    }

    @Test
    void theCopyIsWrittenOnceTheIntervalHasPassed() throws Exception {
        MetadataQuorum voter = startVoter(QuorumOptions.defaults());
        get(voter.append(List.of(topic("a"))));
        ManualTime time = new ManualTime();
        MetadataObserver observer = MetadataObserver.start(5, Map.of(1, voter.raftAddress()), observerDir(), time,
                MetadataListener.NOOP);
        started.add(observer);
        get(observer.caughtUp());
        Path copy = observerDir().resolve(MetadataObserver.COPY_FILE_NAME);

        long offset = get(voter.append(List.of(topic("b"))));
        await().atMost(STEP_TIMEOUT).until(() -> observer.image().appliedOffset() >= offset);
        time.advance(MetadataObserver.COPY_INTERVAL_MS - 1);
        // A few idle answers pass; none may write the copy yet.
        Thread.sleep(3 * MetadataObserver.IDLE_FETCH_BACKOFF_MS);
        assertThat(copy).as("no image was loaded and the interval has not passed").doesNotExist();

        time.advance(1);
        await().atMost(STEP_TIMEOUT).until(() -> Files.exists(copy));
        assertThat(SnapshotFile.read(copy).appliedOffset()).isEqualTo(offset);
        assertThat(SnapshotFile.read(copy).records()).contains(topic("a"), topic("b"));
    }

    @Test
    void aCopyThatCannotBeReadIsIgnoredAndEverythingIsFetched() throws IOException {
        MetadataQuorum voter = startVoter(QuorumOptions.defaults());
        get(voter.append(List.of(topic("a"))));
        Files.createDirectories(observerDir());
        Files.write(observerDir().resolve(MetadataObserver.COPY_FILE_NAME), new byte[] {1, 2, 3});

        MetadataObserver observer = startObserver(voter);
        get(observer.caughtUp());

        assertThat(observer.image().topics().byName("a")).isPresent();
        assertThat(observer.fetchedBatches()).isEqualTo(2);
    }

    @Test
    void keepsFollowingThroughALeaderChange() throws IOException {
        Map<Integer, InetSocketAddress> voters = new LinkedHashMap<>();
        for (int id = 1; id <= 3; id++) {
            voters.put(id, new InetSocketAddress("127.0.0.1", FreePorts.reserve()));
        }
        List<MetadataQuorum> quorum = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            MetadataQuorum voter = MetadataQuorum.start(id, voters, dir.resolve("node" + id), Time.SYSTEM,
                    MetadataListener.NOOP, QuorumOptions.defaults().withElectionTimeoutMs(1_000, 1_500)
                            .withRandom(new Random(id)));
            started.add(voter);
            quorum.add(voter);
        }
        quorum.forEach(voter -> await().atMost(STEP_TIMEOUT).until(() -> voter.caughtUp().isDone()));
        MetadataObserver observer = MetadataObserver.start(5, voters, observerDir(), Time.SYSTEM,
                MetadataListener.NOOP);
        started.add(observer);
        get(observer.caughtUp());
        MetadataQuorum oldLeader = leader(quorum);
        assertThat(observer.leaderId()).hasValue(oldLeader.nodeId());

        oldLeader.close();
        quorum.remove(oldLeader);
        MetadataQuorum newLeader = leader(quorum);
        long offset = get(newLeader.append(List.of(topic("after-failover"))));

        await().atMost(STEP_TIMEOUT).until(() -> observer.publishedImage().appliedOffset() >= offset);
        assertThat(observer.image().topics().byName("after-failover")).isPresent();
        assertThat(observer.leaderId()).hasValue(newLeader.nodeId());
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> assertThat(newLeader.describeQuorum("CONTROLLER")
                .orElseThrow().observers()).extracting(QuorumDescription.Voter::nodeId).containsExactly(5));
    }

    private static MetadataQuorum leader(List<MetadataQuorum> voters) {
        return await().atMost(STEP_TIMEOUT).until(() -> voters.stream().filter(MetadataQuorum::isLeader)
                .findFirst().orElse(null), q -> q != null);
    }

    @Test
    void aVoterCannotObserveAndAClosedObserverIsNeverCaughtUp() {
        assertThatThrownBy(() -> MetadataObserver.start(1, Map.of(1, new InetSocketAddress("127.0.0.1", 1)),
                observerDir(), Time.SYSTEM, MetadataListener.NOOP)).isInstanceOf(IllegalArgumentException.class);

        MetadataObserver observer = MetadataObserver.start(5, Map.of(1, new InetSocketAddress("127.0.0.1", 1)),
                observerDir(), Time.SYSTEM, MetadataListener.NOOP);
        observer.close();
        assertThat(observer.caughtUp()).isCompletedExceptionally();
    }
}
