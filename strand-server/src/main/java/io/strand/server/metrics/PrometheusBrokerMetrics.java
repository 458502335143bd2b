package io.strand.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.strand.broker.metrics.BrokerMetrics;
import io.strand.broker.metrics.IsrChangeMetrics;
import io.strand.broker.metrics.TopicMetrics;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The broker's instrumentation points as Prometheus metrics (names and meanings: docs/METRICS.md):
 * {@code strand_requests_total{api}}, {@code strand_request_latency_seconds{api}} (a classic
 * histogram), {@code strand_request_errors_total{api,error}}, and per topic
 * {@code strand_topic_bytes_in_total}, {@code strand_topic_records_in_total},
 * {@code strand_topic_bytes_out_total}; {@code strand_isr_shrinks_total} and
 * {@code strand_isr_expands_total}.
 *
 * <p>The hot paths do not allocate: an API's data points are created on its first request and kept
 * in arrays indexed by the API key's id (two threads creating one at once get the same data point
 * from the client library, so the race is benign); a topic's are created when it is first seen and
 * kept in a map looked up by name. The client's counters are adders, its histograms lock-free.
 * Series of a deleted topic stay until the node restarts. Thread-safe.
 */
public final class PrometheusBrokerMetrics implements BrokerMetrics {

    /** Request latency buckets in seconds: sub-millisecond appends up to fetch long polls (max.wait.ms). */
    static final double[] LATENCY_BUCKETS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1, 2.5, 5, 10, 30};

    private static final int API_SLOTS = maxApiId() + 1;
    private static final int ERROR_SLOTS = maxErrorCode() + 2; // index = code + 1 (UNKNOWN_SERVER_ERROR is -1)

    private final Counter requests;
    private final Histogram latency;
    private final Counter errors;
    private final Counter bytesIn;
    private final Counter recordsIn;
    private final Counter bytesOut;
    private final IsrChangeMetrics isrChanges;
    private final CounterDataPoint[] requestPoints = new CounterDataPoint[API_SLOTS];
    private final DistributionDataPoint[] latencyPoints = new DistributionDataPoint[API_SLOTS];
    private final CounterDataPoint[][] errorPoints = new CounterDataPoint[API_SLOTS][];
    private final ConcurrentHashMap<String, Topic> topics = new ConcurrentHashMap<>();

    /** Creates the metrics and registers them in {@code registry}. */
    public PrometheusBrokerMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("strand_requests").help("Requests answered, by API")
                .labelNames("api").withoutExemplars().register(registry);
        latency = Histogram.builder().name("strand_request_latency_seconds")
                .help("Time from a request's arrival until its response is handed to the connection, by API")
                .unit(Unit.SECONDS).labelNames("api").classicOnly().classicUpperBounds(LATENCY_BUCKETS_SECONDS)
                .withoutExemplars().register(registry);
        errors = Counter.builder().name("strand_request_errors")
                .help("Errors answered, by API and Kafka error name: a failed request, or one partition of a"
                        + " Produce or Fetch")
                .labelNames("api", "error").withoutExemplars().register(registry);
        bytesIn = Counter.builder().name("strand_topic_bytes_in")
                .help("Bytes of produced record batches appended to this broker's leader logs, by topic")
                .labelNames("topic").withoutExemplars().register(registry);
        recordsIn = Counter.builder().name("strand_topic_records_in")
                .help("Records produced and appended to this broker's leader logs, by topic")
                .labelNames("topic").withoutExemplars().register(registry);
        bytesOut = Counter.builder().name("strand_topic_bytes_out")
                .help("Record bytes sent to consumers in fetch responses, by topic (replication excluded)")
                .labelNames("topic").withoutExemplars().register(registry);
        CounterDataPoint shrinks = Counter.builder().name("strand_isr_shrinks")
                .help("ISR shrinks of partitions led by this broker that the controller accepted")
                .withoutExemplars().register(registry);
        CounterDataPoint expands = Counter.builder().name("strand_isr_expands")
                .help("ISR expansions of partitions led by this broker that the controller accepted")
                .withoutExemplars().register(registry);
        isrChanges = new IsrChangeMetrics() {
            @Override
            public void onShrink() {
                shrinks.inc();
            }

            @Override
            public void onExpand() {
                expands.inc();
            }
        };
    }

    @Override
    public void onRequestCompleted(ApiKeys api, long latencyNs) {
        int slot = api.id;
        CounterDataPoint count = requestPoints[slot];
        DistributionDataPoint time = latencyPoints[slot];
        if (count == null || time == null) {
            count = requests.labelValues(api.name);
            time = latency.labelValues(api.name);
            requestPoints[slot] = count;
            latencyPoints[slot] = time;
        }
        count.inc();
        time.observe(latencyNs / 1e9);
    }

    @Override
    public void onRequestError(ApiKeys api, Errors error) {
        CounterDataPoint[] byError = errorPoints[api.id];
        if (byError == null) {
            byError = new CounterDataPoint[ERROR_SLOTS];
            errorPoints[api.id] = byError;
        }
        int slot = error.code() + 1;
        if (slot < 0 || slot >= byError.length) {
            errors.labelValues(api.name, error.name()).inc();
            return;
        }
        CounterDataPoint point = byError[slot];
        if (point == null) {
            point = errors.labelValues(api.name, error.name());
            byError[slot] = point;
        }
        point.inc();
    }

    @Override
    public TopicMetrics topic(String topic) {
        Topic found = topics.get(topic);
        return found != null ? found : topics.computeIfAbsent(topic, Topic::new);
    }

    @Override
    public IsrChangeMetrics isrChanges() {
        return isrChanges;
    }

    /** One topic's data points, looked up once. */
    private final class Topic implements TopicMetrics {
        private final CounterDataPoint bytesInPoint;
        private final CounterDataPoint recordsInPoint;
        private final CounterDataPoint bytesOutPoint;

        Topic(String name) {
            bytesInPoint = bytesIn.labelValues(name);
            recordsInPoint = recordsIn.labelValues(name);
            bytesOutPoint = bytesOut.labelValues(name);
        }

        @Override
        public void onAppended(int records, long bytes) {
            recordsInPoint.inc(records);
            bytesInPoint.inc(bytes);
        }

        @Override
        public void onFetched(long bytes) {
            bytesOutPoint.inc(bytes);
        }
    }

    private static int maxApiId() {
        int max = 0;
        for (ApiKeys key : ApiKeys.values()) {
            max = Math.max(max, key.id);
        }
        return max;
    }

    private static int maxErrorCode() {
        int max = 0;
        for (Errors error : Errors.values()) {
            max = Math.max(max, error.code());
        }
        return max;
    }
}
