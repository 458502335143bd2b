package io.strand.broker.api.quota;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData.ComponentData;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;

/**
 * The filter of a DescribeClientQuotas request, with Kafka's semantics: each component names an
 * entity type once and matches an entity that has that type with exactly the given name
 * ({@code match_type} 0), with the default, null name (1), or with any name (2). Non-strict, an
 * entity may have further types; {@code strict}, it has no type the filter does not name. No
 * components and non-strict matches everything. Immutable.
 */
final class ClientQuotaFilter {

    private static final String USER = "user";
    private static final String CLIENT_ID = "client-id";
    private static final String IP = "ip";

    /** Type → required name (null = the default). */
    private final Map<String, String> exact;
    private final Set<String> any;
    private final boolean strict;

    private ClientQuotaFilter(Map<String, String> exact, Set<String> any, boolean strict) {
        this.exact = exact;
        this.any = any;
        this.strict = strict;
    }

    /**
     * @throws InvalidRequestException     for an empty type, a type named twice, a match type Kafka does
     *                                     not know, or ip with user or client-id (Kafka's messages)
     * @throws UnsupportedVersionException for an entity type other than user, client-id and ip
     */
    static ClientQuotaFilter of(DescribeClientQuotasRequestData request) {
        Map<String, String> exact = new HashMap<>();
        Set<String> any = new HashSet<>();
        for (ComponentData component : request.components()) {
            String type = component.entityType();
            if (type.isEmpty()) {
                throw new InvalidRequestException("Invalid empty entity type.");
            }
            if (exact.containsKey(type) || any.contains(type)) {
                throw new InvalidRequestException("Entity type " + type + " cannot appear more than once in the filter.");
            }
            if (!type.equals(USER) && !type.equals(CLIENT_ID) && !type.equals(IP)) {
                throw new UnsupportedVersionException("Unsupported entity type " + type);
            }
            switch (component.matchType()) {
                case DescribeClientQuotasRequest.MATCH_TYPE_EXACT -> {
                    if (component.match() == null) {
                        throw new InvalidRequestException("Request specified MATCH_TYPE_EXACT, but set match string to null");
                    }
                    exact.put(type, component.match());
                }
                case DescribeClientQuotasRequest.MATCH_TYPE_DEFAULT -> exact.put(type, null);
                case DescribeClientQuotasRequest.MATCH_TYPE_SPECIFIED -> any.add(type);
                default -> throw new InvalidRequestException("Unexpected match type " + component.matchType());
            }
        }
        boolean hasIp = exact.containsKey(IP) || any.contains(IP);
        boolean hasUserOrClient = exact.containsKey(USER) || any.contains(USER) || exact.containsKey(CLIENT_ID)
                || any.contains(CLIENT_ID);
        if (hasIp && hasUserOrClient) {
            throw new InvalidRequestException("Invalid entity filter component combination. IP filter component "
                    + "should not be used with user or clientId filter component.");
        }
        return new ClientQuotaFilter(exact, any, request.strict());
    }

    /** Whether {@code entity} (type → name, null for the default) is selected. */
    boolean matches(Map<String, String> entity) {
        if (strict && entity.size() != exact.size() + any.size()) {
            return false;
        }
        for (Map.Entry<String, String> e : exact.entrySet()) {
            if (!entity.containsKey(e.getKey()) || !Objects.equals(entity.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        for (String type : any) {
            if (!entity.containsKey(type)) {
                return false;
            }
        }
        return true;
    }
}
