/**
 * The controller: validates metadata requests against the latest image and appends the records
 * they produce through a {@link io.strand.metadata.image.MetadataLog}. Depends on the image and
 * the records, never on the quorum that implements the log. Besides the admin operations it runs
 * the brokers' lifecycle (registration, heartbeats, session fencing, controlled shutdown) and
 * partition leadership (AlterPartition, elections, placement).
 */
package io.strand.metadata.controller;
