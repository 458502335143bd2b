package io.strand.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class AlterPartitionBatcherTest {

    private static final Uuid TOPIC_A = new Uuid(1L, 1L);
    private static final Uuid TOPIC_B = new Uuid(2L, 2L);
    private static final long BROKER_EPOCH = 7L;

    /** Requests the batcher sent, each with the future the test completes. */
    private final List<AlterPartitionRequestData> sent = new ArrayList<>();
    private final List<CompletableFuture<AlterPartitionResponseData>> answers = new ArrayList<>();
    private final AlterPartitionBatcher batcher = new AlterPartitionBatcher(request -> {
        CompletableFuture<AlterPartitionResponseData> answer = new CompletableFuture<>();
        sent.add(request);
        answers.add(answer);
        return answer;
    });

    private static AlterPartitionRequestData change(Uuid topicId, int partition, long brokerEpoch, int isrSize) {
        List<AlterPartitionRequestData.BrokerState> isr = new ArrayList<>();
        for (int id = 1; id <= isrSize; id++) {
            isr.add(new AlterPartitionRequestData.BrokerState().setBrokerId(id).setBrokerEpoch(BROKER_EPOCH));
        }
        return AlterPartitionExchange.request(new TopicPartition("t", partition), topicId, 1, brokerEpoch, 3, 5, isr);
    }

    private static int partitionCount(AlterPartitionRequestData request) {
        return request.topics().stream().mapToInt(t -> t.partitions().size()).sum();
    }

    private static AlterPartitionResponseData answerAll(AlterPartitionRequestData request) {
        AlterPartitionResponseData response = new AlterPartitionResponseData();
        for (AlterPartitionRequestData.TopicData topic : request.topics()) {
            AlterPartitionResponseData.TopicData t = new AlterPartitionResponseData.TopicData().setTopicId(topic.topicId());
            for (AlterPartitionRequestData.PartitionData p : topic.partitions()) {
                t.partitions().add(new AlterPartitionResponseData.PartitionData().setPartitionIndex(p.partitionIndex())
                        .setPartitionEpoch(p.partitionEpoch() + 1));
            }
            response.topics().add(t);
        }
        return response;
    }

    @Test
    void changesProposedWhileOneIsInFlightGoOutTogetherInTheNextRequest() {
        CompletableFuture<AlterPartitionResponseData> first = batcher.apply(change(TOPIC_A, 0, BROKER_EPOCH, 2));
        List<CompletableFuture<AlterPartitionResponseData>> waiting = new ArrayList<>();
        for (int p = 1; p <= 40; p++) {
            waiting.add(batcher.apply(change(p % 2 == 0 ? TOPIC_A : TOPIC_B, p, BROKER_EPOCH, 2)));
        }
        assertThat(sent).hasSize(1);
        assertThat(partitionCount(sent.get(0))).isEqualTo(1);

        answers.get(0).complete(answerAll(sent.get(0)));

        assertThat(first).isCompleted();
        assertThat(sent).hasSize(2);
        AlterPartitionRequestData batch = sent.get(1);
        assertThat(partitionCount(batch)).isEqualTo(40);
        assertThat(batch.topics()).hasSize(2);
        assertThat(batch.brokerEpoch()).isEqualTo(BROKER_EPOCH);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        answers.get(1).complete(answerAll(batch));

        assertThat(waiting).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        AlterPartitionResponseData.PartitionData answer17 = AlterPartitionExchange.answerFor(waiting.get(16).join(),
                TOPIC_B, new TopicPartition("t", 17));
        assertThat(answer17.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(answer17.partitionEpoch()).isEqualTo(6);
        assertThat(sent).hasSize(2);
    }

    @Test
    void aChangeSupersededBeforeItWasSentIsNotAttempted() {
        batcher.apply(change(TOPIC_A, 0, BROKER_EPOCH, 2));
        CompletableFuture<AlterPartitionResponseData> older = batcher.apply(change(TOPIC_A, 1, BROKER_EPOCH, 2));
        CompletableFuture<AlterPartitionResponseData> newer = batcher.apply(change(TOPIC_A, 1, BROKER_EPOCH, 3));

        answers.get(0).complete(answerAll(sent.get(0)));

        assertThat(older.join().errorCode()).isEqualTo(Errors.OPERATION_NOT_ATTEMPTED.code());
        assertThat(partitionCount(sent.get(1))).isEqualTo(1);
        assertThat(sent.get(1).topics().get(0).partitions().get(0).newIsrWithEpochs()).hasSize(3);
        assertThat(newer).isNotDone();
    }

    @Test
    void onlyChangesOfTheSameBrokerEpochShareARequest() {
        batcher.apply(change(TOPIC_A, 0, BROKER_EPOCH, 2));
        batcher.apply(change(TOPIC_A, 1, BROKER_EPOCH, 2));
        CompletableFuture<AlterPartitionResponseData> laterEpoch = batcher.apply(change(TOPIC_A, 2, BROKER_EPOCH + 1, 2));

        answers.get(0).complete(answerAll(sent.get(0)));
        assertThat(partitionCount(sent.get(1))).isEqualTo(1);
        assertThat(sent.get(1).brokerEpoch()).isEqualTo(BROKER_EPOCH);

        answers.get(1).complete(answerAll(sent.get(1)));
        assertThat(sent).hasSize(3);
        assertThat(sent.get(2).brokerEpoch()).isEqualTo(BROKER_EPOCH + 1);
        answers.get(2).complete(answerAll(sent.get(2)));
        assertThat(laterEpoch).isCompleted();
    }

    @Test
    void aFailedRequestFailsItsChangesAndTheNextBatchIsStillSent() {
        CompletableFuture<AlterPartitionResponseData> first = batcher.apply(change(TOPIC_A, 0, BROKER_EPOCH, 2));
        CompletableFuture<AlterPartitionResponseData> second = batcher.apply(change(TOPIC_A, 1, BROKER_EPOCH, 2));

        answers.get(0).completeExceptionally(new TimeoutException("no controller"));

        assertThat(first).isCompletedExceptionally();
        assertThat(sent).hasSize(2);
        answers.get(1).complete(answerAll(sent.get(1)));
        assertThat(second).isCompleted();
    }
}
