package io.strand.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.strand.broker.BrokerServer;
import io.strand.broker.BrokerServer.HostedPartition;
import java.util.List;
import java.util.function.Supplier;

/**
 * The gauges read from the partitions this broker hosts, all from one read of them per scrape
 * ({@link BrokerServer#hostedPartitions}, which walks the replica manager's partitions):
 *
 * <ul>
 *   <li>per partition ({@code topic}, {@code partition}): {@code strand_partition_log_end_offset},
 *       {@code strand_partition_log_start_offset}, {@code strand_partition_high_watermark} and
 *       {@code strand_partition_log_size_bytes}, the label set of a partition built once for the four;</li>
 *   <li>per broker, as Kafka's {@code ReplicaManager} reports them: {@code strand_replica_partitions},
 *       {@code strand_replica_leader_partitions}, and of the partitions it leads
 *       {@code strand_replica_under_replicated_partitions} (ISR smaller than the replica set),
 *       {@code strand_replica_under_min_isr_partitions} and {@code strand_replica_at_min_isr_partitions}.</li>
 * </ul>
 *
 * <p>Before the broker has started the per-partition families have no series and the counts read 0.
 * Registered once per registry; thread-safe (each scrape reads anew).
 */
public final class HostedPartitionGauges implements MultiCollector {

    static final String LOG_END_OFFSET = "strand_partition_log_end_offset";
    static final String LOG_START_OFFSET = "strand_partition_log_start_offset";
    static final String HIGH_WATERMARK = "strand_partition_high_watermark";
    static final String LOG_SIZE = "strand_partition_log_size_bytes";
    static final String PARTITIONS = "strand_replica_partitions";
    static final String LEADERS = "strand_replica_leader_partitions";
    static final String UNDER_REPLICATED = "strand_replica_under_replicated_partitions";
    static final String UNDER_MIN_ISR = "strand_replica_under_min_isr_partitions";
    static final String AT_MIN_ISR = "strand_replica_at_min_isr_partitions";

    private final Supplier<BrokerServer> broker;

    private HostedPartitionGauges(Supplier<BrokerServer> broker) {
        this.broker = broker;
    }

    /** Registers the gauges in {@code registry}; {@code broker} gives the started server, or null before. */
    public static void register(PrometheusRegistry registry, Supplier<BrokerServer> broker) {
        registry.register(new HostedPartitionGauges(broker));
    }

    @Override
    public MetricSnapshots collect() {
        BrokerServer server = broker.get();
        return snapshots(server == null ? List.of() : server.hostedPartitions());
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(LOG_END_OFFSET, LOG_START_OFFSET, HIGH_WATERMARK, LOG_SIZE, PARTITIONS, LEADERS,
                UNDER_REPLICATED, UNDER_MIN_ISR, AT_MIN_ISR);
    }

    /** The nine families of {@code hosted}, counted in one pass. */
    static MetricSnapshots snapshots(List<HostedPartition> hosted) {
        GaugeSnapshot.Builder logEnd = GaugeSnapshot.builder().name(LOG_END_OFFSET)
                .help("Offset after the last record of the partition's log on this broker");
        GaugeSnapshot.Builder logStart = GaugeSnapshot.builder().name(LOG_START_OFFSET)
                .help("First offset of the partition's log on this broker");
        GaugeSnapshot.Builder highWatermark = GaugeSnapshot.builder().name(HIGH_WATERMARK)
                .help("The partition's high watermark on this broker");
        GaugeSnapshot.Builder size = GaugeSnapshot.builder().name(LOG_SIZE).unit(Unit.BYTES)
                .help("Bytes of the partition's log segments on this broker");
        int leaders = 0;
        int underReplicated = 0;
        int underMinIsr = 0;
        int atMinIsr = 0;
        for (HostedPartition p : hosted) {
            Labels labels = Labels.of("topic", p.topic(), "partition", Integer.toString(p.partition()));
            logEnd.dataPoint(point(labels, p.logEndOffset()));
            logStart.dataPoint(point(labels, p.logStartOffset()));
            highWatermark.dataPoint(point(labels, p.highWatermark()));
            size.dataPoint(point(labels, p.sizeBytes()));
            leaders += p.leader() ? 1 : 0;
            underReplicated += p.underReplicated() ? 1 : 0;
            underMinIsr += p.underMinIsr() ? 1 : 0;
            atMinIsr += p.atMinIsr() ? 1 : 0;
        }
        return MetricSnapshots.of(logEnd.build(), logStart.build(), highWatermark.build(), size.build(),
                count(PARTITIONS, "Partitions this broker hosts (leader or follower)", hosted.size()),
                count(LEADERS, "Partitions this broker leads", leaders),
                count(UNDER_REPLICATED, "Partitions this broker leads whose ISR is smaller than their replica set",
                        underReplicated),
                count(UNDER_MIN_ISR, "Partitions this broker leads with fewer in-sync replicas than"
                        + " min.insync.replicas", underMinIsr),
                count(AT_MIN_ISR, "Partitions this broker leads with exactly min.insync.replicas in sync", atMinIsr));
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, long value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeSnapshot count(String name, String help, int value) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
