package io.strand.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class RecordsJsonTest {

    private static FetchResponseData fetchAnswer(MemoryRecords records) {
        FetchResponseData answer = new FetchResponseData();
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopic("t");
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setRecords(records));
        answer.responses().add(topic);
        return answer;
    }

    private static JsonNode fetchedBatches(MemoryRecords records) {
        JsonNode answer = Normalizer.normalize(MessageJson.toJson(fetchAnswer(records), (short) 12));
        return answer.at("/responses/0/partitions/0/records");
    }

    @Test
    void aFetchAnswersRecordsAreReadNotLeftEmpty() {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(RecordsJson.BASE_TIMESTAMP, "k".getBytes(), "v".getBytes()));

        JsonNode batches = fetchedBatches(records);

        assertThat(batches.isArray()).as("decoded, not the converter's empty bytes: %s", batches).isTrue();
        assertThat(batches.at("/0/records/0/key").asText()).isEqualTo("k");
        assertThat(batches.at("/0/records/0/timestamp").asLong()).isEqualTo(RecordsJson.BASE_TIMESTAMP);
        assertThat(batches.at("/0/producerId").asLong()).as("no producer").isEqualTo(-1L);
    }

    @Test
    void aMarkerReadsAsItsTypeAndCoordinatorEpochWithItsClockAndProducerMasked() {
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(7L, 123_456L, (short) 2,
                new EndTransactionMarker(ControlRecordType.ABORT, 5));

        JsonNode batch = fetchedBatches(marker).get(0);

        assertThat(batch.get("control").asBoolean()).isTrue();
        assertThat(batch.get("producerId").asText()).isEqualTo(Normalizer.MASK);
        assertThat(batch.get("producerEpoch").asInt()).isEqualTo(2);
        JsonNode record = batch.at("/records/0");
        assertThat(record.get("controlType").asText()).isEqualTo("ABORT");
        assertThat(record.get("coordinatorEpoch").asInt()).isEqualTo(5);
        assertThat(record.get("timestamp").asText()).isEqualTo(Normalizer.MASK);
    }
}
