package io.strand.bench.jmh;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strand.broker.metrics.BrokerMetrics;
import io.strand.broker.metrics.TopicMetrics;
import io.strand.server.metrics.PrometheusBrokerMetrics;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What the broker's metrics add to one produce request and one fetch request, as the broker records
 * them ({@link BrokerMetrics}): a produce is the request's count and latency plus its topic's looked-up
 * data points' records and bytes in; a fetch, its count and latency plus bytes out. {@code metrics}
 * {@code prometheus} is what a node with its HTTP listener records into, {@code none} what one without
 * records into (nothing). Two threads share the metrics, as two network threads do. With
 * {@code -prof gc}, {@code gc.alloc.rate.norm} shows the bytes allocated per operation (0 expected).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Threads(2)
@Fork(1)
public class MetricsRecordingBenchmark {

    @Param({"prometheus", "none"})
    public String metrics;

    private BrokerMetrics recorder;
    private final String topic = new String("orders".toCharArray());

    @Setup
    public void setUp() {
        recorder = metrics.equals("none") ? BrokerMetrics.NONE : new PrometheusBrokerMetrics(new PrometheusRegistry());
        // Other topics in the map, as on a broker hosting several.
        for (int i = 0; i < 100; i++) {
            recorder.topic("topic-" + i).onAppended(1, 1);
        }
    }

    @Benchmark
    public void produceRequest() {
        recorder.onRequestCompleted(ApiKeys.PRODUCE, 1_234_567L);
        TopicMetrics t = recorder.topic(topic);
        t.onAppended(100, 16_384);
    }

    @Benchmark
    public void fetchRequest() {
        recorder.onRequestCompleted(ApiKeys.FETCH, 7_654_321L);
        recorder.topic(topic).onFetched(1_048_576);
    }
}
