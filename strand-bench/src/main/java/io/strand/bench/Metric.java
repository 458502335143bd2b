package io.strand.bench;

import java.util.Optional;

/**
 * Every figure the benchmark reports, in the order of the table's rows. {@link #key} names it in
 * JSON; {@link #higherIsBetter} says which way a Strand/Kafka ratio above 1 points;
 * {@link #resolution} is the smallest step the tool reports (the latency percentiles come in whole
 * milliseconds), below which a value reads "&lt; 1" and no ratio is drawn.
 */
enum Metric {
    STARTUP_MS("startup_ms", "start-up: process start to first Metadata answer", "ms", false),
    /**
     * Kafka started from a class-data archive recorded from Kafka itself (the harness records it once
     * per run); the Strand column repeats Strand's start-up, so the ratio compares like with like.
     */
    STARTUP_KAFKA_APPCDS_MS("startup_kafka_appcds_ms", "start-up, Kafka with an AppCDS archive of its own", "ms",
            false),
    IDLE_RSS_MIB("idle_rss_mib", "resident memory, idle after start", "MiB", false),
    LOAD_RSS_MIB("load_rss_mib", "resident memory, peak while producing", "MiB", false),
    PRODUCE_SMALL_RECORDS_PER_SEC("produce_100b_acks1_records_per_sec",
            "produce 100 B records, acks=1, 6 partitions", "records/s", true),
    PRODUCE_SMALL_MB_PER_SEC("produce_100b_acks1_mb_per_sec", "produce 100 B records, acks=1, 6 partitions",
            "MB/s", true),
    PRODUCE_SMALL_P99_MS("produce_100b_acks1_p99_ms", "produce 100 B records, acks=1: send latency p99", "ms", false,
            Resolution.WHOLE_MS),
    PRODUCE_SMALL_CPU_S_PER_GB("produce_100b_acks1_cpu_s_per_gb", "broker CPU per GB produced, 100 B, acks=1",
            "CPU s/GB", false),
    PRODUCE_LARGE_RECORDS_PER_SEC("produce_1kib_acksall_records_per_sec",
            "produce 1 KiB records, acks=all, 6 partitions", "records/s", true),
    PRODUCE_LARGE_MB_PER_SEC("produce_1kib_acksall_mb_per_sec", "produce 1 KiB records, acks=all, 6 partitions",
            "MB/s", true),
    PRODUCE_LARGE_P99_MS("produce_1kib_acksall_p99_ms", "produce 1 KiB records, acks=all: send latency p99", "ms",
            false, Resolution.WHOLE_MS),
    PRODUCE_LARGE_CPU_S_PER_GB("produce_1kib_acksall_cpu_s_per_gb", "broker CPU per GB produced, 1 KiB, acks=all",
            "CPU s/GB", false),
    END_TO_END_AVG_MS("e2e_avg_ms", "end-to-end latency (EndToEndLatency), average", "ms", false),
    END_TO_END_P50_MS("e2e_p50_ms", "end-to-end latency p50", "ms", false, Resolution.WHOLE_MS),
    END_TO_END_P99_MS("e2e_p99_ms", "end-to-end latency p99", "ms", false, Resolution.WHOLE_MS),
    END_TO_END_P999_MS("e2e_p999_ms", "end-to-end latency p99.9", "ms", false, Resolution.WHOLE_MS),
    CONSUME_MB_PER_SEC("consume_mb_per_sec", "consume 100 B records (ConsumerPerformance, one group member)",
            "MB/s", true),
    CONSUME_RECORDS_PER_SEC("consume_records_per_sec",
            "consume 100 B records (ConsumerPerformance, one group member)", "records/s", true),
    CONSUME_LARGE_MB_PER_SEC("consume_1kib_mb_per_sec",
            "consume 1 KiB records (ConsumerPerformance, one group member)", "MB/s", true),
    CONSUME_LARGE_RECORDS_PER_SEC("consume_1kib_records_per_sec",
            "consume 1 KiB records (ConsumerPerformance, one group member)", "records/s", true),
    /** {@link NoisyNeighbour}: the light client's latency while heavy producers fsync every append. */
    NOISY_LIGHT_P50_MS("noisy_light_p50_ms",
            "noisy neighbour: light client's 100 B acks=1 send p50, beside flush.messages=1 producers", "ms", false),
    NOISY_LIGHT_P99_MS("noisy_light_p99_ms",
            "noisy neighbour: light client's 100 B acks=1 send p99, beside flush.messages=1 producers", "ms", false),
    NOISY_HEAVY_RECORDS_PER_SEC("noisy_heavy_records_per_sec",
            "noisy neighbour: heavy producers' 1 KiB records acknowledged, flush.messages=1", "records/s", true),
    /**
     * {@link TransactionalProduce}: one transactional producer, transactions of 100 records back to back;
     * the issue that asked for it sets a target of at least 1.3× Kafka's throughput, which the label carries.
     */
    TXN_PRODUCE_RECORDS_PER_SEC("txn_produce_1kib_acksall_records_per_sec",
            "transactional produce 1 KiB records, acks=all, 100 per transaction, 6 partitions (target ≥ 1.3×)",
            "records/s", true, Section.TRANSACTIONS),
    TXN_PRODUCE_MB_PER_SEC("txn_produce_1kib_acksall_mb_per_sec",
            "transactional produce 1 KiB records, acks=all, 100 per transaction, 6 partitions (target ≥ 1.3×)",
            "MB/s", true, Section.TRANSACTIONS),
    /**
     * {@link TlsRun}: one node each with an SSL listener; 1 KiB records produced over TLS, then read back over
     * TLS and, for reference, over plaintext. Issue 14 sets a target of at least 1.3× Kafka's throughput.
     */
    TLS_PRODUCE_MB_PER_SEC("tls_produce_1kib_acks1_mb_per_sec",
            "produce 1 KiB records over TLS, acks=1, 1 partition (target ≥ 1.3×)", "MB/s", true, Section.TLS),
    TLS_PRODUCE_CPU_S_PER_GB("tls_produce_1kib_acks1_cpu_s_per_gb",
            "broker CPU per GB produced over TLS", "CPU s/GB", false, Section.TLS),
    TLS_CONSUME_MB_PER_SEC("tls_consume_1kib_fetch_mb_per_sec",
            "consume 1 KiB records over TLS, while fetching (target ≥ 1.3×)", "MB/s", true, Section.TLS),
    TLS_CONSUME_CPU_S_PER_GB("tls_consume_1kib_cpu_s_per_gb",
            "broker CPU per GB consumed over TLS", "CPU s/GB", false, Section.TLS),
    TLS_CONSUME_CLIENT_CPU_S_PER_GB("tls_consume_1kib_client_cpu_s_per_gb",
            "consumer JVM CPU per GB consumed over TLS (same client for both)", "CPU s/GB", false, Section.TLS),
    TLS_CONSUME_PLAIN_MB_PER_SEC("tls_consume_1kib_plaintext_fetch_mb_per_sec",
            "consume the same records over plaintext, while fetching (reference)", "MB/s", true, Section.TLS),
    /**
     * {@link KcatConsume}: the same records read over TLS by librdkafka (kcat), whose per-byte cost is a
     * fraction of the Java consumer's, so the brokers' difference shows; then over plaintext (reference).
     */
    TLS_KCAT_CONSUME_MB_PER_SEC("tls_consume_1kib_kcat_fetch_mb_per_sec",
            "consume 1 KiB records over TLS with librdkafka (kcat), while fetching (target ≥ 1.3×)", "MB/s", true,
            Section.TLS),
    TLS_KCAT_CONSUME_CPU_S_PER_GB("tls_consume_1kib_kcat_cpu_s_per_gb",
            "broker CPU per GB consumed over TLS by librdkafka (kcat)", "CPU s/GB", false, Section.TLS),
    TLS_KCAT_CONSUME_CLIENT_CPU_S_PER_GB("tls_consume_1kib_kcat_client_cpu_s_per_gb",
            "kcat CPU per GB consumed over TLS (same client for both)", "CPU s/GB", false, Section.TLS),
    TLS_KCAT_CONSUME_PLAIN_MB_PER_SEC("tls_consume_1kib_kcat_plaintext_fetch_mb_per_sec",
            "consume the same records over plaintext with librdkafka (kcat), while fetching (reference)", "MB/s",
            true, Section.TLS),
    /**
     * {@link ShareConsume}: three share consumers of one group read one partition's records; issue 16 sets a
     * target of at least 1.3× Kafka's throughput.
     */
    SHARE_CONSUME_RECORDS_PER_SEC("share_consume_1kib_records_per_sec",
            "share group: 3 KafkaShareConsumers, 1 partition, 1 KiB records, implicit acks (target ≥ 1.3×)",
            "records/s", true, Section.SHARE),
    SHARE_CONSUME_MB_PER_SEC("share_consume_1kib_mb_per_sec",
            "share group: 3 KafkaShareConsumers, 1 partition, 1 KiB records, implicit acks (target ≥ 1.3×)",
            "MB/s", true, Section.SHARE),
    SHARE_CONSUME_CPU_S_PER_GB("share_consume_1kib_cpu_s_per_gb", "broker CPU per GB consumed by the share group",
            "CPU s/GB", false, Section.SHARE),
    /**
     * The same read from the first record delivered to the last: the group join (the member's first heartbeats,
     * share state initialized, the first assignment after the 1 s assignment interval, as Kafka does) left out.
     */
    SHARE_CONSUME_FETCHING_RECORDS_PER_SEC("share_consume_1kib_fetching_records_per_sec",
            "the same, while fetching (first record delivered to the last)", "records/s", true, Section.SHARE),
    /** The same read's join: from the consumers' creation to the first record delivered. */
    SHARE_CONSUME_FIRST_RECORD_MS("share_consume_1kib_first_record_ms",
            "the same, consumers' creation to the first record delivered (the group join)", "ms", false, Section.SHARE),
    /** {@link ReplicatedRun}: three nodes, topics with 3 replicas and min.insync.replicas=2. */
    REPLICATED_PRODUCE_RECORDS_PER_SEC("replicated_produce_1kib_acksall_records_per_sec",
            "produce 1 KiB records, acks=all, 6 partitions", "records/s", true, Section.REPLICATED),
    REPLICATED_PRODUCE_MB_PER_SEC("replicated_produce_1kib_acksall_mb_per_sec",
            "produce 1 KiB records, acks=all, 6 partitions", "MB/s", true, Section.REPLICATED),
    REPLICATED_PRODUCE_P99_MS("replicated_produce_1kib_acksall_p99_ms",
            "produce 1 KiB records, acks=all: send latency p99", "ms", false, Resolution.WHOLE_MS, Section.REPLICATED),
    REPLICATED_PRODUCE_CPU_S_PER_GB("replicated_produce_1kib_acksall_cpu_s_per_gb",
            "CPU of the three nodes per GB produced, 1 KiB, acks=all", "CPU s/GB", false, Section.REPLICATED),
    REPLICATED_END_TO_END_AVG_MS("replicated_e2e_avg_ms", "end-to-end latency, acks=all, average", "ms", false,
            Section.REPLICATED),
    REPLICATED_END_TO_END_P50_MS("replicated_e2e_p50_ms", "end-to-end latency, acks=all, p50", "ms", false,
            Resolution.WHOLE_MS, Section.REPLICATED),
    REPLICATED_END_TO_END_P99_MS("replicated_e2e_p99_ms", "end-to-end latency, acks=all, p99", "ms", false,
            Resolution.WHOLE_MS, Section.REPLICATED),
    REPLICATED_END_TO_END_P999_MS("replicated_e2e_p999_ms", "end-to-end latency, acks=all, p99.9", "ms", false,
            Resolution.WHOLE_MS, Section.REPLICATED),
    /** {@link FailoverProbe}: the median over the kills of one round is the round's sample. */
    REPLICATED_FAILOVER_MS("replicated_failover_ms",
            "failover: leader killed (kill -9) to the next acks=all send acknowledged, median of the kills", "ms",
            false, Section.REPLICATED);

    /** Which table of the report a metric belongs to. */
    enum Section {
        SINGLE_NODE(""),
        TRANSACTIONS("transactional produce (one node each, Kafka's Java producer with a transactional.id)"),
        TLS("TLS (one node each with an SSL listener; Kafka's tools and kcat over TLS)"),
        SHARE("share groups (one node each, Kafka's KafkaShareConsumer in the harness JVM)"),
        REPLICATED("replicated (3 nodes, RF 3, min.insync.replicas=2)");

        private final String title;

        Section(String title) {
            this.title = title;
        }

        /** The heading of the section's table; empty for the first table, which has none. */
        String title() {
            return title;
        }
    }

    private final String key;
    private final String label;
    private final String unit;
    private final boolean higherIsBetter;
    private final double resolution;
    private final Section section;

    Metric(String key, String label, String unit, boolean higherIsBetter) {
        this(key, label, unit, higherIsBetter, Resolution.CONTINUOUS, Section.SINGLE_NODE);
    }

    Metric(String key, String label, String unit, boolean higherIsBetter, double resolution) {
        this(key, label, unit, higherIsBetter, resolution, Section.SINGLE_NODE);
    }

    Metric(String key, String label, String unit, boolean higherIsBetter, Section section) {
        this(key, label, unit, higherIsBetter, Resolution.CONTINUOUS, section);
    }

    Metric(String key, String label, String unit, boolean higherIsBetter, double resolution, Section section) {
        this.key = key;
        this.label = label;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
        this.resolution = resolution;
        this.section = section;
    }

    Section section() {
        return section;
    }

    /** The smallest non-zero value the tool reports; 0 for continuous values. */
    double resolution() {
        return resolution;
    }

    /** The metric of a JSON key, as written by any version of the report; empty for a key no longer used. */
    static Optional<Metric> ofKey(String key) {
        for (Metric metric : values()) {
            if (metric.key.equals(key)) {
                return Optional.of(metric);
            }
        }
        return Optional.empty();
    }

    String key() {
        return key;
    }

    String label() {
        return label;
    }

    String unit() {
        return unit;
    }

    boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Resolutions, outside the enum so that its constants can name them. */
    private static final class Resolution {
        static final double CONTINUOUS = 0;
        static final double WHOLE_MS = 1;
    }
}
