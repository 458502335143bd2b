package io.strand.server.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
 * <p>The committed offsets are read on the group coordinator's threads; a scrape waits for them at
 * most {@link #READ_TIMEOUT_MS} and otherwise reports no consumer-group series. Thread-safe.
 */
public final class ConsumerLagGauges {

    /** How long a scrape waits for the coordinator's shards to hand over their committed offsets. */
    static final long READ_TIMEOUT_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagGauges.class);

    private ConsumerLagGauges() {
    }

    /** Registers the gauges in {@code registry}; {@code broker} gives the started server, or null before. */
    public static void register(PrometheusRegistry registry, Supplier<BrokerServer> broker) {
        GaugeWithCallback.builder().name("strand_consumergroup_committed_offset")
                .help("A consumer group's committed offset of a partition (groups this node coordinates)")
                .labelNames("group", "topic", "partition").callback(cb -> {
                    for (ConsumerLag row : read(broker.get())) {
                        cb.call(row.committedOffset(), row.group(), row.topic(), Integer.toString(row.partition()));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("strand_consumergroup_lag")
                .help("High watermark minus the group's committed offset, for partitions hosted on the group's"
                        + " coordinator")
                .labelNames("group", "topic", "partition").callback(cb -> {
                    for (ConsumerLag row : read(broker.get())) {
                        if (row.lag() != ConsumerLag.UNKNOWN) {
                            cb.call(row.lag(), row.group(), row.topic(), Integer.toString(row.partition()));
                        }
                    }
                }).register(registry);
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
