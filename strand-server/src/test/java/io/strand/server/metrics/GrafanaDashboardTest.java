package io.strand.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.strand.broker.NodeReadiness;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard shipped in docs/grafana queries only metrics a node exports: every panel's
 * PromQL (and the node variable's query) names metrics registered the way a node with an HTTP listener
 * registers them, so renaming a metric without the dashboard fails here.
 */
class GrafanaDashboardTest {

    static final Path DASHBOARD = Path.of("..", "docs", "grafana", "strand-dashboard.json");

    /** PromQL words that are not metric names: aggregations, functions (followed by '('), keywords. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Test
    void everyPanelQueriesOnlyMetricsTheNodeExports() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> exported = exportedNames();
        assertThat(exported).contains("strand_requests_total", "strand_request_latency_seconds_bucket",
                "strand_partition_log_size_bytes", "jvm_gc_collection_seconds_sum");

        List<String> queries = new ArrayList<>();
        int panelsWithQueries = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.get("targets")).as("targets of panel '%s'", panel.get("title").asText()).isNotEmpty();
            panelsWithQueries++;
            for (JsonNode target : panel.get("targets")) {
                queries.add(target.get("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            if (variable.get("type").asText().equals("query")) {
                queries.add(variable.get("definition").asText());
            }
        }
        assertThat(panelsWithQueries).isGreaterThanOrEqualTo(20);

        Set<String> used = new TreeSet<>();
        for (String query : queries) {
            Set<String> names = metricNames(query);
            assertThat(names).as("metrics named by %s", query).isNotEmpty();
            assertThat(exported).as("metrics named by %s", query).containsAll(names);
            used.addAll(names);
        }
        // The panels the docs promise: throughput, requests, URP/offline, ISR churn, controller, lag, sizes, JVM.
        assertThat(used).contains("strand_topic_bytes_in_total", "strand_topic_bytes_out_total",
                "strand_request_latency_seconds_bucket", "strand_request_errors_total",
                "strand_replica_under_replicated_partitions", "strand_controller_offline_partitions",
                "strand_isr_shrinks_total", "strand_isr_expands_total", "strand_controller_active",
                "strand_consumergroup_lag", "strand_partition_log_size_bytes", "jvm_memory_used_bytes",
                "jvm_gc_collection_seconds_sum");
    }

    @Test
    void theDatasourceIsAVariable() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.get("templating").get("list").get(0).get("type").asText()).isEqualTo("datasource");
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.get("datasource").get("uid").asText()).isEqualTo("${datasource}");
            }
        }
    }

    @Test
    void metricNamesAreFoundBesideFunctionsLabelsAndRanges() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, api) (rate(a_b_bucket{api=\"x\", "
                + "instance=~\"$instance\"}[$__rate_interval])))")).containsExactly("a_b_bucket");
        assertThat(metricNames("sum(x_total) / ignoring(le) sum without (gc) (y)")).containsExactly("x_total", "y");
        assertThat(metricNames("label_values(strand_node_ready, instance)")).containsExactly("strand_node_ready");
    }

    /** The metric names in a PromQL query (or a Grafana label_values(metric, label) call). */
    static Set<String> metricNames(String query) {
        String q = query.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"") // string literals
                .replaceAll("\\{[^}]*}", " ") // label matchers
                .replaceAll("\\[[^]]*]", " ") // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", "$1");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(q);
        while (m.find()) {
            String word = m.group();
            int after = m.end();
            while (after < q.length() && q.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < q.length() && q.charAt(after) == '(';
            boolean number = m.start() > 0 && Character.isDigit(q.charAt(m.start() - 1));
            if (!function && !number && !KEYWORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    /** The names of the samples a node's registry exposes, as Prometheus stores them. */
    private static Set<String> exportedNames() {
        PrometheusRegistry registry = new PrometheusRegistry();
        new PrometheusBrokerMetrics(registry);
        NodeGauges.register(registry, () -> null, new NodeReadiness());
        JvmGauges.register(registry);
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            if (snapshot instanceof CounterSnapshot) {
                names.add(name + "_total");
            } else if (snapshot instanceof HistogramSnapshot || snapshot instanceof SummarySnapshot) {
                names.addAll(List.of(name, name + "_bucket", name + "_sum", name + "_count"));
            } else if (snapshot instanceof InfoSnapshot) {
                names.add(name + "_info");
            } else {
                names.add(name);
            }
        }
        return names;
    }
}
