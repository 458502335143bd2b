package io.strand.examples.wordcount;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The word count: lines of text in, the running count of each word out.
 *
 * <pre>
 *   input topic (key ignored, value: a line)
 *     -> split into lower-case words
 *     -> re-key by word  (through the repartition topic {@code <application.id>-words-repartition})
 *     -> count per word  (store {@value #STORE}, backed by the changelog {@code <application.id>-word-counts-changelog})
 *     -> output topic    (key: the word, value: its count so far as a big-endian long)
 * </pre>
 *
 * <p>Every update of a count goes out (when the record cache is off, {@code statestore.cache.max.bytes=0}),
 * so under {@code exactly_once_v2} a reader with {@code isolation.level=read_committed} sees, per word,
 * exactly 1, 2, 3 ... n for a word that occurs n times: a record processed twice would repeat or skip
 * a count, a record lost would leave the last one short. With the cache on, updates of one commit
 * interval are folded into the last, so counts may be skipped but never repeated.
 *
 * <p>Stateless and thread-safe: it only builds the topology.
 */
public final class WordCountTopology {

    /** The name of the count's state store (and of its changelog topic's suffix). */
    public static final String STORE = "word-counts";
    /** The name of the re-keying step (and of its repartition topic's suffix). */
    public static final String REPARTITION = "words";

    private WordCountTopology() {
    }

    /** The topology reading lines from {@code inputTopic} and writing counts to {@code outputTopic}. */
    public static Topology build(String inputTopic, String outputTopic) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(inputTopic, Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(WordCountTopology::words)
                .groupBy((lineKey, word) -> word, Grouped.with(REPARTITION, Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(STORE)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Serdes.Long()))
                .toStream()
                .to(outputTopic, Produced.with(Serdes.String(), Serdes.Long()));
        return builder.build();
    }

    /** The words of a line: lower case, split at anything that is not a letter or digit; none for null. */
    public static List<String> words(String line) {
        if (line == null) {
            return List.of();
        }
        return Arrays.stream(line.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                .filter(word -> !word.isEmpty())
                .toList();
    }
}
