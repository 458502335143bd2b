/**
 * A segment's sparse, pre-allocated, memory-mapped indexes: {@link io.strand.storage.index.OffsetIndex}
 * (offset → position in the {@code .log} file) and {@link io.strand.storage.index.TimeIndex}
 * (timestamp → offset), both on {@code MappedIndex}; and its aborted-transaction index
 * {@link io.strand.storage.index.TransactionIndex} of {@link io.strand.storage.index.AbortedTxn} entries
 * (appended, not mapped, created with its first entry). Each class doc draws its entry layout and says what
 * a crash leaves; a segment rebuilds an index that fails its checks. Written only by the segment's
 * writer; lookups may run on reader threads.
 *
 * <p>Depends only on {@code io.strand.storage.file}.
 */
package io.strand.storage.index;
