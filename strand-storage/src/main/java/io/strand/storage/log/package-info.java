/**
 * One partition's log. {@link io.strand.storage.log.PartitionLog} is the entry point (append as leader,
 * lock-free reads, offsets, timestamps, leader epochs, DeleteRecords, truncation, retention and the
 * crash-safe segment swap); {@link io.strand.storage.log.LogConfig} is its validated topic settings;
 * {@link io.strand.storage.log.LogAppendResult}, {@link io.strand.storage.log.LogReadResult} and
 * {@link io.strand.storage.log.TimestampAndOffset} are what it answers.
 *
 * <p>Inside: {@link io.strand.storage.log.LogSegment} (one {@code .log} file with its indexes),
 * {@code LogLoader} (opening and recovery), {@code SwapRecovery} and
 * {@link io.strand.storage.log.SwapObserver} (the segment swap's crash points), {@code RetentionRules},
 * {@code SegmentDeleter}, {@code TimestampLookup}; {@link io.strand.storage.log.LogEnvironment} and
 * {@link io.strand.storage.log.Scheduler} are what the log manager hands every log.
 *
 * <p>Depends on {@code record}, {@code index}, {@code checkpoint}, {@code producer} and {@code file}; it
 * knows neither the cleaner nor the log manager. Members that are public only so the log manager
 * ({@code io.strand.storage}) or the cleaner can drive a log say so in their doc; the broker uses the
 * reads, appends and offsets.
 */
package io.strand.storage.log;
