package io.strand.bench;

/**
 * How much load each run generates. The record sizes, acks and partition counts are fixed by the
 * benchmark's definition; only the counts and the number of rounds differ between modes.
 *
 * @param rounds              rounds; each round runs both brokers, the first broker alternating
 * @param smallRecords        records of {@value #SMALL_RECORD_BYTES} bytes produced with acks=1
 *                            (and consumed back by ConsumerPerformance)
 * @param largeRecords        records of {@value #LARGE_RECORD_BYTES} bytes produced with acks=all
 * @param latencyRecords      records EndToEndLatency sends one at a time
 * @param toolTimeoutMs       the longest one load-generator run may take
 * @param noisyNeighbourMs    how long {@link NoisyNeighbour} measures its light client, after its warm-up
 * @param replicatedRecords   records of {@value #LARGE_RECORD_BYTES} bytes produced with acks=all to a
 *                            three-node cluster ({@link ReplicatedRun})
 * @param failoverKills       leader kills per round of the replicated workload
 * @param transactionalMs     how long {@link TransactionalProduce} begins and counts transactions, after
 *                            its warm-up
 * @param shareRecords        records of {@value #LARGE_RECORD_BYTES} bytes {@link ShareConsume} produces and its
 *                            share group reads
 */
record Workload(String mode, int rounds, long smallRecords, long largeRecords, int latencyRecords,
        long toolTimeoutMs, long noisyNeighbourMs, long replicatedRecords, int failoverKills, long transactionalMs,
        long shareRecords) {

    static final int SMALL_RECORD_BYTES = 100;
    static final int LARGE_RECORD_BYTES = 1024;
    static final int PARTITIONS = 6;
    /** EndToEndLatency times one record at a time, so its topic has one partition, as in Kafka's own use. */
    static final int LATENCY_PARTITIONS = 1;

    Workload {
        if (rounds < 1 || smallRecords < 1 || largeRecords < 1 || latencyRecords < 1 || toolTimeoutMs < 1
                || noisyNeighbourMs < 1 || replicatedRecords < 1 || failoverKills < 1 || transactionalMs < 1
                || shareRecords < 1 || shareRecords > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("workload counts must be positive rounds=" + rounds
                    + " smallRecords=" + smallRecords + " largeRecords=" + largeRecords
                    + " latencyRecords=" + latencyRecords + " toolTimeoutMs=" + toolTimeoutMs
                    + " noisyNeighbourMs=" + noisyNeighbourMs + " replicatedRecords=" + replicatedRecords
                    + " failoverKills=" + failoverKills + " transactionalMs=" + transactionalMs
                    + " shareRecords=" + shareRecords);
        }
    }

    /** Three rounds, about 300 MB and 500 MB produced per broker and round. */
    static Workload full(int rounds) {
        return new Workload("full", rounds, 3_000_000, 500_000, 10_000, 600_000, 30_000, 500_000, 3, 10_000, 500_000);
    }

    /**
     * One round with small counts: a try-out that finishes in a few minutes. Its replicated run sends
     * few records: it proves the harness, three JVMs per broker on a small machine measure little more.
     */
    static Workload quick() {
        return new Workload("quick", 1, 500_000, 100_000, 2_000, 120_000, 10_000, 20_000, 2, 5_000, 100_000);
    }

    /** This workload under another name (e.g. {@code quick-replicated}: which workloads a run measures). */
    Workload withMode(String newMode) {
        return new Workload(newMode, rounds, smallRecords, largeRecords, latencyRecords, toolTimeoutMs,
                noisyNeighbourMs, replicatedRecords, failoverKills, transactionalMs, shareRecords);
    }

    long smallBytes() {
        return smallRecords * SMALL_RECORD_BYTES;
    }

    long largeBytes() {
        return largeRecords * LARGE_RECORD_BYTES;
    }
}
