/**
 * The cluster metadata as of one log offset ({@link io.strand.metadata.image.MetadataImage}), how
 * records change it ({@link io.strand.metadata.image.MetadataDelta}), who is told about a change
 * ({@link io.strand.metadata.image.MetadataListener}) and the append interface the controller
 * writes through ({@link io.strand.metadata.image.MetadataLog}). Depends only on the records.
 */
package io.strand.metadata.image;
