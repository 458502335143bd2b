/**
 * Log compaction: {@link io.strand.storage.cleaner.LogCleaner} (its thread and the choice of log) with
 * its {@link io.strand.storage.cleaner.CleanerConfig}; inside, {@code CleanableRange} (what of a log may be
 * cleaned now), {@code Cleaner} (one cleaning of one log), {@code OffsetMap}, {@code CompactionFilter},
 * {@code CleanedTransactions} (aborted data and spent markers), {@code Throttler} and {@code CleanerCheckpoints} ({@code cleaner-offset-checkpoint}).
 *
 * <p>Depends on {@code log}, {@code checkpoint}, {@code index}, {@code producer} (what to keep of each
 * producer) and {@code file}. The log does not know
 * the cleaner: cleaned segments go in through {@code PartitionLog.replaceSegments} with a
 * {@code SwapObserver}.
 */
package io.strand.storage.cleaner;
