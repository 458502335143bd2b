package io.strand.broker.api.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.metadata.image.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.junit.jupiter.api.Test;

/** Paging cases are the ones checked against a Kafka 4.3 broker holding the same three topics. */
class DescribeTopicPartitionsHandlerTest {

    private final MetadataImage image = TestImages.builder().broker(1)
            .topic("plain2", 3, 1).topic("ctopic", 3, 1).topic("plain", 3, 1).build();
    private final DescribeTopicPartitionsHandler handler = new DescribeTopicPartitionsHandler(() -> image);

    @Test
    void allTopicsInNameOrderCutAtTheLimit() {
        DescribeTopicPartitionsResponseData response = handle(request(4, null));

        assertThat(pages(response)).containsExactly("ctopic:0,1,2", "plain:0");
        assertThat(cursor(response)).isEqualTo("plain:1");
    }

    @Test
    void cursorStartsInsideItsTopic() {
        DescribeTopicPartitionsResponseData response = handle(request(4, cursor("ctopic", 2)));

        assertThat(pages(response)).containsExactly("ctopic:2", "plain:0,1,2");
        assertThat(cursor(response)).isEqualTo("plain2:0");
    }

    @Test
    void limitEndingAtATopicsEndPointsAtTheNextTopic() {
        DescribeTopicPartitionsResponseData response = handle(request(3, cursor("plain", 0), "plain", "plain2"));

        assertThat(pages(response)).containsExactly("plain:0,1,2");
        assertThat(cursor(response)).isEqualTo("plain2:0");
    }

    @Test
    void namedTopicsAreSortedAndThePageEndsWhereTheLimitDoes() {
        DescribeTopicPartitionsResponseData response = handle(request(2, null, "zz", "plain", "ctopic"));

        assertThat(pages(response)).containsExactly("ctopic:0,1");
        assertThat(cursor(response)).isEqualTo("ctopic:2");
    }

    @Test
    void cursorPastTheLastPartitionListsTheTopicEmpty() {
        DescribeTopicPartitionsResponseData response = handle(request(3, cursor("plain", 5)));

        assertThat(pages(response)).containsExactly("plain:", "plain2:0,1,2");
        assertThat(response.nextCursor()).isNull();
    }

    @Test
    void limitBelowOneMeansOne() {
        assertThat(pages(handle(request(0, null)))).containsExactly("ctopic:0");
        assertThat(pages(handle(request(-1, null)))).containsExactly("ctopic:0");
    }

    @Test
    void missingAndIllegalNamesGetTheirErrors() {
        DescribeTopicPartitionsResponseData response = handle(request(2000, null, "zz", "bad name", "ctopic", "zz"));

        assertThat(response.topics()).extracting(DescribeTopicPartitionsResponseTopic::name)
                .containsExactly("bad name", "ctopic", "zz");
        DescribeTopicPartitionsResponseTopic bad = response.topics().find("bad name");
        assertThat(bad.errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(bad.topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThat(bad.partitions()).isEmpty();
        assertThat(response.topics().find("zz").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(response.nextCursor()).isNull();
    }

    @Test
    void cursorTopicMustBeAmongTheNamedTopics() {
        DescribeTopicPartitionsRequest request = new DescribeTopicPartitionsRequest.Builder(
                request(3, cursor("nosuch", 0), "plain", "plain2")).build((short) 0);

        assertThatThrownBy(() -> handler.handle(Requests.context(request), request))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("should contain the cursor topic: nosuch");
    }

    @Test
    void negativeCursorPartitionIsInvalid() {
        DescribeTopicPartitionsRequest request = new DescribeTopicPartitionsRequest.Builder(
                request(3, cursor("plain", -1))).build((short) 0);

        assertThatThrownBy(() -> handler.handle(Requests.context(request), request))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void followingTheCursorVisitsEveryPartitionOnce() {
        for (int limit = 1; limit <= 10; limit++) {
            List<String> visited = new ArrayList<>();
            Cursor cursor = null;
            do {
                DescribeTopicPartitionsResponseData page = handle(request(limit, cursor));
                page.topics().forEach(t -> t.partitions().forEach(p -> visited.add(t.name() + "-" + p.partitionIndex())));
                cursor = page.nextCursor() == null ? null
                        : cursor(page.nextCursor().topicName(), page.nextCursor().partitionIndex());
            } while (cursor != null);
            assertThat(visited).as("limit %d", limit).containsExactly("ctopic-0", "ctopic-1", "ctopic-2", "plain-0",
                    "plain-1", "plain-2", "plain2-0", "plain2-1", "plain2-2");
        }
    }

    @Test
    void partitionsReportLeaderEpochReplicasAndOfflineReplicas() {
        MetadataImage cluster = TestImages.builder().broker(1).broker(2, "INTERNAL", null)
                .topicWithPartition("healthy", List.of(1, 2), List.of(1), 1, 4)
                .topicWithPartition("orphaned", List.of(5, 1), List.of(5), 5, 2)
                .topic("__consumer_offsets", 1, 1)
                .build();

        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsHandler(() -> cluster)
                .handle(Requests.context(buildRequest(request(2000, null))), buildRequest(request(2000, null))).join();

        DescribeTopicPartitionsResponsePartition healthy = response.topics().find("healthy").partitions().get(0);
        assertThat(healthy.leaderId()).isEqualTo(1);
        assertThat(healthy.leaderEpoch()).isEqualTo(4);
        assertThat(healthy.replicaNodes()).containsExactly(1, 2);
        assertThat(healthy.isrNodes()).containsExactly(1);
        assertThat(healthy.offlineReplicas()).containsExactly(2);
        assertThat(healthy.eligibleLeaderReplicas()).isEmpty();
        assertThat(healthy.lastKnownElr()).isEmpty();
        DescribeTopicPartitionsResponsePartition orphaned = response.topics().find("orphaned").partitions().get(0);
        assertThat(orphaned.leaderId()).isEqualTo(-1);
        assertThat(orphaned.offlineReplicas()).containsExactly(5);
        DescribeTopicPartitionsResponseTopic offsets = response.topics().find("__consumer_offsets");
        assertThat(offsets.isInternal()).isTrue();
        assertThat(offsets.topicAuthorizedOperations()).isEqualTo(3576);
    }

    @Test
    void aFencedBrokersReplicaIsOfflineButAFencedLeaderIsStillNamed() {
        MetadataImage cluster = TestImages.builder().broker(1).fencedBroker(2)
                .topicWithPartition("followed", List.of(1, 2), List.of(1), 1, 3)
                .topicWithPartition("stale", List.of(2, 1), List.of(2), 2, 3)
                .build();

        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsHandler(() -> cluster)
                .handle(Requests.context(buildRequest(request(2000, null))), buildRequest(request(2000, null))).join();

        assertThat(response.topics().find("followed").partitions().get(0).offlineReplicas()).containsExactly(2);
        DescribeTopicPartitionsResponsePartition stale = response.topics().find("stale").partitions().get(0);
        assertThat(stale.offlineReplicas()).containsExactly(2);
        assertThat(stale.leaderId()).isEqualTo(2);
    }

    @Test
    void aReplicaInAnOfflineLogDirectoryIsOffline() {
        MetadataImage cluster = TestImages.builder().broker(1).topicWithPartition("split", List.of(1), List.of(1), 1, 3)
                .replicaInOfflineDirectory("split", 2).build();

        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsHandler(() -> cluster)
                .handle(Requests.context(buildRequest(request(2000, null))), buildRequest(request(2000, null))).join();

        assertThat(response.topics().find("split").partitions().get(0).offlineReplicas()).containsExactly(2);
    }

    @Test
    void responseSurvivesTheWire() {
        DescribeTopicPartitionsResponseData read = Requests.overWire(ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
                handle(request(4, null, "ctopic", "plain", "zz")), (short) 0);

        assertThat(pages(read)).containsExactly("ctopic:0,1,2", "plain:0");
        assertThat(read.topics().find("ctopic").topicId()).isEqualTo(image.topics().byName("ctopic").orElseThrow().id());
        assertThat(read.topics().find("ctopic").partitions().get(0).eligibleLeaderReplicas()).isEmpty();
    }

    private DescribeTopicPartitionsResponseData handle(DescribeTopicPartitionsRequestData data) {
        DescribeTopicPartitionsRequest request = buildRequest(data);
        return handler.handle(Requests.context(request), request).join();
    }

    private static DescribeTopicPartitionsRequest buildRequest(DescribeTopicPartitionsRequestData data) {
        return new DescribeTopicPartitionsRequest.Builder(data).build((short) 0);
    }

    private static DescribeTopicPartitionsRequestData request(int limit, Cursor cursor, String... topics) {
        DescribeTopicPartitionsRequestData data = new DescribeTopicPartitionsRequestData()
                .setResponsePartitionLimit(limit).setCursor(cursor);
        for (String topic : topics) {
            data.topics().add(new TopicRequest().setName(topic));
        }
        return data;
    }

    private static Cursor cursor(String topic, int partition) {
        return new Cursor().setTopicName(topic).setPartitionIndex(partition);
    }

    /** "topic:p,p,p" per topic. */
    private static List<String> pages(DescribeTopicPartitionsResponseData response) {
        return response.topics().stream().map(t -> t.name() + ":" + String.join(",", t.partitions().stream()
                .map(p -> Integer.toString(p.partitionIndex())).toList())).toList();
    }

    private static String cursor(DescribeTopicPartitionsResponseData response) {
        return response.nextCursor() == null ? null
                : response.nextCursor().topicName() + ":" + response.nextCursor().partitionIndex();
    }
}
