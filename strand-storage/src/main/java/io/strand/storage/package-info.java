/**
 * The partition log of a Kafka-compatible broker: how records are validated, stored, found, kept and
 * recovered on disk. Knows nothing of the network.
 *
 * <p>This package is the top: {@link io.strand.storage.LogManager} owns the log directories
 * ({@code LogDir}: lock, clean-shutdown marker, per-directory checkpoints), the open logs and their
 * background work (retention, flush, checkpoints on a {@code ThreadScheduler}, compaction on the
 * cleaner's thread); {@link io.strand.storage.LogManagerConfig} is its validated broker-level settings
 * and {@link io.strand.storage.LogDirDescription} what it reports of a directory. One partition's log is
 * {@link io.strand.storage.log.PartitionLog}.
 *
 * <p>Packages by role, each depending only on those below it (no cycles):
 * <pre>
 * io.strand.storage             LogManager: directories, open logs, background threads
 *   .cleaner                    compaction                          → log, checkpoint, index, producer, file
 *   .log                        one partition's log and segments    → record, index, checkpoint, producer, file
 *   .record                     validation of produced batches      → (nothing)
 *   .index                      offset, time and transaction indexes → file
 *   .checkpoint                 checkpoint files, leader epochs     → file
 *   .producer                   idempotent and transactional producers → file
 *   .file                       file names, crash-safe writes       → (nothing)
 * </pre>
 * Nothing below depends on this package. A class is public only when another package needs it, and
 * its doc says for whom.
 */
package io.strand.storage;
