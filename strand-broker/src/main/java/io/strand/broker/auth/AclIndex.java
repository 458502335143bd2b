package io.strand.broker.auth;

import io.strand.metadata.image.AclsImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.SecurityUtils;

/**
 * The ACLs of one {@link AclsImage}, indexed for lookups by resource: per resource type, LITERAL
 * ACLs by exact name (the wildcard {@code *} is one such name) and PREFIXED ACLs by prefix, with the
 * distinct prefix lengths, so finding every ACL that applies to a name costs one map lookup for the
 * name, one for {@code *} and one per distinct prefix length no longer than the name. Immutable;
 * built once per ACL change.
 */
final class AclIndex {

    static final AclIndex EMPTY = new AclIndex(AclsImage.EMPTY);

    /** One ACL, its principal parsed once. */
    record Entry(String principalType, String principalName, String host, AclOperation operation,
                 AclPermissionType permission, PatternType patternType, String resourceName) {
        boolean matchesPrincipal(KafkaPrincipal principal) {
            return (principalName.equals(principal.getName()) && principalType.equals(principal.getPrincipalType()))
                    || (principalName.equals("*") && principalType.equals(KafkaPrincipal.USER_TYPE));
        }
    }

    private static final Entry[] NONE = new Entry[0];

    final AclsImage source;
    private final Map<ResourceType, Map<String, Entry[]>> literal = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, Map<String, Entry[]>> prefixed = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, int[]> prefixLengths = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, List<Entry>> byType = new EnumMap<>(ResourceType.class);

    AclIndex(AclsImage source) {
        this.source = source;
        Map<ResourceType, Map<String, List<Entry>>> lit = new EnumMap<>(ResourceType.class);
        Map<ResourceType, Map<String, List<Entry>>> pre = new EnumMap<>(ResourceType.class);
        for (AccessControlEntryRecord acl : source.all()) {
            KafkaPrincipal principal = SecurityUtils.parseKafkaPrincipal(acl.principal());
            Entry entry = new Entry(principal.getPrincipalType(), principal.getName(), acl.host(), acl.operation(),
                    acl.permissionType(), acl.patternType(), acl.resourceName());
            Map<ResourceType, Map<String, List<Entry>>> target = acl.patternType() == PatternType.PREFIXED ? pre : lit;
            target.computeIfAbsent(acl.resourceType(), t -> new HashMap<>())
                    .computeIfAbsent(acl.resourceName(), n -> new ArrayList<>()).add(entry);
            byType.computeIfAbsent(acl.resourceType(), t -> new ArrayList<>()).add(entry);
        }
        lit.forEach((type, names) -> literal.put(type, frozen(names)));
        pre.forEach((type, names) -> {
            prefixed.put(type, frozen(names));
            TreeSet<Integer> lengths = new TreeSet<>();
            names.keySet().forEach(n -> lengths.add(n.length()));
            prefixLengths.put(type, lengths.stream().mapToInt(Integer::intValue).toArray());
        });
    }

    private static Map<String, Entry[]> frozen(Map<String, List<Entry>> names) {
        Map<String, Entry[]> out = new HashMap<>();
        names.forEach((name, entries) -> out.put(name, entries.toArray(NONE)));
        return out;
    }

    /**
     * Calls {@code visitor} with every ACL that applies to the resource {@code type}/{@code name}
     * (literal on the name, literal {@code *}, prefixes of the name); stops when it returns false.
     * Returns whether any ACL applies at all.
     */
    boolean forEachMatching(ResourceType type, String name, Visitor visitor) {
        boolean any = false;
        Map<String, Entry[]> lit = literal.get(type);
        if (lit != null) {
            Entry[] exact = lit.get(name);
            if (exact != null) {
                any = true;
                if (!visit(exact, visitor)) {
                    return true;
                }
            }
            if (!name.equals(ResourcePattern.WILDCARD_RESOURCE)) {
                Entry[] wildcard = lit.get(ResourcePattern.WILDCARD_RESOURCE);
                if (wildcard != null) {
                    any = true;
                    if (!visit(wildcard, visitor)) {
                        return true;
                    }
                }
            }
        }
        Map<String, Entry[]> pre = prefixed.get(type);
        if (pre != null) {
            for (int length : prefixLengths.get(type)) {
                if (length > name.length()) {
                    break;
                }
                Entry[] entries = pre.get(name.substring(0, length));
                if (entries != null) {
                    any = true;
                    if (!visit(entries, visitor)) {
                        return true;
                    }
                }
            }
        }
        return any;
    }

    /** Every ACL on resources of {@code type}, whatever their names. */
    List<Entry> ofType(ResourceType type) {
        return byType.getOrDefault(type, List.of());
    }

    private static boolean visit(Entry[] entries, Visitor visitor) {
        for (Entry entry : entries) {
            if (!visitor.visit(entry)) {
                return false;
            }
        }
        return true;
    }

    /** Sees one ACL; returns false to stop. */
    interface Visitor {
        boolean visit(Entry entry);
    }
}
