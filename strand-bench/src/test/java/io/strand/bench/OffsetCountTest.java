package io.strand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OffsetCountTest {

    private static long feed(OffsetCount count, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return count.accept(bytes, bytes.length);
    }

    @Test
    void countsOffsetLinesSplitAcrossChunks() {
        OffsetCount count = new OffsetCount();

        assertThat(feed(count, "0\n1\n2\n1")).isEqualTo(3);
        assertThat(feed(count, "0\n11\n")).isEqualTo(2);
        assertThat(feed(count, "1")).isZero();
        assertThat(feed(count, "2\n")).isEqualTo(1);

        assertThat(count.records()).isEqualTo(6);
        assertThat(count.firstOffset()).hasValue(0);
        // 0 1 2 10 11 12: 10 does not follow 2
        assertThat(count.breaks()).isEqualTo(1);
        assertThat(count.malformedLines()).isZero();
    }

    @Test
    void aCompleteReadFromTheStartRunsWithoutBreaks() {
        OffsetCount count = new OffsetCount();
        StringBuilder out = new StringBuilder();
        for (int offset = 0; offset < 100_000; offset++) {
            out.append(offset).append('\n');
        }

        assertThat(feed(count, out.toString())).isEqualTo(100_000);

        assertThat(count.records()).isEqualTo(100_000);
        assertThat(count.firstOffset()).hasValue(0);
        assertThat(count.breaks()).isZero();
    }

    @Test
    void aRepeatedOffsetIsABreak() {
        OffsetCount count = new OffsetCount();

        feed(count, "5\n6\n6\n7\n");

        assertThat(count.records()).isEqualTo(4);
        assertThat(count.firstOffset()).hasValue(5);
        // the second 6; 7 follows it
        assertThat(count.breaks()).isEqualTo(1);
    }

    @Test
    void linesThatAreNotOffsetsAreNotRecords() {
        OffsetCount count = new OffsetCount();

        feed(count, "0\n% Error: x\n\n1\n-3\n");

        assertThat(count.records()).isEqualTo(2);
        assertThat(count.malformedLines()).isEqualTo(3);
        assertThat(count.breaks()).isZero();
    }

    @Test
    void nothingReadHasNoFirstOffset() {
        assertThat(new OffsetCount().firstOffset()).isEmpty();
    }
}
