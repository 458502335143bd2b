package io.strand.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The values measured per metric and broker, one per round, and for a metric a broker could not be
 * measured on, the reason ("n/a (needs consumer groups)", "failed: ..."). The report shows medians.
 * Beside them: the records requested, sent and read back per round, broker and topic
 * ({@link TopicCounts}), and warnings about the run itself (an archive a JVM did not map), which
 * the report shows above its table.
 *
 * <p>Not thread-safe: the harness's main thread records and reads.
 */
final class Samples {

    private final Map<Metric, Map<BrokerKind, List<Double>>> values = new EnumMap<>(Metric.class);
    private final Map<Metric, Map<BrokerKind, String>> notes = new EnumMap<>(Metric.class);
    private final List<TopicCounts> counts = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    void record(Metric metric, BrokerKind broker, double value) {
        values.computeIfAbsent(metric, m -> new EnumMap<>(BrokerKind.class))
                .computeIfAbsent(broker, b -> new ArrayList<>()).add(value);
    }

    /** Notes why {@code metric} has no value for {@code broker} this round; the latest note wins. */
    void note(Metric metric, BrokerKind broker, String reason) {
        notes.computeIfAbsent(metric, m -> new EnumMap<>(BrokerKind.class)).put(broker, reason);
    }

    void counts(TopicCounts topicCounts) {
        counts.add(topicCounts);
    }

    List<TopicCounts> counts() {
        return List.copyOf(counts);
    }

    /** Something about the run a reader must know, in one sentence. */
    void warn(String warning) {
        warnings.add(warning);
    }

    /** Every count that does not add up, then every warning, in the order they arose. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        counts.forEach(topicCounts -> topicCounts.problem().ifPresent(problems::add));
        problems.addAll(warnings);
        return problems;
    }

    List<Double> values(Metric metric, BrokerKind broker) {
        return List.copyOf(values.getOrDefault(metric, Map.of()).getOrDefault(broker, List.of()));
    }

    Optional<String> note(Metric metric, BrokerKind broker) {
        return Optional.ofNullable(notes.getOrDefault(metric, Map.of()).get(broker));
    }

    /** Whether either broker has a value or a note for {@code metric}. */
    boolean hasAny(Metric metric) {
        return values.containsKey(metric) || notes.containsKey(metric);
    }

    OptionalDouble median(Metric metric, BrokerKind broker) {
        return median(values(metric, broker));
    }

    /**
     * Strand's median over Kafka's; empty when either is missing, Kafka's is zero, or either lies below
     * the metric's {@linkplain Metric#resolution resolution} (a 0 ms percentile means "under 1 ms").
     */
    OptionalDouble strandOverKafka(Metric metric) {
        OptionalDouble strand = median(metric, BrokerKind.STRAND);
        OptionalDouble kafka = median(metric, BrokerKind.KAFKA);
        if (strand.isEmpty() || kafka.isEmpty() || kafka.getAsDouble() == 0
                || strand.getAsDouble() < metric.resolution() || kafka.getAsDouble() < metric.resolution()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(strand.getAsDouble() / kafka.getAsDouble());
    }

    /** The middle value, or the mean of the two middle values of an even count. */
    static OptionalDouble median(List<Double> samples) {
        if (samples.isEmpty()) {
            return OptionalDouble.empty();
        }
        List<Double> sorted = new ArrayList<>(samples);
        sorted.sort(null);
        int middle = sorted.size() / 2;
        return OptionalDouble.of(sorted.size() % 2 == 1 ? sorted.get(middle)
                : (sorted.get(middle - 1) + sorted.get(middle)) / 2);
    }
}
