package io.strand.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.strand.server.http.HttpException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProduceRequestTest {

    private static List<JsonNode> values(String body) {
        return Json.parseValues(body.getBytes(StandardCharsets.UTF_8));
    }

    private static ProduceRequest one(String body) {
        return ProduceRequest.parse(values(body).get(0), 0);
    }

    private static void refused(String body, String message) {
        assertThatThrownBy(() -> values(body).forEach(v -> ProduceRequest.parse(v, 0)))
                .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageStartingWith("INVALID_REQUEST: ").hasMessageContaining(message);
    }

    @Test
    void readsEachDataTypeAsRestProxyV3Does() {
        ProduceRequest json = one("{\"key\":{\"type\":\"JSON\",\"data\":{\"a\": [1, 2]}},\"value\":{\"data\":\"x\"}}");
        assertThat(new String(json.key(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":[1,2]}");
        assertThat(new String(json.value(), StandardCharsets.UTF_8)).isEqualTo("\"x\"");
        assertThat(json.keyType()).isEqualTo("JSON");
        ProduceRequest string = one("{\"value\":{\"type\":\"STRING\",\"data\":\"héllo\"}}");
        assertThat(string.value()).isEqualTo("héllo".getBytes(StandardCharsets.UTF_8));
        assertThat(string.key()).isNull();
        assertThat(string.keyType()).isNull();
        ProduceRequest binary = one("{\"value\":{\"type\":\"BINARY\",\"data\":\"AP8B\"},\"partition_id\":2,"
                + "\"headers\":[{\"name\":\"h\",\"value\":\"aGk=\"},{\"name\":\"n\",\"value\":null}],\"timestamp\":\"2024-01-02T03:04:05Z\"}");
        assertThat(binary.value()).containsExactly(0, 0xff, 1);
        assertThat(binary.partition()).contains(2);
        assertThat(binary.headers()).hasSize(2);
        assertThat(binary.headers().get(0).value()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(binary.headers().get(1).value()).isNull();
        assertThat(binary.timestamp()).isEqualTo(1704164645000L);
        assertThat(one("{\"timestamp\":123}").timestamp()).isEqualTo(123L);
    }

    @Test
    void readsTheStreamingFormOfSeveralObjects() {
        assertThat(values("{\"value\":{\"data\":1}}\n {\"value\":{\"data\":2}}{\"value\":{\"data\":3}}")).hasSize(3);
    }

    @Test
    void refusesWhatIsNotTheContract() {
        refused("{\"value\":", "malformed JSON");
        refused("", "empty");
        refused("[1]", "must be a JSON object");
        refused("{\"partition_id\":-1}", "'partition_id' must be in [0,");
        refused("{\"partition_id\":\"1\"}", "'partition_id' must be an integer");
        refused("{\"partition_id\":1.5}", "'partition_id' must be an integer");
        refused("{\"value\":{\"type\":\"AVRO\",\"data\":1}}", "JSON, STRING or BINARY");
        refused("{\"value\":{\"type\":\"STRING\",\"data\":1}}", "must be a string");
        refused("{\"value\":{\"type\":\"BINARY\",\"data\":\"***\"}}", "base64");
        refused("{\"value\":\"plain\"}", "'value' must be an object");
        refused("{\"headers\":{}}", "'headers' must be an array");
        refused("{\"headers\":[{\"value\":\"aGk=\"}]}", "'name' is required");
        refused("{\"timestamp\":\"yesterday\"}", "'timestamp'");
    }

    @Test
    void bytesAreShownAsTextOnlyWhenValidUtf8() {
        assertThat(RecordJson.bytes("hé".getBytes(StandardCharsets.UTF_8)).toString())
                .isEqualTo("{\"size\":3,\"text\":\"hé\",\"base64\":\"aMOp\"}");
        assertThat(RecordJson.bytes(new byte[] {(byte) 0xff, 0}).toString()).isEqualTo("{\"size\":2,\"base64\":\"/wA=\"}");
        assertThat(RecordJson.bytes(null).isNull()).isTrue();
    }
}
