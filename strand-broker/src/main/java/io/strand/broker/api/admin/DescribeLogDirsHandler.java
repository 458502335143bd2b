package io.strand.broker.api.admin;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.storage.LogDirDescription;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;

/**
 * DescribeLogDirs (v1–5): every log directory of this broker with its absolute path, the total and
 * usable bytes of its file store (v4+) and the partitions it holds with their size in bytes.
 *
 * <p>A null topic list means every partition; otherwise only the listed partitions that a directory
 * holds are reported, and a topic none of whose listed partitions it holds is left out (as Kafka
 * does). Topics come in name order, partitions in index order. Strand has no future (moving) logs
 * and the local replica is the one described, so the offset lag is 0 and {@code is_future_key} is
 * false. A negative byte count from the file store (a very large volume) is reported as
 * {@link Long#MAX_VALUE}, as Kafka does. A directory taken offline after an I/O error is answered
 * with its path and KAFKA_STORAGE_ERROR only.
 *
 * <p>Runs on the event loop; asking the file stores for their sizes is a few cheap system calls.
 */
final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {

    static final short MIN_VERSION = 1;
    static final short MAX_VERSION = 5;

    private final Supplier<List<LogDirDescription>> logDirs;

    /** @param logDirs the log manager's {@code describeLogDirs} */
    DescribeLogDirsHandler(Supplier<List<LogDirDescription>> logDirs) {
        this.logDirs = logDirs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeLogDirsResponseData> handle(RequestContext context, DescribeLogDirsRequest request) {
        Set<TopicPartition> wanted = wanted(request.data());
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
        for (LogDirDescription dir : logDirs.get()) {
            response.results().add(describe(dir, wanted));
        }
        return CompletableFuture.completedFuture(response);
    }

    /** The partitions asked for, or null for all. */
    private static Set<TopicPartition> wanted(DescribeLogDirsRequestData data) {
        if (data.topics() == null) {
            return null;
        }
        Set<TopicPartition> wanted = new HashSet<>();
        for (DescribableLogDirTopic topic : data.topics()) {
            for (int partition : topic.partitions()) {
                wanted.add(new TopicPartition(topic.topic(), partition));
            }
        }
        return wanted;
    }

    private static DescribeLogDirsResult describe(LogDirDescription dir, Set<TopicPartition> wanted) {
        if (!dir.online()) {
            // As Kafka answers a directory taken offline: its path and the error, nothing else.
            return new DescribeLogDirsResult()
                    .setErrorCode(Errors.KAFKA_STORAGE_ERROR.code())
                    .setLogDir(dir.path().toAbsolutePath().toString());
        }
        Map<String, Map<Integer, Long>> sizesByTopic = new TreeMap<>();
        for (Map.Entry<TopicPartition, Long> e : dir.partitionSizes().entrySet()) {
            TopicPartition tp = e.getKey();
            if (wanted == null || wanted.contains(tp)) {
                sizesByTopic.computeIfAbsent(tp.topic(), t -> new TreeMap<>()).put(tp.partition(), e.getValue());
            }
        }
        List<DescribeLogDirsTopic> topics = new ArrayList<>();
        sizesByTopic.forEach((topic, sizes) -> {
            DescribeLogDirsTopic result = new DescribeLogDirsTopic().setName(topic);
            sizes.forEach((partition, sizeBytes) -> result.partitions().add(new DescribeLogDirsPartition()
                    .setPartitionIndex(partition).setPartitionSize(sizeBytes).setOffsetLag(0).setIsFutureKey(false)));
            topics.add(result);
        });
        return new DescribeLogDirsResult()
                .setErrorCode(Errors.NONE.code())
                .setLogDir(dir.path().toAbsolutePath().toString())
                .setTopics(topics)
                .setTotalBytes(nonNegative(dir.totalBytes()))
                .setUsableBytes(nonNegative(dir.usableBytes()));
    }

    private static long nonNegative(long bytes) {
        return bytes < 0 ? Long.MAX_VALUE : bytes;
    }
}
