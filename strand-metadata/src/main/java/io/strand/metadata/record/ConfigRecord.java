package io.strand.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Sets or removes one config override of a resource.
 *
 * @param resourceType {@link ConfigResource.Type#TOPIC}, {@link ConfigResource.Type#BROKER} or
 *                     {@link ConfigResource.Type#GROUP}
 * @param resourceName the topic or group name; for a broker resource {@code ""} is the cluster-wide
 *                     default and {@code "<id>"} one broker
 * @param value        the new value, or {@code null} to remove the override
 */
public record ConfigRecord(ConfigResource.Type resourceType, String resourceName, String name, String value)
        implements MetadataRecord {
    public ConfigRecord {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(name, "name");
    }

    public ConfigResource resource() {
        return new ConfigResource(resourceType, resourceName);
    }
}
