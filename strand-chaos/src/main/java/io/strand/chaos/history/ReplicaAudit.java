package io.strand.chaos.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What every node's copy of a topic's partitions holds on disk, batch by batch (offsets, producer id,
 * epoch and sequences, leader epoch, CRC), read from the segment files once the load has stopped, and
 * two findings that a history cannot show:
 * <ul>
 *   <li><b>divergences</b>: two replicas holding different batches below the end both have (a follower
 *       that has not fetched since the heal may still hold a tail its leader does not; the finding says
 *       which offsets and nodes, a person judges);
 *   <li><b>sequence breaks</b>: a batch of an idempotent producer that does not continue that producer's
 *       previous batch in the same log (a new epoch, or sequences not following the last ones), which is
 *       how a duplicate written by the broker (same epoch, sequences seen before) is told from one the
 *       client wrote again after bumping its epoch.
 * </ul>
 * Both systems write Kafka's segment format, so the same reading serves Strand and Apache Kafka.
 * Immutable once read.
 */
public final class ReplicaAudit implements BatchOrigins {

    /** One batch of one node's copy of a partition. */
    public record Batch(int node, int partition, long baseOffset, long lastOffset, long producerId,
                        short producerEpoch, int baseSequence, int lastSequence, int leaderEpoch, long crc) {

        /** Whether another replica's batch is the same batch (everything but the node). */
        boolean sameAs(Batch other) {
            return baseOffset == other.baseOffset && lastOffset == other.lastOffset && producerId == other.producerId
                    && producerEpoch == other.producerEpoch && baseSequence == other.baseSequence
                    && leaderEpoch == other.leaderEpoch && crc == other.crc;
        }

        String describe() {
            return "[" + baseOffset + ".." + lastOffset + "] " + (producerId < 0 ? "no producer id"
                    : "pid " + producerId + " epoch " + producerEpoch + " seq " + baseSequence + ".." + lastSequence)
                    + " leaderEpoch " + leaderEpoch;
        }
    }

    private final Map<Integer, Map<Integer, List<Batch>>> byPartitionThenNode;

    private ReplicaAudit(Map<Integer, Map<Integer, List<Batch>>> byPartitionThenNode) {
        this.byPartitionThenNode = byPartitionThenNode;
    }

    /**
     * Reads {@code topic}'s partitions from each node's log directory ({@code <logDir>/<topic>-<p>/*.log});
     * a node without a copy of a partition is left out of it. A torn batch at a file's end is not read.
     */
    public static ReplicaAudit read(Map<Integer, Path> logDirs, String topic, int partitions) {
        Map<Integer, Map<Integer, List<Batch>>> out = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            Map<Integer, List<Batch>> nodes = new TreeMap<>();
            for (Map.Entry<Integer, Path> node : logDirs.entrySet()) {
                Path dir = node.getValue().resolve(topic + "-" + p);
                if (Files.isDirectory(dir)) {
                    nodes.put(node.getKey(), readPartition(node.getKey(), p, dir));
                }
            }
            out.put(p, nodes);
        }
        return new ReplicaAudit(out);
    }

    private static List<Batch> readPartition(int node, int partition, Path dir) {
        List<Batch> batches = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path segment : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(segment)));
                for (MutableRecordBatch b : records.batches()) {
                    batches.add(new Batch(node, partition, b.baseOffset(), b.lastOffset(), b.producerId(),
                            b.producerEpoch(), b.baseSequence(), b.lastSequence(), b.partitionLeaderEpoch(),
                            b.checksum()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log of partition " + partition + " in " + dir, e);
        }
        return batches;
    }

    /** Each node's batches of {@code partition}, by node id. */
    public Map<Integer, List<Batch>> partition(int partition) {
        return byPartitionThenNode.getOrDefault(partition, Map.of());
    }

    /**
     * Where two replicas hold different batches below the end both have (at most {@code limit} lines,
     * the first of each partition and node pair).
     */
    public List<String> divergences(int limit) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<Integer, Map<Integer, List<Batch>>> partition : byPartitionThenNode.entrySet()) {
            List<Integer> nodes = new ArrayList<>(partition.getValue().keySet());
            for (int i = 0; i < nodes.size(); i++) {
                for (int j = i + 1; j < nodes.size(); j++) {
                    String difference = firstDifference(partition.getValue().get(nodes.get(i)),
                            partition.getValue().get(nodes.get(j)));
                    if (difference != null && found.size() < limit) {
                        found.add("p" + partition.getKey() + " nodes " + nodes.get(i) + " and " + nodes.get(j)
                                + " differ: " + difference);
                    }
                }
            }
        }
        return found;
    }

    private static String firstDifference(List<Batch> a, List<Batch> b) {
        long commonEnd = Math.min(end(a), end(b));
        Map<Long, Batch> byOffset = new HashMap<>();
        for (Batch batch : b) {
            byOffset.put(batch.baseOffset(), batch);
        }
        long firstOfB = b.isEmpty() ? Long.MAX_VALUE : b.get(0).baseOffset();
        for (Batch batch : a) {
            if (batch.lastOffset() >= commonEnd) {
                break;
            }
            if (batch.baseOffset() < firstOfB) {
                continue; // below the other's log start
            }
            Batch other = byOffset.get(batch.baseOffset());
            if (other == null || !batch.sameAs(other)) {
                return "node " + batch.node() + " has " + batch.describe() + ", node "
                        + (other == null ? "the other has no batch starting there" : other.node() + " has "
                        + other.describe());
            }
        }
        return null;
    }

    private static long end(List<Batch> batches) {
        return batches.isEmpty() ? 0 : batches.get(batches.size() - 1).lastOffset() + 1;
    }

    /**
     * Batches of idempotent producers that do not continue the producer's previous batch in the same
     * node's log: a new epoch, or a first sequence other than the last one plus one (at most
     * {@code limit} lines).
     */
    public List<String> sequenceBreaks(int limit) {
        List<String> found = new ArrayList<>();
        for (Map.Entry<Integer, Map<Integer, List<Batch>>> partition : byPartitionThenNode.entrySet()) {
            for (Map.Entry<Integer, List<Batch>> node : partition.getValue().entrySet()) {
                Map<Long, Batch> lastOfProducer = new HashMap<>();
                for (Batch batch : node.getValue()) {
                    if (batch.producerId() < 0 || batch.baseSequence() == RecordBatch.NO_SEQUENCE) {
                        continue;
                    }
                    Batch previous = lastOfProducer.put(batch.producerId(), batch);
                    if (previous == null) {
                        continue;
                    }
                    boolean continues = previous.producerEpoch() == batch.producerEpoch()
                            && (long) previous.lastSequence() + 1 == batch.baseSequence();
                    if (!continues && found.size() < limit) {
                        found.add("p" + partition.getKey() + " node " + node.getKey() + ": " + batch.describe()
                                + " after " + previous.describe());
                    }
                }
            }
        }
        return found;
    }

    /**
     * The producer id and epoch of the batch holding {@code offset}, from the first node (by id) whose copy
     * has it (copies agree below their common end, or {@link #divergences} says where not), or null.
     */
    @Override
    public Origin at(int partition, long offset) {
        for (List<Batch> batches : byPartitionThenNode.getOrDefault(partition, Map.of()).values()) {
            int low = 0;
            int high = batches.size() - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                Batch batch = batches.get(mid);
                if (batch.lastOffset() < offset) {
                    low = mid + 1;
                } else if (batch.baseOffset() > offset) {
                    high = mid - 1;
                } else {
                    return new Origin(batch.producerId(), batch.producerEpoch());
                }
            }
        }
        return null;
    }

    /** Writes every batch as a tab-separated line: node, partition, offsets, producer, epochs, CRC. */
    public void writeTsv(Path file) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("node\tpartition\tbaseOffset\tlastOffset\tproducerId\tproducerEpoch\tbaseSequence"
                    + "\tlastSequence\tleaderEpoch\tcrc\n");
            for (Map<Integer, List<Batch>> nodes : byPartitionThenNode.values()) {
                for (List<Batch> batches : nodes.values()) {
                    for (Batch b : batches) {
                        out.write(b.node() + "\t" + b.partition() + "\t" + b.baseOffset() + "\t" + b.lastOffset()
                                + "\t" + b.producerId() + "\t" + b.producerEpoch() + "\t" + b.baseSequence() + "\t"
                                + b.lastSequence() + "\t" + b.leaderEpoch() + "\t" + b.crc() + "\n");
                    }
                }
            }
        }
    }
}
