package io.strand.metadata.image;

import io.strand.metadata.record.AccessControlEntryRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The ACLs of the cluster, by id, as the {@link AccessControlEntryRecord}s and
 * {@code RemoveAccessControlEntryRecord}s of the metadata log left them. Immutable; a delta that
 * touches no ACL hands the next image this same instance, so a reader may cache what it derives
 * from one (an authorizer's index) and compare by identity.
 */
public final class AclsImage {

    public static final AclsImage EMPTY = new AclsImage(Map.of());

    private final Map<Uuid, AccessControlEntryRecord> acls;

    /** {@code acls} is copied. */
    AclsImage(Map<Uuid, AccessControlEntryRecord> acls) {
        this.acls = MetadataImage.frozen(new TreeMap<>(acls));
    }

    /** Every ACL by id, in id order. */
    public Map<Uuid, AccessControlEntryRecord> byId() {
        return acls;
    }

    public Collection<AccessControlEntryRecord> all() {
        return acls.values();
    }

    public boolean isEmpty() {
        return acls.isEmpty();
    }

    /** The records that rebuild this image: one per ACL, in id order. */
    List<AccessControlEntryRecord> toRecords() {
        return new ArrayList<>(acls.values());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AclsImage other && acls.equals(other.acls);
    }

    @Override
    public int hashCode() {
        return acls.hashCode();
    }

    @Override
    public String toString() {
        return "AclsImage(count=" + acls.size() + ")";
    }
}
