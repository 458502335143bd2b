package io.strand.broker;

import io.strand.common.config.BrokerConfig;
import io.strand.storage.LogManager;
import io.strand.storage.LogManagerConfig;
import io.strand.storage.checkpoint.DirectoryMetaFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.utils.Time;

/**
 * What every role of a node uses: the log directories, locked for this node (the metadata
 * directory lies under the first by default), with the {@link LogManager}'s scheduler and cleaner
 * threads; and the {@link ImageListeners} the metadata quorum publishes to. A controller-only node
 * locks its directories too, so no other node can use them, but opens no partition log.
 *
 * <p>Start: locks the directories, reads checkpoints, starts the background tasks and the
 * {@link LogDirFailureHandler} (a failed log directory is taken offline; the node halts when none is
 * left online or the metadata log directory failed). Close: stops that handler,
 * flushes and closes the logs, writes the checkpoints and clean-shutdown markers, releases the locks.
 */
final class SharedComponent implements NodeComponent {

    private final BrokerConfig config;
    private final LogManager logManager;
    private final LogDirFailureHandler logDirFailureHandler;
    private final ImageListeners imageListeners = new ImageListeners();

    SharedComponent(BrokerConfig config, Time time) {
        this.config = config;
        this.logManager = new LogManager(new LogManagerConfig(config.logDirs(),
                config.getLong(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS),
                config.getLong(BrokerConfig.LOG_FLUSH_SCHEDULER_INTERVAL_MS),
                config.getInt(BrokerConfig.LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS),
                config.getInt(BrokerConfig.PRODUCER_ID_EXPIRATION_MS))
                .withCleaner(config.getBoolean(BrokerConfig.LOG_CLEANER_ENABLE),
                        config.getLong(BrokerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE),
                        config.getDouble(BrokerConfig.LOG_CLEANER_IO_MAX_BYTES_PER_SECOND),
                        config.getLong(BrokerConfig.LOG_CLEANER_BACKOFF_MS))
                .withRecoveryThreadsPerDataDir(config.numRecoveryThreadsPerDataDir()), time);
        this.logDirFailureHandler = new LogDirFailureHandler(logManager, config.metadataLogDir(),
                LogDirFailureHandler.Halt.RUNTIME);
    }

    @Override
    public String name() {
        return "shared";
    }

    @Override
    public void start() throws IOException {
        logManager.startup();
        Path metadataLogDir = config.metadataLogDir();
        if (!logManager.directoryIds().containsKey(metadataLogDir)) {
            // A metadata directory of its own gets its directory.id too (the log dirs' come with their locks).
            Files.createDirectories(metadataLogDir);
            DirectoryMetaFile.loadOrCreate(metadataLogDir);
        }
        logDirFailureHandler.start();
    }

    LogManager logManager() {
        return logManager;
    }

    LogDirFailureHandler logDirFailureHandler() {
        return logDirFailureHandler;
    }

    ImageListeners imageListeners() {
        return imageListeners;
    }

    @Override
    public void close() {
        logDirFailureHandler.close();
        logManager.close();
    }
}
