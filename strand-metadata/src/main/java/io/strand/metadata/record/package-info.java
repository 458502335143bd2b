/**
 * The metadata records, one immutable value per kind of change, and their binary form
 * ({@link io.strand.metadata.record.MetadataRecordSerde}). The bottom of the metadata packages: it
 * depends on no other of them.
 */
package io.strand.metadata.record;
