package io.strand.storage.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.DirectoryId;
import io.strand.storage.file.CorruptFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryMetaFileTest {

    @TempDir
    Path dir;

    @Test
    void theFirstUseWritesARandomIdThatLaterUsesRead() throws Exception {
        assertThat(DirectoryMetaFile.read(dir)).isEmpty();

        Uuid id = DirectoryMetaFile.loadOrCreate(dir);

        assertThat(DirectoryId.reserved(id)).isFalse();
        assertThat(Files.readString(dir.resolve(DirectoryMetaFile.FILE_NAME)))
                .isEqualTo("version=1\ndirectory.id=" + id + "\n");
        assertThat(DirectoryMetaFile.loadOrCreate(dir)).isEqualTo(id);
        assertThat(DirectoryMetaFile.read(dir)).contains(id);
    }

    @Test
    void otherKeysAreKeptAndAnIdIsReadAmongThem() throws Exception {
        Uuid id = new Uuid(42, 4242);
        Files.writeString(dir.resolve(DirectoryMetaFile.FILE_NAME),
                "#written by hand\ncluster.id=abc\nnode.id=3\ndirectory.id=" + id + "\nversion=1\n");

        assertThat(DirectoryMetaFile.loadOrCreate(dir)).isEqualTo(id);
        assertThat(Files.readString(dir.resolve(DirectoryMetaFile.FILE_NAME))).contains("cluster.id=abc");
    }

    @Test
    void anUnreadableOrReservedIdIsRefused() throws Exception {
        Files.writeString(dir.resolve(DirectoryMetaFile.FILE_NAME), "version=1\ndirectory.id=not-a-uuid\n");
        assertThatThrownBy(() -> DirectoryMetaFile.loadOrCreate(dir)).isInstanceOf(CorruptFileException.class);

        Files.writeString(dir.resolve(DirectoryMetaFile.FILE_NAME), "version=1\ndirectory.id=" + DirectoryId.LOST + "\n");
        assertThatThrownBy(() -> DirectoryMetaFile.loadOrCreate(dir)).isInstanceOf(CorruptFileException.class)
                .hasMessageContaining("reserved");
    }
}
