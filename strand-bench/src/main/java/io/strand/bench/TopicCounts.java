package io.strand.bench;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How many records one broker's turn asked a producer for, how many the producer reports the broker
 * acknowledged (ProducerPerformance's "N records sent"), and how many ConsumerPerformance read back,
 * for one topic. Throughput and CPU per GB are computed from {@code sent}; every topic produced is
 * read back, and a count that does not add up is a {@linkplain #problem problem} the report shows
 * at its top.
 *
 * @param round     the round, from 1
 * @param requested {@code --num-records} given to ProducerPerformance
 * @param sent      what ProducerPerformance reported sent; empty when it printed no summary
 * @param read      what ConsumerPerformance reported read; empty when it printed no result or did not run
 */
record TopicCounts(int round, BrokerKind broker, String topic, long requested, OptionalLong sent, OptionalLong read) {

    /** What is wrong with these counts, in one sentence; empty when every record sent was read back. */
    Optional<String> problem() {
        String where = String.format(Locale.ROOT, "round %d, %s, %s: ", round, broker.label(), topic);
        if (sent.isEmpty()) {
            return Optional.of(where + "the producer reported no count (see its log); nothing was read back");
        }
        if (sent.getAsLong() < requested) {
            return Optional.of(where + String.format(Locale.ROOT,
                    "ProducerPerformance sent %,d of the %,d records requested%s", sent.getAsLong(), requested,
                    read.isPresent() && read.getAsLong() != sent.getAsLong()
                            ? String.format(Locale.ROOT, ", and %,d were read back", read.getAsLong()) : ""));
        }
        if (read.isEmpty()) {
            return Optional.of(where + String.format(Locale.ROOT,
                    "%,d records sent, none counted back (the consumer failed; see its log)", sent.getAsLong()));
        }
        if (read.getAsLong() != sent.getAsLong()) {
            return Optional.of(where + String.format(Locale.ROOT, "%,d records sent but %,d read back",
                    sent.getAsLong(), read.getAsLong()));
        }
        return Optional.empty();
    }
}
