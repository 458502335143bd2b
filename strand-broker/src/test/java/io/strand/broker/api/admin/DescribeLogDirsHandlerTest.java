package io.strand.broker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import io.strand.storage.LogDirDescription;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.junit.jupiter.api.Test;

class DescribeLogDirsHandlerTest {

    private final List<LogDirDescription> dirs = List.of(
            new LogDirDescription(Path.of("/data/a"), 1000L, 400L, Map.of(
                    new TopicPartition("orders", 1), 30L,
                    new TopicPartition("orders", 0), 20L,
                    new TopicPartition("audit", 0), 5L)),
            new LogDirDescription(Path.of("/data/b"), -1L, 10L, Map.of()));
    private final DescribeLogDirsHandler handler = new DescribeLogDirsHandler(() -> dirs);

    @Test
    void nullTopicsDescribesEveryPartitionOfEveryDir() {
        DescribeLogDirsResponseData response = handle(new DescribeLogDirsRequestData().setTopics(null), 4);

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(describe(response)).containsExactly("/data/a[audit-0=5, orders-0=20, orders-1=30]", "/data/b[]");
        DescribeLogDirsResult first = response.results().get(0);
        assertThat(first.totalBytes()).isEqualTo(1000L);
        assertThat(first.usableBytes()).isEqualTo(400L);
        assertThat(first.topics().get(1).partitions()).allSatisfy(p -> {
            assertThat(p.offsetLag()).isZero();
            assertThat(p.isFutureKey()).isFalse();
        });
        assertThat(response.results().get(1).totalBytes()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void onlyListedPartitionsAreDescribedAndTopicsWithNoneHeldAreLeftOut() {
        DescribeLogDirsRequestData data = new DescribeLogDirsRequestData();
        data.topics().add(new DescribableLogDirTopic().setTopic("orders").setPartitions(List.of(1, 7)));
        data.topics().add(new DescribableLogDirTopic().setTopic("audit").setPartitions(List.of(3)));
        data.topics().add(new DescribableLogDirTopic().setTopic("missing").setPartitions(List.of(0)));

        DescribeLogDirsResponseData response = handle(data, 4);

        assertThat(describe(response)).containsExactly("/data/a[orders-1=30]", "/data/b[]");
    }

    @Test
    void emptyTopicListDescribesTheDirsOnly() {
        assertThat(describe(handle(new DescribeLogDirsRequestData(), 1))).containsExactly("/data/a[]", "/data/b[]");
    }

    @Test
    void everyVersionCarriesTheResponseOverTheWire() {
        for (short version = 1; version <= 5; version++) {
            DescribeLogDirsResponseData read = Requests.overWire(ApiKeys.DESCRIBE_LOG_DIRS,
                    handle(new DescribeLogDirsRequestData().setTopics(null), version), version);
            assertThat(describe(read)).containsExactly("/data/a[audit-0=5, orders-0=20, orders-1=30]", "/data/b[]");
            assertThat(read.results().get(0).totalBytes()).isEqualTo(version >= 4 ? 1000L : -1L);
        }
    }

    @Test
    void offlineDirIsAnsweredWithStorageError() {
        DescribeLogDirsHandler withOffline = new DescribeLogDirsHandler(() -> List.of(dirs.get(0),
                LogDirDescription.offline(Path.of("/data/c"))));
        DescribeLogDirsRequest request = new DescribeLogDirsRequest.Builder(
                new DescribeLogDirsRequestData().setTopics(null)).build((short) 4);

        DescribeLogDirsResponseData response = withOffline.handle(Requests.context(request), request).join();

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.results().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        DescribeLogDirsResult offline = response.results().get(1);
        assertThat(offline.logDir()).isEqualTo("/data/c");
        assertThat(offline.errorCode()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
        assertThat(offline.topics()).isEmpty();
    }

    private DescribeLogDirsResponseData handle(DescribeLogDirsRequestData data, int version) {
        DescribeLogDirsRequest request = new DescribeLogDirsRequest.Builder(data).build((short) version);
        return handler.handle(Requests.context(request), request).join();
    }

    /** "dir[topic-partition=size, ...]" per dir. */
    private static List<String> describe(DescribeLogDirsResponseData response) {
        return response.results().stream().map(r -> r.logDir() + r.topics().stream()
                .flatMap((DescribeLogDirsTopic t) -> t.partitions().stream()
                        .map(p -> t.name() + "-" + p.partitionIndex() + "=" + p.partitionSize()))
                .toList()).toList();
    }
}
