/**
 * The partition log of a Kafka-compatible broker: how records are validated, stored, found, kept and
 * recovered on disk. Knows nothing of the network.
 *
 * <p>Entry points: {@link io.strand.storage.LogManager} owns the log directories and their background
 * work; {@link io.strand.storage.PartitionLog} is one partition's log (append as leader, lock-free
 * reads, offsets, timestamps, leader epochs, DeleteRecords, truncation); {@link io.strand.storage.LogConfig}
 * and {@link io.strand.storage.LogManagerConfig} are their validated settings.
 *
 * <p>Inside, by concern:
 * <ul>
 *   <li>files: {@code LogSegment} ({@code .log} via kafka-clients' {@code FileRecords}),
 *       {@code OffsetIndex} and {@code TimeIndex} (on {@code MappedIndex}), {@code LogFileNames},
 *       {@code CheckpointFile}, {@code PartitionMetadataFile}, {@code StorageFiles};</li>
 *   <li>appends: {@code BatchValidator}, {@code RecordScan} and {@code RecordErrors}; idempotence in
 *       {@code ProducerStateManager}, {@code ProducerEntry}, {@code ProducerSnapshotFile};</li>
 *   <li>opening and recovery: {@code LogLoader}, {@code LogDir} (lock, clean-shutdown marker,
 *       per-directory checkpoints), {@code LeaderEpochCache};</li>
 *   <li>background: {@code RetentionRules}, {@code SegmentDeleter}, {@code TimestampLookup},
 *       {@code Scheduler} and {@code ThreadScheduler};</li>
 *   <li>compaction: {@code LogCleaner} (thread, choice of log), {@code CleanerCheckpoints}, {@code CleanableRange},
 *       {@code Cleaner}, {@code OffsetMap}, {@code CompactionFilter}, {@code Throttler}; the crash-safe
 *       segment swap in {@code PartitionLog.replaceSegments}, {@code SwapObserver} and {@code SwapRecovery}.</li>
 * </ul>
 */
package io.strand.storage;
