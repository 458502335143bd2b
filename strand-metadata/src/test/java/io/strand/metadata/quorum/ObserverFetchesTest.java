package io.strand.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import io.strand.metadata.record.TopicRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** What the leader answers an observer's fetch, against a log and an image made by hand. */
class ObserverFetchesTest {

    /** Index → entry; a null batch is an entry of Ratis' own. */
    private final TreeMap<Long, ObserverFetches.LogRecord> log = new TreeMap<>();
    private long startIndex;
    private long commitIndex;
    private MetadataImage image = MetadataImage.EMPTY;
    private final AtomicLong nowMs = new AtomicLong(1_000);

    private final ObserverFetches.CommittedLog committedLog = new ObserverFetches.CommittedLog() {
        @Override
        public long startIndex() {
            return startIndex;
        }

        @Override
        public long commitIndex() {
            return commitIndex;
        }

        @Override
        public ObserverFetches.LogRecord entry(long index) {
            return index < startIndex ? null : log.get(index);
        }
    };

    private final ObserverFetches fetches = new ObserverFetches(() -> 1, () -> committedLog, () -> image, nowMs::get);

    private static byte[] batch(MetadataRecord... records) {
        return MetadataRecordSerde.serializeBatch(List.of(records));
    }

    private static TopicRecord topic(String name) {
        return new TopicRecord(name, new Uuid(name.hashCode(), 3));
    }

    private MetadataFetchFormat.Answer fetch(int observerId, long fetchIndex) throws Exception {
        return fetch(fetches, MetadataFetchFormat.request(observerId, fetchIndex));
    }

    private static MetadataFetchFormat.Answer fetch(ObserverFetches from, ByteBuffer request) throws Exception {
        return MetadataFetchFormat.parseAnswer(from.answer(request));
    }

    private static MetadataImage imageOf(long appliedOffset, int topics) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(new ClusterIdRecord("c1"));
        for (int i = 0; i < topics; i++) {
            delta.replay(topic("topic-" + appliedOffset + "-" + i));
        }
        return delta.apply(appliedOffset);
    }

    private void metadataEntry(long index, MetadataRecord... records) {
        log.put(index, new ObserverFetches.LogRecord(batch(records)));
    }

    @Test
    void sendsOnlyCommittedMetadataEntriesAndNamesTheIndexAfterTheSkippedOnes() throws Exception {
        log.put(0L, ObserverFetches.LogRecord.NOT_METADATA);
        metadataEntry(1, new ClusterIdRecord("c1"));
        metadataEntry(2, topic("a"));
        log.put(3L, ObserverFetches.LogRecord.NOT_METADATA);
        metadataEntry(4, topic("b"));
        commitIndex = 3;

        MetadataFetchFormat.Answer answer = fetch(7, 0);

        assertThat(answer.isImageChunk()).isFalse();
        assertThat(answer.leaderId()).isEqualTo(1);
        assertThat(answer.commitIndex()).isEqualTo(3);
        assertThat(answer.entries()).extracting(MetadataFetchFormat.Entry::index).containsExactly(1L, 2L);
        assertThat(answer.nextIndex()).as("entry 3 is skipped, 4 is not committed").isEqualTo(4);
        assertThat(MetadataRecordSerde.deserializeBatch(ByteBuffer.wrap(answer.entries().get(1).batch())))
                .containsExactly(topic("a"));
    }

    @Test
    void aLeaderWhoseCommitIndexIsBehindTheObserverSendsNothingAndKeepsItsPosition() throws Exception {
        metadataEntry(0, topic("a"));
        metadataEntry(1, topic("b"));
        commitIndex = 0;

        MetadataFetchFormat.Answer answer = fetch(7, 2);

        assertThat(answer.entries()).isEmpty();
        assertThat(answer.nextIndex()).isEqualTo(2);
    }

    @Test
    void anObserverBehindThePurgedLogGetsTheLeadersImage() throws Exception {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replayAll(List.of(new ClusterIdRecord("c1"), topic("a"), topic("b")));
        image = delta.apply(40);
        startIndex = 42;
        commitIndex = 45;
        metadataEntry(42, topic("c"));

        MetadataFetchFormat.Answer answer = fetch(7, 3);

        assertThat(answer.isImageChunk()).isTrue();
        assertThat(answer.entries()).isEmpty();
        MetadataFetchFormat.ImageChunk chunk = answer.imageChunk();
        assertThat(chunk.appliedOffset()).isEqualTo(40);
        assertThat(chunk.position()).isZero();
        assertThat(chunk.last()).as("a small image fits one chunk").isTrue();
        assertThat(MetadataRecordSerde.deserializeBatch(ByteBuffer.wrap(chunk.data())))
                .containsAll(List.of(new ClusterIdRecord("c1"), topic("a"), topic("b")));
        assertThat(answer.nextIndex()).isEqualTo(41);

        MetadataFetchFormat.Answer next = fetch(7, 41);
        assertThat(next.isImageChunk()).as("41 was no metadata entry: the image already holds all before 42")
                .isFalse();
        assertThat(next.entries()).isEmpty();
        assertThat(next.nextIndex()).isEqualTo(42);

        MetadataFetchFormat.Answer last = fetch(7, 42);
        assertThat(last.entries()).extracting(MetadataFetchFormat.Entry::index).containsExactly(42L);
    }

    @Test
    void anImageLargerThanAChunkTravelsInBoundedChunksThatAssembleIntoIt() throws Exception {
        ObserverFetches smallChunks = new ObserverFetches(() -> 1, () -> committedLog, () -> image, nowMs::get, 100);
        image = imageOf(40, 60);
        startIndex = 42;
        commitIndex = 45;

        MetadataFetchFormat.Answer first = fetch(smallChunks, MetadataFetchFormat.request(7, 3));
        ImageAssembly assembly = ImageAssembly.begin(first.imageChunk());
        int chunks = 1;
        while (!assembly.complete()) {
            MetadataFetchFormat.Answer answer = fetch(smallChunks,
                    MetadataFetchFormat.request(7, 3, assembly.appliedOffset(), assembly.received()));
            assertThat(answer.imageChunk().data().length).isLessThanOrEqualTo(100);
            assertThat(assembly.accept(answer.imageChunk())).isTrue();
            chunks++;
        }

        assertThat(first.imageChunk().imageBytes()).isGreaterThan(1_000);
        assertThat(chunks).isEqualTo((first.imageChunk().imageBytes() + 99) / 100);
        assertThat(assembly.contents().replacing(MetadataImage.EMPTY).image()).isEqualTo(image);
    }

    @Test
    void aChunkOfAnImageStillKeptContinuesItEvenAfterTheImageMovedOn() throws Exception {
        ObserverFetches smallChunks = new ObserverFetches(() -> 1, () -> committedLog, () -> image, nowMs::get, 100);
        image = imageOf(40, 60);
        startIndex = 42;
        commitIndex = 45;
        MetadataFetchFormat.ImageChunk first = fetch(smallChunks, MetadataFetchFormat.request(7, 3)).imageChunk();

        image = imageOf(50, 61);
        MetadataFetchFormat.ImageChunk second = fetch(smallChunks, MetadataFetchFormat.request(7, 3, 40, 100))
                .imageChunk();

        assertThat(second.appliedOffset()).isEqualTo(40);
        assertThat(second.position()).isEqualTo(100);
        assertThat(second.imageBytes()).isEqualTo(first.imageBytes());
    }

    @Test
    void aChunkOfAnImageNoLongerKeptGetsTheFirstChunkOfTheCurrentOne() throws Exception {
        ObserverFetches smallChunks = new ObserverFetches(() -> 1, () -> committedLog, () -> image, nowMs::get, 100);
        image = imageOf(40, 60);
        startIndex = 42;
        commitIndex = 45;
        fetch(smallChunks, MetadataFetchFormat.request(7, 3));
        image = imageOf(50, 61);
        fetch(smallChunks, MetadataFetchFormat.request(8, 3));

        MetadataFetchFormat.ImageChunk chunk = fetch(smallChunks, MetadataFetchFormat.request(7, 3, 40, 100))
                .imageChunk();

        assertThat(chunk.appliedOffset()).as("observer 8 made the leader keep the newer image").isEqualTo(50);
        assertThat(chunk.position()).isZero();
        ImageAssembly assembly = ImageAssembly.begin(fetch(smallChunks, MetadataFetchFormat.request(7, 3)).imageChunk());
        assertThat(assembly.accept(new MetadataFetchFormat.ImageChunk(40, 5_000, 100, new byte[10])))
                .as("a chunk of another image does not continue it").isFalse();
        assertThat(assembly.received()).isEqualTo(100);
    }

    @Test
    void anAnswerCarriesAtMostMaxEntries() throws Exception {
        for (long i = 0; i < ObserverFetches.MAX_ENTRIES + 10; i++) {
            metadataEntry(i, topic("t" + i));
        }
        commitIndex = ObserverFetches.MAX_ENTRIES + 9;

        MetadataFetchFormat.Answer answer = fetch(7, 0);

        assertThat(answer.entries()).hasSize(ObserverFetches.MAX_ENTRIES);
        assertThat(answer.nextIndex()).isEqualTo(ObserverFetches.MAX_ENTRIES);
    }

    @Test
    void remembersEachObserversProgressAndForgetsTheSilentOnes() throws Exception {
        metadataEntry(0, topic("a"));
        commitIndex = 0;
        fetch(7, 0);
        nowMs.addAndGet(10);
        fetch(8, 1);

        assertThat(fetches.observers()).containsExactly(
                new ObserverFetches.Observer(7, 0, 1_000, -1),
                new ObserverFetches.Observer(8, 1, 1_010, 1_010));

        nowMs.addAndGet(ObserverFetches.OBSERVER_EXPIRY_MS);
        fetch(8, 1);
        assertThat(fetches.observers()).extracting(ObserverFetches.Observer::nodeId).containsExactly(8);
    }

    @Test
    void requestAndAnswerBytesRoundTrip() {
        MetadataFetchFormat.Answer answer = MetadataFetchFormat.Answer.entries(3, 10, 11,
                List.of(new MetadataFetchFormat.Entry(9, new byte[] {1, 2}), new MetadataFetchFormat.Entry(10, new byte[0])));
        MetadataFetchFormat.Answer parsed = MetadataFetchFormat.parseAnswer(MetadataFetchFormat.answer(answer));
        assertThat(parsed.leaderId()).isEqualTo(3);
        assertThat(parsed.isImageChunk()).isFalse();
        assertThat(parsed.entries()).extracting(MetadataFetchFormat.Entry::index).containsExactly(9L, 10L);
        assertThat(parsed.entries().get(0).batch()).containsExactly(1, 2);
        assertThat(MetadataFetchFormat.parseRequest(MetadataFetchFormat.request(5, 77)))
                .isEqualTo(new MetadataFetchFormat.Request(5, 77, MetadataFetchFormat.NO_IMAGE, 0));
        assertThat(MetadataFetchFormat.parseRequest(MetadataFetchFormat.request(5, 77, 40, 1_000)))
                .isEqualTo(new MetadataFetchFormat.Request(5, 77, 40, 1_000));

        MetadataFetchFormat.Answer chunk = new MetadataFetchFormat.Answer(3, 45, 41, List.of(),
                new MetadataFetchFormat.ImageChunk(40, 7, 4, new byte[] {5, 6, 7}));
        MetadataFetchFormat.Answer parsedChunk = MetadataFetchFormat.parseAnswer(MetadataFetchFormat.answer(chunk));
        assertThat(parsedChunk.isImageChunk()).isTrue();
        assertThat(parsedChunk.commitIndex()).isEqualTo(45);
        assertThat(parsedChunk.nextIndex()).isEqualTo(41);
        assertThat(parsedChunk.imageChunk().appliedOffset()).isEqualTo(40);
        assertThat(parsedChunk.imageChunk().imageBytes()).isEqualTo(7);
        assertThat(parsedChunk.imageChunk().position()).isEqualTo(4);
        assertThat(parsedChunk.imageChunk().data()).containsExactly(5, 6, 7);
        assertThat(parsedChunk.imageChunk().last()).isTrue();
    }

    @Test
    void aTruncatedRequestOrAnswerIsRefusedWithItsSize() {
        ByteBuffer request = MetadataFetchFormat.request(7, 3);
        ByteBuffer truncated = request.slice(0, request.remaining() - 1);

        assertThatThrownBy(() -> MetadataFetchFormat.parseRequest(truncated))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> MetadataFetchFormat.parseAnswer(ByteBuffer.allocate(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
    }
}