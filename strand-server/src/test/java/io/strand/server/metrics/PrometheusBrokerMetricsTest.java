package io.strand.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strand.broker.metrics.TopicMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class PrometheusBrokerMetricsTest {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusBrokerMetrics metrics = new PrometheusBrokerMetrics(registry);

    private String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExpositionFormats.init().getPrometheusTextFormatWriter().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countsRequestsAndLatencyPerApiWithKafkasApiNames() throws IOException {
        metrics.onRequestCompleted(ApiKeys.PRODUCE, 2_000_000);
        metrics.onRequestCompleted(ApiKeys.PRODUCE, 40_000_000);
        metrics.onRequestCompleted(ApiKeys.FETCH, 500_000_000);
        String text = scrape();
        assertThat(text).contains("strand_requests_total{api=\"Produce\"} 2.0")
                .contains("strand_requests_total{api=\"Fetch\"} 1.0")
                .contains("strand_request_latency_seconds_count{api=\"Produce\"} 2")
                .contains("strand_request_latency_seconds_bucket{api=\"Produce\",le=\"0.0025\"} 1")
                .contains("strand_request_latency_seconds_bucket{api=\"Produce\",le=\"0.05\"} 2");
    }

    @Test
    void countsErrorsByApiAndErrorName() throws IOException {
        metrics.onRequestError(ApiKeys.PRODUCE, Errors.NOT_LEADER_OR_FOLLOWER);
        metrics.onRequestError(ApiKeys.PRODUCE, Errors.NOT_LEADER_OR_FOLLOWER);
        metrics.onRequestError(ApiKeys.FETCH, Errors.UNKNOWN_SERVER_ERROR);
        assertThat(scrape())
                .contains("strand_request_errors_total{api=\"Produce\",error=\"NOT_LEADER_OR_FOLLOWER\"} 2.0")
                .contains("strand_request_errors_total{api=\"Fetch\",error=\"UNKNOWN_SERVER_ERROR\"} 1.0");
    }

    @Test
    void countsBytesAndRecordsPerTopicThroughOneCachedHandle() throws IOException {
        TopicMetrics orders = metrics.topic("orders");
        assertThat(metrics.topic("orders")).isSameAs(orders);
        orders.onAppended(10, 1_000);
        orders.onAppended(5, 500);
        orders.onFetched(1_500);
        assertThat(scrape()).contains("strand_topic_records_in_total{topic=\"orders\"} 15.0")
                .contains("strand_topic_bytes_in_total{topic=\"orders\"} 1500.0")
                .contains("strand_topic_bytes_out_total{topic=\"orders\"} 1500.0");
    }

    @Test
    void countsIsrShrinksAndExpandsFromZero() throws IOException {
        assertThat(scrape()).contains("strand_isr_shrinks_total 0.0").contains("strand_isr_expands_total 0.0");
        metrics.isrChanges().onShrink();
        metrics.isrChanges().onShrink();
        metrics.isrChanges().onExpand();
        assertThat(scrape()).contains("strand_isr_shrinks_total 2.0").contains("strand_isr_expands_total 1.0");
    }
}
