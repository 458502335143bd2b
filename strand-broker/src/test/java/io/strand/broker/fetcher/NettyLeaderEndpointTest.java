package io.strand.broker.fetcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.Test;

/** A follower's Fetch fits every version from 12 to the newest. */
class NettyLeaderEndpointTest {

    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    private static FetchRequestData newestForm() {
        return new FetchRequestData()
                .setReplicaId(-1)
                .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(2).setReplicaEpoch(7))
                .setSessionId(0).setSessionEpoch(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("orders").setTopicId(TOPIC_ID)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0)
                                .setCurrentLeaderEpoch(3).setFetchOffset(10).setLastFetchedEpoch(2)))));
    }

    @Test
    void serializesAtEveryFollowerVersion() {
        for (short v = NettyLeaderEndpoint.MIN_FETCH_VERSION; v <= ApiKeys.FETCH.latestVersion(); v++) {
            FetchRequestData request = NettyLeaderEndpoint.forVersion(newestForm(), v);
            RequestUtils.serialize(new RequestHeaderData(), (short) 2, request, v);
        }
    }

    @Test
    void beforeVersion15TheReplicaGoesInReplicaIdAndBefore13TopicsGoByName() {
        FetchRequestData v12 = NettyLeaderEndpoint.forVersion(newestForm(), (short) 12);
        assertThat(v12.replicaId()).isEqualTo(2);
        assertThat(v12.replicaState().replicaId()).isEqualTo(-1);
        assertThat(v12.topics().get(0).topic()).isEqualTo("orders");
        assertThat(v12.topics().get(0).topicId()).isEqualTo(Uuid.ZERO_UUID);

        FetchRequestData v17 = NettyLeaderEndpoint.forVersion(newestForm(), (short) 17);
        assertThat(v17.replicaId()).isEqualTo(-1);
        assertThat(v17.replicaState().replicaId()).isEqualTo(2);
        assertThat(v17.replicaState().replicaEpoch()).isEqualTo(7);
        assertThat(v17.topics().get(0).topicId()).isEqualTo(TOPIC_ID);
    }
}
