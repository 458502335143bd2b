/**
 * The on-disk conventions every storage package shares: Kafka's file and directory names
 * ({@link io.strand.storage.file.LogFileNames}), the crash-safe replace of a small file and the fsync of a
 * directory ({@link io.strand.storage.file.StorageFiles}), and the exception for a file that fails its
 * checks ({@link io.strand.storage.file.CorruptFileException}). Stateless.
 *
 * <p>Depends on nothing else in {@code io.strand.storage}; every other storage package may use it.
 */
package io.strand.storage.file;
