/**
 * The controller: validates metadata requests against the latest image and appends the records
 * they produce through a {@link io.strand.metadata.image.MetadataLog}. Depends on the image and
 * the records, never on the quorum that implements the log.
 */
package io.strand.metadata.controller;
