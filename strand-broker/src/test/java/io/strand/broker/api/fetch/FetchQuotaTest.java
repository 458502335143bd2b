package io.strand.broker.api.fetch;

import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC;
import static io.strand.broker.replica.ReplicatedPartitionFixture.TOPIC_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.RequestContext;
import io.strand.broker.purgatory.FetchPurgatory;
import io.strand.broker.quota.ClientQuotaManager;
import io.strand.broker.quota.QuotaType;
import io.strand.broker.quota.QuotaWindows;
import io.strand.broker.replica.ReplicatedPartitionFixture;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClientQuotaRecord;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer over its {@code consumer_byte_rate}: its fetches are answered until the bytes fetched put
 * it over the bound, then the answer is empty with the throttle time and those bytes are not counted,
 * as Kafka answers a throttled fetch; a fetch that opened a session leaves none behind.
 */
class FetchQuotaTest {

    private static final short VERSION = 17;
    private static final double BYTES_PER_SECOND = 100;

    @TempDir
    Path dir;

    private final ScheduledExecutorService eventLoop = Executors.newSingleThreadScheduledExecutor();
    private ReplicatedPartitionFixture cluster;
    private FetchSessionCache sessions;
    private FetchHandler handler;

    @BeforeEach
    void start() {
        cluster = new ReplicatedPartitionFixture(dir, List.of(1), List.of(1), 1);
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(ClientQuotaRecord.set(Map.of("client-id", "consumer"), QuotaType.FETCH.key(), BYTES_PER_SECOND));
        MetadataImage quotas = delta.apply(1);
        sessions = new FetchSessionCache(10, 60_000, cluster.time, new Random(1));
        handler = new FetchHandler(cluster.replicaManager, cluster::image, sessions, new FetchPurgatory(),
                new ClientQuotaManager(QuotaType.FETCH, QuotaWindows.DEFAULT, quotas::clientQuotas, cluster.time));
    }

    @AfterEach
    void tearDown() throws Exception {
        eventLoop.shutdownNow();
        assertThat(eventLoop.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        cluster.close();
    }

    private FetchResponseData fetch(int sessionEpoch) throws Exception {
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setSessionId(0).setSessionEpoch(sessionEpoch).setReplicaId(-1);
        data.topics().add(new FetchRequestData.FetchTopic().setTopic(TOPIC).setTopicId(TOPIC_ID)
                .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 16))));
        RequestContext context = new RequestContext(new RequestHeader(ApiKeys.FETCH, VERSION, "consumer", 1),
                new InetSocketAddress("127.0.0.1", 40000), "PLAINTEXT", 0L, eventLoop);
        return handler.handle(context, new FetchRequest(data, VERSION)).get(10, TimeUnit.SECONDS);
    }

    private static int recordBytes(FetchResponseData response) {
        return response.responses().stream().flatMap(t -> t.partitions().stream())
                .mapToInt(FetchResponse::recordsSize).sum();
    }

    @Test
    void fetchesPastTheRateAreAnsweredEmptyWithTheThrottleTime() throws Exception {
        cluster.append(5);
        int batchBytes = recordBytes(fetch(-1));
        assertThat(batchBytes).isPositive();
        // Within the first 10 s a rate is the bytes over 10 s: 1,000 bytes pass, the fetch past them does not.
        int answered = 1;
        while (answered * batchBytes + batchBytes <= BYTES_PER_SECOND * 10) {
            FetchResponseData response = fetch(-1);
            assertThat(recordBytes(response)).isEqualTo(batchBytes);
            assertThat(response.throttleTimeMs()).isZero();
            answered++;
        }

        FetchResponseData throttled = fetch(0);

        long overBytes = (long) (answered + 1) * batchBytes;
        assertThat(throttled.responses()).isEmpty();
        assertThat(throttled.throttleTimeMs()).isEqualTo(Math.round(overBytes / BYTES_PER_SECOND * 1000 - 10_000));
        assertThat(throttled.sessionId()).isZero();
        assertThat(sessions.size()).isZero();
        // the throttled bytes were not counted: once the throttle time has passed the same fetch is answered
        cluster.time.advance(throttled.throttleTimeMs());
        assertThat(recordBytes(fetch(-1))).isEqualTo(batchBytes);
    }
}
