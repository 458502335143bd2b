package io.strand.storage.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.file.CorruptFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexTest {

    @TempDir
    Path tmp;

    @Test
    void offsetIndexFindsTheLastEntryAtOrBelowTheTarget() throws Exception {
        OffsetIndex index = new OffsetIndex(tmp.resolve("a.index"), 1000, 10 * OffsetIndex.ENTRY_BYTES);
        index.append(1000, 0);
        index.append(1052, 4120);
        index.append(1097, 8250);
        index.append(1050, 9999); // out of order: ignored

        assertThat(index.entries()).isEqualTo(3);
        assertThat(index.lookupPosition(999)).isZero();
        assertThat(index.lookupPosition(1051)).isZero();
        assertThat(index.lookupPosition(1052)).isEqualTo(4120);
        assertThat(index.lookupPosition(1060)).isEqualTo(4120);
        assertThat(index.lookupPosition(5000)).isEqualTo(8250);
        assertThat(index.lastOffset()).isEqualTo(1097L);

        index.truncateTo(1097);
        assertThat(index.entries()).isEqualTo(2);
        assertThat(index.lookupPosition(5000)).isEqualTo(4120);
        index.close();
    }

    @Test
    void offsetIndexIsPreallocatedTrimmedAndReopened() throws Exception {
        Path file = tmp.resolve("b.index");
        OffsetIndex index = new OffsetIndex(file, 0, 100);
        assertThat(Files.size(file)).isEqualTo(96L);
        assertThat(index.maxEntries()).isEqualTo(12);
        for (int i = 0; i < 12; i++) {
            index.append(i * 10L, i * 100);
        }
        assertThat(index.isFull()).isTrue();
        index.truncateTo(30);
        index.trimToValidSize();
        index.close();
        assertThat(Files.size(file)).isEqualTo(24L);

        OffsetIndex reopened = new OffsetIndex(file, 0, 100);
        assertThat(reopened.entries()).isEqualTo(3);
        assertThat(reopened.looksValid()).isTrue();
        assertThat(reopened.lookupPosition(25)).isEqualTo(200);
        reopened.close();
    }

    @Test
    void aZeroFilledTailDoesNotLookValid() throws Exception {
        Path file = tmp.resolve("c.index");
        Files.write(file, new byte[8 * 6]);
        OffsetIndex index = new OffsetIndex(file, 0, 1000);
        assertThat(index.looksValid()).isFalse();
        index.close();
    }

    @Test
    void anIndexWithAPartialEntryIsCorrupt() throws Exception {
        Path file = tmp.resolve("d.timeindex");
        Files.write(file, new byte[13]);

        assertThatThrownBy(() -> new TimeIndex(file, 0, 1000)).isInstanceOf(CorruptFileException.class)
                .hasMessageContaining("file=" + file);
    }

    @Test
    void timeIndexKeepsIncreasingTimestampsAndOneSlotForTheFinalEntry() throws Exception {
        TimeIndex index = new TimeIndex(tmp.resolve("e.timeindex"), 100, 3 * TimeIndex.ENTRY_BYTES);
        index.maybeAppend(5_000, 100);
        index.maybeAppend(5_000, 110); // not larger: ignored
        index.maybeAppend(7_000, 120);
        assertThat(index.entries()).isEqualTo(2);
        assertThat(index.isFull()).isTrue();
        index.maybeAppend(8_000, 130);
        assertThat(index.entries()).isEqualTo(2);
        index.appendFinal(9_000, 140);
        assertThat(index.entries()).isEqualTo(3);

        assertThat(index.lookupOffset(4_999)).isEqualTo(100L);
        assertThat(index.lookupOffset(6_000)).isEqualTo(100L);
        assertThat(index.lookupOffset(7_000)).isEqualTo(120L);
        assertThat(index.lookupOffset(100_000)).isEqualTo(140L);
        assertThat(index.lastTimestamp()).isEqualTo(9_000L);

        index.truncateTo(120);
        assertThat(index.lastOffset()).isEqualTo(100L);
        index.close();
    }
}
