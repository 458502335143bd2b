package io.strand.metadata.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.metadata.controller.ControllerDefaults;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.record.Endpoint;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

/** A controller given an executor runs only when, and on the thread where, that executor runs its tasks. */
class QuorumControllerOnExecutorTest {

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final LocalMetadataLog log = new LocalMetadataLog();
    private final QuorumController controller = new QuorumController(log, Time.SYSTEM, new Random(7), tasks::add);

    private void runAll() {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }

    @Test
    void operationsRunOnlyWhenTheCallersExecutorRunsThem() throws Exception {
        CompletableFuture<Void> registered = controller.registerBroker(new RegisterBrokerRecord(1, new Uuid(1, 1),
                List.of(new Endpoint("PLAINTEXT", "localhost", 9092, "PLAINTEXT")), null));
        CompletableFuture<CreateTopicsResponseData> created = controller.createTopics(new CreateTopicsRequestData()
                .setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                        new CreatableTopic().setName("t").setNumPartitions(2).setReplicationFactor((short) 1))
                        .iterator())), ControllerDefaults.SINGLE_NODE);

        assertThat(registered).isNotDone();
        assertThat(created).isNotDone();
        assertThat(tasks).isNotEmpty();

        runAll();

        assertThat(registered).isCompleted();
        assertThat(created.get().topics().find("t").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(log.image().topics().byName("t")).isPresent();
    }

    @Test
    void closeFailsQueuedAndLaterOperationsOnTheExecutor() {
        CompletableFuture<Long> queued = controller.allocateProducerIds(1, 10);
        controller.close();
        CompletableFuture<Long> later = controller.allocateProducerIds(1, 10);
        assertThat(queued).isNotDone();

        runAll();

        for (CompletableFuture<Long> f : List.of(queued, later)) {
            assertThat(f).isCompletedExceptionally();
            try {
                f.get();
            } catch (InterruptedException | ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NotControllerException.class);
            }
        }
        assertThat(log.image().nextProducerId()).isZero();
    }
}
