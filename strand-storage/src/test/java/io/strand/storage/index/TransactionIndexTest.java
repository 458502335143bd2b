package io.strand.storage.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.storage.file.CorruptFileException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionIndexTest {

    @TempDir
    Path tmp;

    private Path file() {
        return tmp.resolve("00000000000000000100.txnindex");
    }

    @Test
    void entriesAreKafkasThirtyFourByteLayoutAndTheFileComesWithTheFirstOne() throws Exception {
        TransactionIndex index = new TransactionIndex(file(), 100);
        assertThat(file()).doesNotExist();
        assertThat(index.allEntries()).isEmpty();

        index.append(new AbortedTxn(7L, 90L, 105L, 106L));
        index.flush();

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file()));
        assertThat(bytes.remaining()).isEqualTo(34);
        assertThat(bytes.getShort()).isZero();
        assertThat(bytes.getLong()).isEqualTo(7L);
        assertThat(bytes.getLong()).isEqualTo(90L);
        assertThat(bytes.getLong()).isEqualTo(105L);
        assertThat(bytes.getLong()).isEqualTo(106L);
        index.close();
    }

    @Test
    void collectsOverlappingTransactionsAndStopsWhereTheLastStableOffsetReachesTheBound() throws Exception {
        TransactionIndex index = new TransactionIndex(file(), 100);
        index.append(new AbortedTxn(1L, 95L, 101L, 102L));
        index.append(new AbortedTxn(2L, 103L, 110L, 111L));
        index.append(new AbortedTxn(3L, 104L, 120L, 121L));
        index.append(new AbortedTxn(4L, 125L, 130L, 131L));

        List<AbortedTxn> out = new ArrayList<>();
        assertThat(index.collect(102, 115, out)).isTrue();
        // the first ends before the fetch; the search stops at the third, whose LSO passes 115
        assertThat(out).extracting(AbortedTxn::producerId).containsExactly(2L, 3L);

        out.clear();
        assertThat(index.collect(100, 200, out)).isFalse();
        assertThat(out).hasSize(4);
        index.close();
    }

    @Test
    void truncationDropsEntriesWhoseMarkerGoesAndSurvivesReopening() throws Exception {
        TransactionIndex index = new TransactionIndex(file(), 100);
        index.append(new AbortedTxn(1L, 100L, 101L, 102L));
        index.append(new AbortedTxn(2L, 100L, 110L, 111L));
        index.append(new AbortedTxn(3L, 100L, 120L, 121L));

        index.truncateTo(110);
        assertThat(index.allEntries()).extracting(AbortedTxn::lastOffset).containsExactly(101L);
        assertThat(Files.size(file())).isEqualTo(34L);
        index.append(new AbortedTxn(5L, 100L, 105L, 106L));
        index.close();

        TransactionIndex reopened = new TransactionIndex(file(), 100);
        assertThat(reopened.allEntries()).extracting(AbortedTxn::lastOffset).containsExactly(101L, 105L);
        reopened.reset();
        assertThat(reopened.entries()).isZero();
        assertThat(Files.size(file())).isZero();
        reopened.close();
    }

    @Test
    void refusesEntriesOutOfMarkerOrder() throws Exception {
        TransactionIndex index = new TransactionIndex(file(), 100);
        index.append(new AbortedTxn(1L, 100L, 110L, 111L));

        assertThatThrownBy(() -> index.append(new AbortedTxn(2L, 100L, 110L, 111L)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionIndex(tmp.resolve("other"), 100)
                .append(new AbortedTxn(2L, 10L, 99L, 100L))).isInstanceOf(IllegalArgumentException.class);
        index.close();
    }

    @Test
    void aTornOrForeignFileIsReportedCorrupt() throws Exception {
        Files.write(file(), new byte[40]);
        assertThatThrownBy(() -> new TransactionIndex(file(), 100)).isInstanceOf(CorruptFileException.class)
                .hasMessageContaining("sizeInBytes=40");

        ByteBuffer entry = ByteBuffer.allocate(34);
        new AbortedTxn(1L, 10L, 50L, 51L).writeTo(entry, 0);
        Files.write(file(), entry.array());
        assertThatThrownBy(() -> new TransactionIndex(file(), 100)).isInstanceOf(CorruptFileException.class);
    }
}
