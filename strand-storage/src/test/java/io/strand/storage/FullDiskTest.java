package io.strand.storage;

import static io.strand.storage.LogFixture.START_MS;
import static io.strand.storage.LogFixture.config;
import static io.strand.storage.TestRecords.batch;
import static io.strand.storage.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strand.storage.log.LogConfig;
import io.strand.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log directory on a small tmpfs that fills up. An offset index entry due in a page of the sparse,
 * memory-mapped index file that the full filesystem cannot back would raise SIGBUS in the mapped write,
 * which the JVM reports as an {@code InternalError} somewhere later in the writing thread. The index
 * backs the page with a system call first, so the append fails with KAFKA_STORAGE_ERROR (ENOSPC), the
 * directory goes offline, and the log reads back whole after a restart, with every batch appended
 * before it.
 * Needs root to mount the tmpfs; skipped without it.
 */
class FullDiskTest {

    private static final int PAGE_BYTES = 4096;
    /** The offset index backs 64 KiB of its file at a time: the next entry after these needs a new stretch. */
    private static final int INDEX_ENTRIES_PER_BACKED_STRETCH = 16 * PAGE_BYTES / 8;

    @TempDir
    Path tmp;
    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        assumeThat(run("id", "-u").strip()).as("mounting a tmpfs needs root").isEqualTo("0");
        mountPoint = Files.createDirectories(tmp.resolve("disk"));
        run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint.toString());
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "-l", mountPoint.toString());
        }
    }

    @Test
    void indexPageTheFullDiskCannotBackFailsTheAppendWithoutSigbus() throws Exception {
        Path dataDir = mountPoint.resolve("logs");
        List<String> appended = new ArrayList<>();
        try (LogFixture fx = new LogFixture(dataDir)) {
            LogConfig indexEveryBatch = config(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 1);
            PartitionLog log = fx.log(indexEveryBatch);
            // fill the index's backed stretch, so the next entry is the first of a page not yet backed
            while (log.activeSegment().offsetIndex().entries() < INDEX_ENTRIES_PER_BACKED_STRETCH) {
                append(log, appended);
            }
            // without index entries, move the log's end to where the next batch fits in its current page
            log.updateConfig(config(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Integer.MAX_VALUE));
            int batchBytes = record(0).sizeInBytes();
            while (log.activeSegment().sizeInBytes() % PAGE_BYTES == 0
                    || log.activeSegment().sizeInBytes() % PAGE_BYTES + batchBytes > PAGE_BYTES) {
                append(log, appended);
            }
            fill(mountPoint.resolve("filler"));
            log.updateConfig(indexEveryBatch);

            assertThatThrownBy(() -> log.appendAsLeader(record(appended.size()), 0))
                    .isInstanceOf(KafkaStorageException.class)
                    .hasRootCauseInstanceOf(IOException.class)
                    .hasStackTraceContaining("No space left on device");
            assertThat(fx.manager.logDirFailureChannel().offlineLogDirs()).containsExactly(dataDir);
            assertThat(fx.manager.handleLogDirFailure(dataDir)).containsExactly(LogFixture.TP);

            Files.delete(mountPoint.resolve("filler"));
            fx.close();
            fx.crashAndRestartWithoutAbandon();
            PartitionLog reopened = fx.log(indexEveryBatch);
            // the failed batch reached the log file before its index entry failed: recovery keeps it
            // whole (it was never acknowledged) or cuts it, nothing else
            List<String> failedOnly = List.of(value(appended.size()));
            List<String> read = readAll(reopened);
            assertThat(read.subList(0, appended.size())).isEqualTo(appended);
            assertThat(read.subList(appended.size(), read.size())).isSubsetOf(failedOnly);
        }
    }

    private static List<String> readAll(PartitionLog log) {
        List<String> all = new ArrayList<>();
        while (all.size() < log.logEndOffset()) {
            all.addAll(values(log.read(all.size(), Integer.MAX_VALUE, Long.MAX_VALUE, true).records()));
        }
        return all;
    }

    private static void append(PartitionLog log, List<String> appended) {
        log.appendAsLeader(record(appended.size()), 0);
        appended.add(value(appended.size()));
    }

    private static MemoryRecords record(int n) {
        return batch(START_MS, value(n));
    }

    /** Same length for every n, so every batch has the same size. */
    private static String value(int n) {
        return String.format("v%06d", n);
    }

    private static void fill(Path file) throws Exception {
        try {
            run("dd", "if=/dev/zero", "of=" + file, "bs=64k");
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).contains("No space left on device");
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + List.of(command));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(List.of(command) + " exited with " + process.exitValue() + ": " + output);
        }
        return output;
    }
}
