package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsObjectsArraysAndScalars() {
        Object value = Json.parse(" {\"a\": [1, -2.5e3, true, false, null], \"b\": {}, \"c\": []} ");

        assertThat(value).isEqualTo(Map.of("a", Arrays.asList(1.0, -2500.0, true, false, null),
                "b", Map.of(), "c", List.of()));
    }

    @Test
    void readsWhatReportQuoteWrites() {
        String text = "a\"b\\c\nd\u0001\té";

        assertThat(Json.parse(Report.quote(text))).isEqualTo(text);
    }

    @Test
    void rejectsMalformedText() {
        assertThatThrownBy(() -> Json.parse("{\"a\": 1,}")).hasMessageContaining("expected a key");
        assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessageContaining("expected ']'");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("trailing text");
        assertThatThrownBy(() -> Json.parse("\"open")).hasMessageContaining("unterminated string");
        assertThatThrownBy(() -> Json.parse("nul")).hasMessageContaining("expected null");
    }
}
