package io.strand.metadata.record;

import java.util.Objects;

/**
 * The cluster's id, written once by the first leader of a new quorum. A later record with another
 * id is ignored on replay: the first one written wins on every node.
 */
public record ClusterIdRecord(String clusterId) implements MetadataRecord {
    public ClusterIdRecord {
        Objects.requireNonNull(clusterId, "clusterId");
    }
}
