package io.strand.examples.wordcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class WordCountTopologyTest {

    @Test
    void emitsEveryWordsRunningCountAndKeepsTheTotalsInTheStore() {
        Properties props = WordCountApp.config("statestore.cache.max.bytes=0");
        props.remove("input.topic");
        props.remove("output.topic");
        props.remove("topic.partitions");
        try (TopologyTestDriver driver = new TopologyTestDriver(WordCountTopology.build("in", "out"), props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(),
                    new StringSerializer());
            TestOutputTopic<String, Long> out = driver.createOutputTopic("out", new StringDeserializer(),
                    new LongDeserializer());

            in.pipeInput("line-1", "The quick fox");
            in.pipeInput("line-2", "the lazy dog, THE end");

            assertThat(out.readKeyValuesToList()).containsExactly(
                    KeyValue.pair("the", 1L), KeyValue.pair("quick", 1L), KeyValue.pair("fox", 1L),
                    KeyValue.pair("the", 2L), KeyValue.pair("lazy", 1L), KeyValue.pair("dog", 1L),
                    KeyValue.pair("the", 3L), KeyValue.pair("end", 1L));
            KeyValueStore<String, Long> store = driver.getKeyValueStore(WordCountTopology.STORE);
            assertThat(store.get("the")).isEqualTo(3L);
            assertThat(store.get("fox")).isEqualTo(1L);
        }
    }

    @Test
    void splitsAtPunctuationAndWhitespaceInLowerCase() {
        assertThat(WordCountTopology.words("  Hello, world!  hello\tWORLD-42 ")).containsExactly(
                "hello", "world", "hello", "world", "42");
        assertThat(WordCountTopology.words("")).isEmpty();
        assertThat(WordCountTopology.words(null)).isEmpty();
    }

    @Test
    void runsExactlyOnceV2AndLetsArgumentsOverrideTheDefaults() {
        Properties props = WordCountApp.config("bootstrap.servers=host:1234", "input.topic=lines",
                "commit.interval.ms=100");

        assertThat(Map.copyOf(props)).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "host:1234")
                .containsEntry("input.topic", "lines")
                .containsEntry("output.topic", WordCountApp.DEFAULT_OUTPUT)
                .containsEntry("topic.partitions", "4")
                .containsEntry("commit.interval.ms", "100");
        assertThatThrownBy(() -> WordCountApp.config("commit.interval.ms"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commit.interval.ms");
    }
}
