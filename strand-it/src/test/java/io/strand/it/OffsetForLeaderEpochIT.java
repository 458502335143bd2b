package io.strand.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.testkit.StrandNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OffsetForLeaderEpoch as consumers use it to validate positions, and its epoch fencing. */
class OffsetForLeaderEpochIT {

    @TempDir
    Path dataDir;

    @Test
    void answersEndOffsetOfTheEpochAndFencesWrongEpochs() throws Exception {
        try (StrandNode node = StrandNode.start(dataDir, Map.of())) {
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", node.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("epochs", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", node.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 7; i++) {
                    producer.send(new ProducerRecord<>("epochs", 0, "k", "v" + i)).get();
                }
            }
            try (RawKafkaConnection raw = new RawKafkaConnection(node.bootstrapServers())) {
                assertThat(ask(raw, "epochs", 0, -1, 0)).extracting(EpochEndOffset::errorCode, EpochEndOffset::leaderEpoch,
                        EpochEndOffset::endOffset).containsExactly(Errors.NONE.code(), 0, 7L);
                assertThat(ask(raw, "epochs", 0, 0, 0).endOffset()).isEqualTo(7L);
                assertThat(Errors.forCode(ask(raw, "epochs", 0, 3, 0).errorCode())).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
                assertThat(Errors.forCode(ask(raw, "epochs", 5, -1, 0).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
                assertThat(Errors.forCode(ask(raw, "missing", 0, -1, 0).errorCode())).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
    }

    private static EpochEndOffset ask(RawKafkaConnection raw, String topic, int partition, int currentLeaderEpoch,
                                      int leaderEpoch) throws Exception {
        OffsetForLeaderEpochRequestData data = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        OffsetForLeaderTopic t = new OffsetForLeaderTopic().setTopic(topic);
        t.partitions().add(new OffsetForLeaderPartition().setPartition(partition)
                .setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch));
        data.topics().add(t);
        OffsetsForLeaderEpochResponse response = (OffsetsForLeaderEpochResponse) raw.roundTrip(
                new OffsetsForLeaderEpochRequest(data, (short) 4));
        return response.data().topics().iterator().next().partitions().get(0);
    }
}
