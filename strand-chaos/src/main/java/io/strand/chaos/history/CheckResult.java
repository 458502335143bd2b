package io.strand.chaos.history;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the {@link Checker} found in a {@link History}: every anomaly, with counts overall and per partition. */
public record CheckResult(List<Anomaly> anomalies) {

    public CheckResult {
        anomalies = List.copyOf(anomalies);
    }

    /** Whether no anomaly of a kind that {@linkplain Anomaly.Kind#fails() fails a run} was found. */
    public boolean clean() {
        return failing().isEmpty();
    }

    /** The anomalies of kinds that fail a run. */
    public List<Anomaly> failing() {
        return anomalies.stream().filter(a -> a.kind().fails()).toList();
    }

    /** Records covered by anomalies of {@code kind}, over every partition. */
    public long count(Anomaly.Kind kind) {
        return anomalies.stream().filter(a -> a.kind() == kind).mapToLong(Anomaly::records).sum();
    }

    /** Every kind with its count (zeros included), in declaration order. */
    public Map<Anomaly.Kind, Long> counts() {
        Map<Anomaly.Kind, Long> counts = new EnumMap<>(Anomaly.Kind.class);
        for (Anomaly.Kind kind : Anomaly.Kind.values()) {
            counts.put(kind, count(kind));
        }
        return counts;
    }

    /** Partition to kind to count, for the partitions with an anomaly. */
    public Map<Integer, Map<Anomaly.Kind, Long>> countsByPartition() {
        Map<Integer, Map<Anomaly.Kind, Long>> byPartition = new TreeMap<>();
        for (Anomaly anomaly : anomalies) {
            byPartition.computeIfAbsent(anomaly.partition(), p -> new EnumMap<>(Anomaly.Kind.class))
                    .merge(anomaly.kind(), anomaly.records(), Long::sum);
        }
        return byPartition;
    }
}
