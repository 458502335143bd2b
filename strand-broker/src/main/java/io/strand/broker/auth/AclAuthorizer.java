package io.strand.broker.auth;

import io.strand.metadata.image.AclsImage;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

/**
 * Decides whether a principal from a host may do an operation on a resource, from the ACLs of the
 * current metadata image, with the semantics of Kafka's {@code StandardAuthorizer}:
 * <ol>
 *   <li>A super user ({@code super.users}) may do everything.</li>
 *   <li>The ACLs that apply to a resource are the LITERAL ones on its name, the LITERAL ones on
 *       {@code *} and the PREFIXED ones whose name starts the resource's name; of those, the ones
 *       for the principal (or {@code User:*}) and the host ({@code *} or the client's address).</li>
 *   <li>Any of them that DENYs the operation (the operation itself or ALL) denies: deny comes first.</li>
 *   <li>Otherwise any that ALLOWs it allows; an ALLOW of READ, WRITE, DELETE or ALTER also allows
 *       DESCRIBE, and one of ALTER_CONFIGS allows DESCRIBE_CONFIGS (a DENY implies nothing).</li>
 *   <li>Otherwise, when no ACL at all applies to the resource (for any principal),
 *       {@code allow.everyone.if.no.acl.found} decides; else denied.</li>
 * </ol>
 *
 * <p>Thread-safe. The ACLs are read per call from the image supplier; the {@link AclIndex} is rebuilt
 * when the image's {@link AclsImage} instance changes (a delta that touches no ACL keeps it), so a
 * check is a few hash lookups. Two threads may build the same index at once; either result is right.
 */
public final class AclAuthorizer {

    private static final Set<AclOperation> IMPLY_DESCRIBE =
            Set.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER);

    private final Supplier<AclsImage> acls;
    private final KafkaPrincipal[] superUsers;
    private final boolean allowEveryoneIfNoAclFound;
    private volatile AclIndex index = AclIndex.EMPTY;

    public AclAuthorizer(Supplier<AclsImage> acls, Set<KafkaPrincipal> superUsers, boolean allowEveryoneIfNoAclFound) {
        this.acls = Objects.requireNonNull(acls);
        this.superUsers = superUsers.toArray(new KafkaPrincipal[0]);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
    }

    public boolean isSuperUser(KafkaPrincipal principal) {
        for (KafkaPrincipal superUser : superUsers) {
            if (superUser.getName().equals(principal.getName())
                    && superUser.getPrincipalType().equals(principal.getPrincipalType())) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code principal} connected from {@code host} may do {@code operation} on {@code type}/{@code name}. */
    public boolean authorize(KafkaPrincipal principal, InetAddress host, AclOperation operation, ResourceType type,
                             String name) {
        if (isSuperUser(principal)) {
            return true;
        }
        Decision decision = new Decision(principal, host, operation);
        boolean any = currentIndex().forEachMatching(type, name, decision::see);
        if (decision.denied) {
            return false;
        }
        if (decision.allowed) {
            return true;
        }
        return !any && allowEveryoneIfNoAclFound;
    }

    /**
     * Whether {@code principal} may do {@code operation} on at least one resource of {@code type}, as
     * Kafka's {@code Authorizer.authorizeByResourceType}: a super user, or a resource no ACL covers
     * while {@code allow.everyone.if.no.acl.found}, may; a LITERAL {@code *} DENY forbids; otherwise an
     * ALLOW of the operation itself (or ALL, nothing implied) on {@code *}, or on a name or prefix not
     * covered by a DENY of the same principal (literal on that name or a prefix of it), allows.
     * The idempotent producer's InitProducerId asks this of TOPIC WRITE.
     */
    public boolean authorizeByResourceType(KafkaPrincipal principal, InetAddress host, AclOperation operation,
                                           ResourceType type) {
        if (authorize(principal, host, operation, type, "hardcode")) {
            return true;
        }
        Set<String> deniedLiterals = new HashSet<>();
        Set<String> deniedPrefixes = new HashSet<>();
        Set<String> allowedLiterals = new HashSet<>();
        Set<String> allowedPrefixes = new HashSet<>();
        boolean wildcardAllowed = false;
        String hostAddress = host == null ? null : host.getHostAddress();
        List<AclIndex.Entry> entries = currentIndex().ofType(type);
        for (AclIndex.Entry entry : entries) {
            if (!entry.matchesPrincipal(principal) || !matchesHost(entry, hostAddress)
                    || (entry.operation() != operation && entry.operation() != AclOperation.ALL)) {
                continue;
            }
            boolean literal = entry.patternType() == PatternType.LITERAL;
            if (entry.permission() == AclPermissionType.DENY) {
                if (literal && entry.resourceName().equals(ResourcePattern.WILDCARD_RESOURCE)) {
                    return false;
                }
                (literal ? deniedLiterals : deniedPrefixes).add(entry.resourceName());
            } else if (entry.permission() == AclPermissionType.ALLOW) {
                if (literal && entry.resourceName().equals(ResourcePattern.WILDCARD_RESOURCE)) {
                    wildcardAllowed = true; // decided after the loop: a wildcard DENY may still follow
                } else {
                    (literal ? allowedLiterals : allowedPrefixes).add(entry.resourceName());
                }
            }
        }
        if (wildcardAllowed) {
            return true;
        }
        for (String name : allowedLiterals) {
            if (!deniedLiterals.contains(name) && !coveredByPrefix(name, deniedPrefixes)) {
                return true;
            }
        }
        for (String prefix : allowedPrefixes) {
            if (!coveredByPrefix(prefix, deniedPrefixes)) {
                return true;
            }
        }
        return false;
    }

    private static boolean coveredByPrefix(String name, Set<String> prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesHost(AclIndex.Entry entry, String hostAddress) {
        return entry.host().equals(ResourcePattern.WILDCARD_RESOURCE) || entry.host().equals(hostAddress);
    }

    private AclIndex currentIndex() {
        AclsImage now = acls.get();
        AclIndex current = index;
        if (current.source != now) {
            current = new AclIndex(now);
            index = current;
        }
        return current;
    }

    /** The verdict so far over the ACLs that apply to one resource. */
    private static final class Decision {
        private final KafkaPrincipal principal;
        private final InetAddress host;
        private final AclOperation operation;
        private String hostAddress;
        boolean denied;
        boolean allowed;

        Decision(KafkaPrincipal principal, InetAddress host, AclOperation operation) {
            this.principal = principal;
            this.host = host;
            this.operation = operation;
        }

        boolean see(AclIndex.Entry entry) {
            if (!entry.matchesPrincipal(principal) || !hostMatches(entry)) {
                return true;
            }
            if (entry.permission() == AclPermissionType.DENY) {
                if (entry.operation() == AclOperation.ALL || entry.operation() == operation) {
                    denied = true;
                    return false;
                }
            } else if (entry.permission() == AclPermissionType.ALLOW && !allowed) {
                allowed = entry.operation() == AclOperation.ALL || entry.operation() == operation
                        || (operation == AclOperation.DESCRIBE && IMPLY_DESCRIBE.contains(entry.operation()))
                        || (operation == AclOperation.DESCRIBE_CONFIGS
                                && entry.operation() == AclOperation.ALTER_CONFIGS);
            }
            return true;
        }

        private boolean hostMatches(AclIndex.Entry entry) {
            if (entry.host().equals(ResourcePattern.WILDCARD_RESOURCE)) {
                return true;
            }
            if (hostAddress == null && host != null) {
                hostAddress = host.getHostAddress();
            }
            return entry.host().equals(hostAddress);
        }
    }
}
