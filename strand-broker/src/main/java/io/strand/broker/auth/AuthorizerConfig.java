package io.strand.broker.auth;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.SecurityUtils;

/**
 * The authorization settings of a broker, with Kafka's names, validated at start-up:
 * <ul>
 *   <li>{@code authorizer.class.name} (default empty): empty means no authorization, every request
 *       is allowed as before; {@value #KAFKA_STANDARD_AUTHORIZER} or {@value #STRAND_AUTHORIZER}
 *       select {@link AclAuthorizer}; any other value is refused (Strand loads no authorizer plug-in).</li>
 *   <li>{@code super.users} (default empty): principals allowed everything, separated by
 *       semicolons ({@code User:admin;User:ops}), each {@code Type:name}.</li>
 *   <li>{@code allow.everyone.if.no.acl.found} (default false): whether a resource no ACL matches is
 *       open to everyone.</li>
 * </ul>
 * Immutable.
 */
public final class AuthorizerConfig {

    public static final String AUTHORIZER_CLASS_NAME = "authorizer.class.name";
    public static final String SUPER_USERS = "super.users";
    public static final String ALLOW_EVERYONE_IF_NO_ACL_FOUND = "allow.everyone.if.no.acl.found";
    public static final String KAFKA_STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    public static final String STRAND_AUTHORIZER = "io.strand.broker.auth.AclAuthorizer";

    public static final ConfigDef DEF = new ConfigDef()
            .define(AUTHORIZER_CLASS_NAME, Type.STRING, "", Importance.HIGH,
                    "Empty for no authorization; " + KAFKA_STANDARD_AUTHORIZER + " (or " + STRAND_AUTHORIZER
                            + ") for ACLs kept in the metadata log, with Kafka's StandardAuthorizer semantics.")
            .define(SUPER_USERS, Type.STRING, "", Importance.MEDIUM,
                    "Principals allowed every operation, separated by semicolons (User:admin;User:ops).")
            .define(ALLOW_EVERYONE_IF_NO_ACL_FOUND, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Whether a resource that no ACL matches is open to every principal.");

    /** No authorization: today's behaviour. */
    public static final AuthorizerConfig NONE = new AuthorizerConfig(false, Set.of(), false);

    private final boolean enabled;
    private final Set<KafkaPrincipal> superUsers;
    private final boolean allowEveryoneIfNoAclFound;

    public AuthorizerConfig(boolean enabled, Set<KafkaPrincipal> superUsers, boolean allowEveryoneIfNoAclFound) {
        this.enabled = enabled;
        this.superUsers = Set.copyOf(superUsers);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
    }

    /** @throws ConfigException naming the property and the bad value */
    public static AuthorizerConfig from(Map<String, String> originals) {
        Map<String, String> own = new java.util.HashMap<>();
        for (String name : DEF.names()) {
            if (originals.containsKey(name)) {
                own.put(name, originals.get(name));
            }
        }
        AbstractConfig values = new AbstractConfig(DEF, own, false);
        String className = values.getString(AUTHORIZER_CLASS_NAME).trim();
        boolean enabled;
        if (className.isEmpty()) {
            enabled = false;
        } else if (className.equals(KAFKA_STANDARD_AUTHORIZER) || className.equals(STRAND_AUTHORIZER)) {
            enabled = true;
        } else {
            throw new ConfigException(AUTHORIZER_CLASS_NAME, className, "Strand's only authorizer is "
                    + KAFKA_STANDARD_AUTHORIZER + " (ACLs in the metadata log); leave it empty for none");
        }
        Set<KafkaPrincipal> superUsers = new LinkedHashSet<>();
        for (String entry : values.getString(SUPER_USERS).split(";")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                superUsers.add(SecurityUtils.parseKafkaPrincipal(trimmed));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SUPER_USERS, trimmed, "not a principal of the form Type:name");
            }
        }
        return new AuthorizerConfig(enabled, superUsers, values.getBoolean(ALLOW_EVERYONE_IF_NO_ACL_FOUND));
    }

    public boolean enabled() {
        return enabled;
    }

    public Set<KafkaPrincipal> superUsers() {
        return superUsers;
    }

    public boolean allowEveryoneIfNoAclFound() {
        return allowEveryoneIfNoAclFound;
    }
}
