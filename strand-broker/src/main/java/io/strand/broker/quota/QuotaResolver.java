package io.strand.broker.quota;

import io.strand.metadata.image.ClientQuotasImage;
import java.util.HashMap;
import java.util.Map;

/**
 * Which quota of one type applies to a client, as Kafka's default quota callback decides it. Built
 * from the image's client quotas; immutable, thread-safe.
 *
 * <p>For user {@code u} and client id {@code c}, the first entity holding the quota's key in this
 * order applies, and the rate is measured per the <i>tags</i> shown (so a default quota holds each
 * user or client to it separately, and a user quota is shared by all the user's client ids):
 * <pre>
 * | # | entity                            | tags (user, client-id) |
 * |---|-----------------------------------|------------------------|
 * | 1 | user=u, client-id=c               | (u, c)                 |
 * | 2 | user=u, client-id=default         | (u, c)                 |
 * | 3 | user=u                            | (u, "")                |
 * | 4 | user=default, client-id=c         | (u, c)                 |
 * | 5 | user=default, client-id=default   | (u, c)                 |
 * | 6 | user=default                      | (u, "")                |
 * | 7 | client-id=c                       | ("", c)                |
 * | 8 | client-id=default                 | ("", c)                |
 * </pre>
 * {@link #limit(Tags)} answers the other way round, as Kafka re-reads the bound of an existing
 * sensor: for tags (u, c) rows 1, 2, 4, 5; for (u, "") rows 3, 6; for ("", c) rows 7, 8.
 */
final class QuotaResolver {

    /** The tags a rate is kept under: "" for a part the applying quota does not name. */
    record Tags(String user, String clientId) {
    }

    /** A quota that applies to a client: its tags and bound. */
    record Resolution(Tags tags, double bound) {
    }

    /** An entity part: absent (null name, not default), the default, or a name. */
    private record Key(boolean hasUser, String user, boolean hasClient, String clientId) {
    }

    static final QuotaResolver EMPTY = new QuotaResolver(Map.of());

    private final Map<Key, Double> bounds;

    private QuotaResolver(Map<Key, Double> bounds) {
        this.bounds = bounds;
    }

    /** The quotas of {@code key} among {@code image}'s; entities with ip parts are ignored. */
    static QuotaResolver of(ClientQuotasImage image, String key) {
        Map<Key, Double> bounds = new HashMap<>();
        image.entities().forEach((entity, quotas) -> {
            Double bound = quotas.get(key);
            if (bound == null || entity.containsKey("ip")) {
                return;
            }
            bounds.put(new Key(entity.containsKey("user"), entity.get("user"),
                    entity.containsKey("client-id"), entity.get("client-id")), bound);
        });
        return bounds.isEmpty() ? EMPTY : new QuotaResolver(Map.copyOf(bounds));
    }

    /** True when no client has a quota of this type: callers skip all accounting. */
    boolean isEmpty() {
        return bounds.isEmpty();
    }

    /** The quota that applies to {@code user} with {@code clientId}, or null when none does. */
    Resolution resolve(String user, String clientId) {
        Double bound;
        if ((bound = bound(true, user, true, clientId)) != null
                || (bound = bound(true, user, true, null)) != null) {
            return new Resolution(new Tags(user, clientId), bound);
        }
        if ((bound = bound(true, user, false, null)) != null) {
            return new Resolution(new Tags(user, ""), bound);
        }
        if ((bound = bound(true, null, true, clientId)) != null
                || (bound = bound(true, null, true, null)) != null) {
            return new Resolution(new Tags(user, clientId), bound);
        }
        if ((bound = bound(true, null, false, null)) != null) {
            return new Resolution(new Tags(user, ""), bound);
        }
        if ((bound = bound(false, null, true, clientId)) != null
                || (bound = bound(false, null, true, null)) != null) {
            return new Resolution(new Tags("", clientId), bound);
        }
        return null;
    }

    /** The bound for a rate kept under {@code tags}, or null when no quota names them any more. */
    Double limit(Tags tags) {
        String user = tags.user();
        String clientId = tags.clientId();
        Double bound = null;
        if (!user.isEmpty() && !clientId.isEmpty()) {
            if ((bound = bound(true, user, true, clientId)) == null
                    && (bound = bound(true, user, true, null)) == null
                    && (bound = bound(true, null, true, clientId)) == null) {
                bound = bound(true, null, true, null);
            }
        } else if (!user.isEmpty()) {
            if ((bound = bound(true, user, false, null)) == null) {
                bound = bound(true, null, false, null);
            }
        } else if (!clientId.isEmpty()) {
            if ((bound = bound(false, null, true, clientId)) == null) {
                bound = bound(false, null, true, null);
            }
        }
        return bound;
    }

    private Double bound(boolean hasUser, String user, boolean hasClient, String clientId) {
        return bounds.get(new Key(hasUser, user, hasClient, clientId));
    }
}
