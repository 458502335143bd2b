package io.strand.broker.api.txn;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.replica.Partition;
import io.strand.broker.replica.ReplicaManager;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.TopicImage;
import io.strand.storage.producer.ActiveProducer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersRequest;

/**
 * DescribeProducers (v0, KIP-664): for each partition asked for, the producers its local replica's
 * producer state knows (idempotent and transactional, not yet expired): id, epoch, last sequence, last
 * timestamp, the epoch of the coordinator that wrote its last marker and the first offset of its ongoing
 * transaction (-1 where there is none). The admin client asks the partition's leader; as Kafka's
 * {@code ReplicaManager.activeProducerState}, any replica hosting the partition answers from its own
 * log.
 *
 * <p>Errors, as Kafka's {@code KafkaApis.handleDescribeProducersRequest}: an illegal topic name gets
 * INVALID_TOPIC_EXCEPTION and a topic the metadata does not know UNKNOWN_TOPIC_OR_PARTITION for every
 * partition asked for; then per partition KAFKA_STORAGE_ERROR if its log directory failed here,
 * NOT_LEADER_OR_FOLLOWER if the partition exists but this broker holds no replica of it (the client
 * refreshes its metadata and asks the leader again), UNKNOWN_TOPIC_OR_PARTITION if it does not exist.
 * Partitions and topics are answered in request order, repeats included, as Kafka does. No authorizer:
 * no TOPIC_AUTHORIZATION_FAILED.
 *
 * <p>Runs on the request pool: it takes each log's writer lock briefly.
 */
public final class DescribeProducersHandler implements ApiHandler<DescribeProducersRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 0;

    private final ReplicaManager replicaManager;
    private final Supplier<MetadataImage> image;

    public DescribeProducersHandler(ReplicaManager replicaManager, Supplier<MetadataImage> image) {
        this.replicaManager = replicaManager;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<DescribeProducersResponseData> handle(RequestContext context,
                                                                  DescribeProducersRequest request) {
        MetadataImage metadata = image.get();
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (DescribeProducersRequestData.TopicRequest topic : request.data().topics()) {
            TopicResponse topicResponse = new TopicResponse().setName(topic.name());
            Optional<TopicImage> known = metadata.topics().byName(topic.name());
            PartitionResponse topicError = topicError(topic.name(), known);
            for (int index : topic.partitionIndexes()) {
                topicResponse.partitions().add(topicError != null
                        ? topicError.duplicate().setPartitionIndex(index)
                        : describe(new TopicPartition(topic.name(), index), known.get()));
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(response);
    }

    /** The answer for every partition of a topic that is illegal or unknown (its message too), else null. */
    private static PartitionResponse topicError(String name, Optional<TopicImage> known) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return new PartitionResponse().setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code())
                    .setErrorMessage(e.getMessage());
        }
        return known.isPresent() ? null : new PartitionResponse()
                .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
    }

    private PartitionResponse describe(TopicPartition tp, TopicImage topic) {
        if (replicaManager.isOffline(tp)) {
            return error(tp.partition(), Errors.KAFKA_STORAGE_ERROR);
        }
        Optional<Partition> hosted = replicaManager.partition(tp);
        if (hosted.isEmpty()) {
            return error(tp.partition(), topic.partition(tp.partition()).isPresent()
                    ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        PartitionResponse response = new PartitionResponse().setPartitionIndex(tp.partition());
        for (ActiveProducer producer : hosted.get().log().activeProducers()) {
            response.activeProducers().add(new ProducerState()
                    .setProducerId(producer.producerId())
                    .setProducerEpoch(producer.producerEpoch())
                    .setLastSequence(producer.lastSequence())
                    .setLastTimestamp(producer.lastTimestampMs())
                    .setCoordinatorEpoch(producer.coordinatorEpoch())
                    .setCurrentTxnStartOffset(producer.currentTxnFirstOffset()));
        }
        return response;
    }

    /** A partition's own error: no message, as Kafka's replica manager answers. */
    private static PartitionResponse error(int partitionIndex, Errors error) {
        return new PartitionResponse().setPartitionIndex(partitionIndex).setErrorCode(error.code());
    }
}
