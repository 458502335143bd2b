package io.strand.broker.api.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A consumer's Fetch (v13+, topics by id) naming a topic id the broker does not know is answered per
 * partition with UNKNOWN_TOPIC_ID, with and without a fetch session. The zero id, which no topic has,
 * included: with two partitions of it kafka-clients' response builder (which Kafka's broker uses too) threw
 * and the whole request failed with UNKNOWN_SERVER_ERROR, found by RequestFuzzIT (seed 7, case 1156).
 */
class FetchUnknownTopicIdTest {

    private static final short VERSION = 18;

    @TempDir
    Path dir;

    private final ScheduledExecutorService eventLoop = Executors.newSingleThreadScheduledExecutor();
    private ReplicatedPartitionFixture cluster;
    private FetchHandler handler;

    @BeforeEach
    void start() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1), List.of(1), 1);
        FetchPurgatory purgatory = new FetchPurgatory();
        cluster.replicaManager.setAppendListener(purgatory::onAppend);
        handler = new FetchHandler(cluster.replicaManager, cluster::image,
                new FetchSessionCache(10, 60_000, cluster.time, new Random(1)), purgatory);
    }

    @AfterEach
    void tearDown() throws Exception {
        eventLoop.shutdownNow();
        assertThat(eventLoop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        cluster.close();
    }

    @ParameterizedTest(name = "topic id {0}, session epoch {1}")
    @CsvSource({"AAAAAAAAAAAAAAAAAAAAAA, -1", "AAAAAAAAAAAAAAAAAAAAAA, 0",
                "8gTQKgtMG68DuZ2mP73RLQ, -1", "8gTQKgtMG68DuZ2mP73RLQ, 0"})
    void anUnknownTopicIdIsAnsweredWithUnknownTopicIdForItsPartitions(String topicId, int sessionEpoch)
            throws Exception {
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(sessionEpoch).setReplicaId(-1);
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(Uuid.fromString(topicId));
        for (int partition = 0; partition < 2; partition++) {
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(partition).setFetchOffset(0)
                    .setPartitionMaxBytes(1 << 16));
        }
        data.topics().add(topic);
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.FETCH, VERSION, "consumer", 1),
                new InetSocketAddress("127.0.0.1", 40000), "PLAINTEXT", 0L, eventLoop);

        FetchResponseData response = handler.handle(context, new FetchRequest(data, VERSION)).get(10, TimeUnit.SECONDS);

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.NONE);
        assertThat(response.responses()).hasSize(1);
        assertThat(response.responses().get(0).topicId()).isEqualTo(Uuid.fromString(topicId));
        assertThat(response.responses().get(0).partitions())
                .extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.UNKNOWN_TOPIC_ID, Errors.UNKNOWN_TOPIC_ID);
    }
}
