package io.strand.it;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One well-formed request of each transaction API, shaped as the Java clients send them (a
 * transactional id, a producer id and epoch, one partition of {@code topic}), for the tests that damage
 * requests ({@link BadInputIT}, {@link RequestFuzzIT}): InitProducerId, AddPartitionsToTxn (the client
 * form, v3), AddOffsetsToTxn, EndTxn, WriteTxnMarkers (as the admin client's abort sends it),
 * TxnOffsetCommit, DescribeTransactions, ListTransactions and DescribeProducers. The versions are
 * ones both Strand and Kafka 4.3.1 serve.
 */
final class TransactionRequests {

    /** A request body and the API and version it is for. */
    record Sample(ApiKeys apiKey, short version, ApiMessage data) {

        /** Header (client id {@code clientId}, correlation id 1) and body, as one frame without its size. */
        byte[] frame(String clientId) {
            RequestHeader header = new RequestHeader(apiKey, version, clientId, 1);
            ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
            ByteBuffer body = MessageUtil.toByteBufferAccessor(data, version).buffer();
            ByteBuffer frame = ByteBuffer.allocate(headerBytes.remaining() + body.remaining());
            frame.put(headerBytes).put(body);
            return frame.array();
        }

        byte[] body() {
            ByteBuffer body = MessageUtil.toByteBufferAccessor(data, version).buffer();
            byte[] bytes = new byte[body.remaining()];
            body.get(bytes);
            return bytes;
        }
    }

    static final String TRANSACTIONAL_ID = "damaged-txn";
    static final String GROUP_ID = "damaged-txn-group";
    static final long PRODUCER_ID = 4_000L;
    static final short PRODUCER_EPOCH = 2;

    private TransactionRequests() {
    }

    /** One request of each transaction API naming partition 0 of {@code topic}. */
    static List<Sample> all(String topic) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnTopic().setName(topic).setPartitions(List.of(0)));
        return List.of(
                new Sample(ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData()
                        .setTransactionalId(TRANSACTIONAL_ID).setTransactionTimeoutMs(60_000)
                        .setProducerId(PRODUCER_ID).setProducerEpoch(PRODUCER_EPOCH)),
                new Sample(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3, new AddPartitionsToTxnRequestData()
                        .setV3AndBelowTransactionalId(TRANSACTIONAL_ID).setV3AndBelowProducerId(PRODUCER_ID)
                        .setV3AndBelowProducerEpoch(PRODUCER_EPOCH).setV3AndBelowTopics(topics)),
                new Sample(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 4, new AddOffsetsToTxnRequestData()
                        .setTransactionalId(TRANSACTIONAL_ID).setProducerId(PRODUCER_ID)
                        .setProducerEpoch(PRODUCER_EPOCH).setGroupId(GROUP_ID)),
                new Sample(ApiKeys.END_TXN, (short) 4, new EndTxnRequestData()
                        .setTransactionalId(TRANSACTIONAL_ID).setProducerId(PRODUCER_ID)
                        .setProducerEpoch(PRODUCER_EPOCH).setCommitted(false)),
                new Sample(ApiKeys.WRITE_TXN_MARKERS, (short) 1, new WriteTxnMarkersRequestData()
                        .setMarkers(List.of(new WritableTxnMarker().setProducerId(PRODUCER_ID)
                                .setProducerEpoch(PRODUCER_EPOCH).setTransactionResult(false).setCoordinatorEpoch(0)
                                .setTopics(List.of(new WritableTxnMarkerTopic().setName(topic)
                                        .setPartitionIndexes(List.of(0))))))),
                new Sample(ApiKeys.TXN_OFFSET_COMMIT, (short) 3, new TxnOffsetCommitRequestData()
                        .setTransactionalId(TRANSACTIONAL_ID).setGroupId(GROUP_ID).setProducerId(PRODUCER_ID)
                        .setProducerEpoch(PRODUCER_EPOCH).setGenerationId(-1).setMemberId("")
                        .setTopics(List.of(new TxnOffsetCommitRequestTopic().setName(topic)
                                .setPartitions(List.of(new TxnOffsetCommitRequestPartition().setPartitionIndex(0)
                                        .setCommittedOffset(1L).setCommittedMetadata("m")))))),
                new Sample(ApiKeys.DESCRIBE_TRANSACTIONS, (short) 0, new DescribeTransactionsRequestData()
                        .setTransactionalIds(List.of(TRANSACTIONAL_ID, "another-txn"))),
                new Sample(ApiKeys.LIST_TRANSACTIONS, (short) 1, new ListTransactionsRequestData()
                        .setStateFilters(List.of("Ongoing")).setProducerIdFilters(List.of(PRODUCER_ID))
                        .setDurationFilter(60_000L)),
                new Sample(ApiKeys.DESCRIBE_PRODUCERS, (short) 0, new DescribeProducersRequestData()
                        .setTopics(List.of(new DescribeProducersRequestData.TopicRequest().setName(topic)
                                .setPartitionIndexes(List.of(0, 1))))));
    }
}
