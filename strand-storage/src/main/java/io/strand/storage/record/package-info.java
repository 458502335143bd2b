/**
 * Validation of produced batches before they reach a log: {@link io.strand.storage.record.BatchValidator}
 * (batch header and record checks, re-compression) against the topic's
 * {@link io.strand.storage.record.BatchRules}, with {@code RecordScan} (the field-by-field record reader)
 * and {@link io.strand.storage.record.RecordErrors} (per-record errors, KIP-467); the result is a
 * {@link io.strand.storage.record.ValidatedBatch}. Stateless and thread-safe; runs on the request's
 * thread, outside any log lock.
 *
 * <p>Depends on nothing else in {@code io.strand.storage}: the log's {@code LogConfig} implements
 * {@code BatchRules}, so validation does not know the log.
 */
package io.strand.storage.record;
