package io.strand.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.strand.broker.BrokerServer;
import io.strand.coordinator.group.CommittedOffset;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer-group positions, read when scraped: {@code strand_consumergroup_committed_offset} and
 * {@code strand_consumergroup_lag} ({@code group}, {@code topic}, {@code partition}) for every offset
 * committed to the groups this node coordinates (see {@link ConsumerLag}; a group is reported by its
 * coordinator only, so a sum over the nodes counts each once). The lag series of a partition this node
 * hosts no replica of is left out (its high watermark is not known here); its committed offset is
 * still reported.
 *
 * <p>One collector for both families, so that a scrape reads the committed offsets once: on the group
 * coordinator's threads, waiting for them at most {@link #READ_TIMEOUT_MS} and otherwise reporting no
 * consumer-group series. Thread-safe (each scrape reads anew).
 */
public final class ConsumerLagGauges implements MultiCollector {

    /** How long a scrape waits for the coordinator's shards to hand over their committed offsets. */
    static final long READ_TIMEOUT_MS = 2_000;
    static final String COMMITTED_OFFSET = "strand_consumergroup_committed_offset";
    static final String LAG = "strand_consumergroup_lag";

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagGauges.class);

    private final Supplier<BrokerServer> broker;

    private ConsumerLagGauges(Supplier<BrokerServer> broker) {
        this.broker = broker;
    }

    /** Registers the gauges in {@code registry}; {@code broker} gives the started server, or null before. */
    public static void register(PrometheusRegistry registry, Supplier<BrokerServer> broker) {
        registry.register(new ConsumerLagGauges(broker));
    }

    @Override
    public MetricSnapshots collect() {
        return snapshots(read(broker.get()));
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(COMMITTED_OFFSET, LAG);
    }

    /** The two families of {@code rows}: every committed offset, and the lag where it is known. */
    static MetricSnapshots snapshots(List<ConsumerLag> rows) {
        GaugeSnapshot.Builder committed = GaugeSnapshot.builder().name(COMMITTED_OFFSET)
                .help("A consumer group's committed offset of a partition (groups this node coordinates)");
        GaugeSnapshot.Builder lag = GaugeSnapshot.builder().name(LAG)
                .help("High watermark minus the group's committed offset, for partitions hosted on the group's"
                        + " coordinator");
        for (ConsumerLag row : rows) {
            Labels labels = Labels.of("group", row.group(), "topic", row.topic(), "partition",
                    Integer.toString(row.partition()));
            committed.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels)
                    .value(row.committedOffset()).build());
            if (row.lag() != ConsumerLag.UNKNOWN) {
                lag.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(row.lag()).build());
            }
        }
        return MetricSnapshots.of(committed.build(), lag.build());
    }

    private static List<ConsumerLag> read(BrokerServer server) {
        if (server == null) {
            return List.of();
        }
        List<CommittedOffset> committed;
        try {
            committed = server.committedOffsets().get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Consumer-group offsets not read within {} ms: no consumer-group series in this scrape",
                    READ_TIMEOUT_MS);
            return List.of();
        } catch (ExecutionException e) {
            LOG.warn("Consumer-group offsets not read: no consumer-group series in this scrape", e.getCause());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        return ConsumerLag.of(committed, server.hostedPartitions());
    }
}
