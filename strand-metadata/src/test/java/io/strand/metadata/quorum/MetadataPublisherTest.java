package io.strand.metadata.quorum;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.common.test.ThreadLeakCheck;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataListener;
import io.strand.metadata.record.PartitionRecord;
import io.strand.metadata.record.RemoveTopicRecord;
import io.strand.metadata.record.TopicRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetadataPublisherTest {

    private final ThreadLeakCheck threads = ThreadLeakCheck.start();
    private final List<MetadataPublisher> publishers = new ArrayList<>();
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<String> seenOnThreads = new CopyOnWriteArrayList<>();
    private MetadataImage image = MetadataImage.EMPTY;

    @AfterEach
    void closeAndCheckThreads() {
        publishers.forEach(MetadataPublisher::close);
        threads.assertNoNewThreads();
    }

    private MetadataPublisher publisher(MetadataListener listener) {
        MetadataPublisher publisher = new MetadataPublisher(7, listener);
        publishers.add(publisher);
        return publisher;
    }

    /** Records what each call was told: "base->applied created/deleted topics". */
    private void record(MetadataDelta delta, MetadataImage newImage) {
        seenOnThreads.add(Thread.currentThread().getName());
        StringBuilder change = new StringBuilder(delta.base().appliedOffset() + "->" + newImage.appliedOffset());
        delta.createdTopics().forEach(t -> change.append(" +").append(t.name()));
        delta.deletedTopics().forEach(t -> change.append(" -").append(t.name()));
        seen.add(change.toString());
    }

    /** Applies a new topic {@code name} at {@code offset} on top of the last image and publishes it. */
    private void publishCreate(MetadataPublisher publisher, String name, long offset) {
        Uuid id = new Uuid(name.hashCode(), 1);
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(List.of(new TopicRecord(name, id),
                new PartitionRecord(id, 0, List.of(1), List.of(1), 1, 0, 0)));
        image = delta.apply(offset);
        publisher.publish(delta, image);
    }

    private void publishDelete(MetadataPublisher publisher, String name, long offset) {
        MetadataDelta delta = new MetadataDelta(image);
        delta.replay(new RemoveTopicRecord(new Uuid(name.hashCode(), 1)));
        image = delta.apply(offset);
        publisher.publish(delta, image);
    }

    @Test
    void listenerSeesEveryChangeInLogOrderOnThePublisherThread() {
        MetadataPublisher publisher = publisher(this::record);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            publishCreate(publisher, "t" + i, i * 2L);
            expected.add((i * 2L - 2 == 0 ? -1 : i * 2L - 2) + "->" + i * 2L + " +t" + i);
        }
        publishDelete(publisher, "t3", 101);
        expected.add("100->101 -t3");

        get(publisher.published(101));

        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(seenOnThreads).containsOnly("strand-metadata-publisher-7");
        assertThat(publisher.publishedImage()).isSameAs(image);
    }

    @Test
    void aBlockedListenerDoesNotHoldUpThePublishingThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        MetadataPublisher publisher = publisher((delta, newImage) -> {
            record(delta, newImage);
            awaitQuietly(release);
        });
        try {
            for (int i = 1; i <= 20; i++) {
                publishCreate(publisher, "t" + i, i);
            }
            CompletableFuture<Void> all = publisher.published(20);

            assertThat(all).isNotDone();
            assertThat(publisher.publishedImage().appliedOffset()).isLessThan(20);
        } finally {
            release.countDown();
        }
        get(publisher.published(20));
        assertThat(seen).hasSize(20).first().isEqualTo("-1->1 +t1");
        assertThat(seen).last().isEqualTo("19->20 +t20");
    }

    @Test
    void aFailingListenerIsLoggedAndPublishingGoesOn() {
        MetadataPublisher publisher = publisher((delta, newImage) -> {
            record(delta, newImage);
            if (newImage.appliedOffset() == 1) {
                throw new IllegalStateException("listener bug");
            }
        });
        publishCreate(publisher, "a", 1);
        publishCreate(publisher, "b", 2);

        get(publisher.published(2));

        assertThat(seen).containsExactly("-1->1 +a", "1->2 +b");
    }

    @Test
    void publishedCompletesAtOnceForAnOffsetAlreadyPublishedAndForAnyLaterImage() {
        MetadataPublisher publisher = publisher(this::record);
        assertThat(publisher.published(-1)).isDone();
        CompletableFuture<Void> gap = publisher.published(4);

        publishCreate(publisher, "a", 6);

        get(gap);
        assertThat(publisher.published(5)).isDone();
    }

    @Test
    void closeDrainsWhatIsQueuedAndFailsWaitersBeyondIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        MetadataPublisher publisher = publisher((delta, newImage) -> {
            record(delta, newImage);
            awaitQuietly(release);
        });
        publishCreate(publisher, "a", 1);
        publishCreate(publisher, "b", 2);
        CompletableFuture<Void> beyond = publisher.published(3);

        CompletableFuture<Void> closed = CompletableFuture.runAsync(publisher::close);
        release.countDown();
        closed.get(10, TimeUnit.SECONDS);

        assertThat(seen).containsExactly("-1->1 +a", "1->2 +b");
        assertThat(beyond).isCompletedExceptionally();
        assertThat(catchCause(beyond)).isInstanceOf(NotControllerException.class);
        publishCreate(publisher, "c", 3);
        assertThat(seen).hasSize(2);
        assertThat(publisher.published(3)).isCompletedExceptionally();
    }

    private static Throwable catchCause(CompletableFuture<Void> future) {
        try {
            future.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
