package io.strand.metadata.image;

import io.strand.metadata.record.UserScramCredentialRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The SCRAM credentials of the cluster's users, as the {@link UserScramCredentialRecord}s and
 * {@code RemoveUserScramCredentialRecord}s of the metadata log left them: per user, at most one
 * credential per mechanism (Kafka's type ids: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512). Immutable; what a
 * SASL listener checks a client's SCRAM proof against and what DescribeUserScramCredentials lists.
 */
public final class ScramImage {

    public static final ScramImage EMPTY = new ScramImage(Map.of());

    /** User → mechanism type → its credential record; both levels sorted. */
    private final Map<String, Map<Byte, UserScramCredentialRecord>> credentials;

    /** {@code credentials} is copied. */
    ScramImage(Map<String, Map<Byte, UserScramCredentialRecord>> credentials) {
        Map<String, Map<Byte, UserScramCredentialRecord>> copy = new TreeMap<>();
        credentials.forEach((user, byMechanism) -> {
            if (!byMechanism.isEmpty()) {
                copy.put(user, MetadataImage.frozen(new TreeMap<>(byMechanism)));
            }
        });
        this.credentials = MetadataImage.frozen(copy);
    }

    /** The credential of {@code user} for mechanism type {@code mechanism}, or null when it has none. */
    public UserScramCredentialRecord credential(String user, byte mechanism) {
        Map<Byte, UserScramCredentialRecord> byMechanism = credentials.get(user);
        return byMechanism == null ? null : byMechanism.get(mechanism);
    }

    /** Every user with at least one credential → its credentials by mechanism type, in name order. */
    public Map<String, Map<Byte, UserScramCredentialRecord>> all() {
        return credentials;
    }

    /** The records that rebuild this image: one per credential, by user and mechanism. */
    List<UserScramCredentialRecord> toRecords() {
        List<UserScramCredentialRecord> records = new ArrayList<>();
        credentials.values().forEach(byMechanism -> records.addAll(byMechanism.values()));
        return records;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramImage other && credentials.equals(other.credentials);
    }

    @Override
    public int hashCode() {
        return Objects.hash(credentials);
    }

    /** Users and mechanism types only: no keys in logs. */
    @Override
    public String toString() {
        Map<String, Object> users = new TreeMap<>();
        credentials.forEach((user, byMechanism) -> users.put(user, byMechanism.keySet()));
        return "ScramImage" + users;
    }
}
