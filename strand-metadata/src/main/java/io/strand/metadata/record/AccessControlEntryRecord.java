package io.strand.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One ACL added to the cluster, as Kafka's {@code AccessControlEntryRecord}: its id (a random
 * {@link Uuid} the controller picks, by which {@link RemoveAccessControlEntryRecord} names it) and
 * the binding: resource type, name and pattern type, principal ({@code User:alice}), host
 * ({@code *} or an address), operation and permission. The bytes are the {@code code()} of Kafka's
 * enums. The controller writes only concrete bindings (no ANY, MATCH or UNKNOWN); the image rejects
 * an id already in use.
 */
public record AccessControlEntryRecord(Uuid id, ResourceType resourceType, String resourceName,
                                       PatternType patternType, String principal, String host,
                                       AclOperation operation, AclPermissionType permissionType)
        implements MetadataRecord {
    public AccessControlEntryRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(patternType, "patternType");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(permissionType, "permissionType");
    }
}
