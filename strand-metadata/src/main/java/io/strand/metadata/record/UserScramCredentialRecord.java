package io.strand.metadata.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user's SCRAM credential for one mechanism, as Kafka's {@code UserScramCredentialRecord}: created or
 * replaced by AlterUserScramCredentials. The password itself is never stored: only the salt, the
 * iteration count and the keys the server checks a client's proof with (RFC 5802: {@code StoredKey},
 * {@code ServerKey}).
 *
 * @param name       the user name (the SCRAM user, which the default principal builder names {@code User:<name>})
 * @param mechanism  Kafka's SCRAM mechanism type: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512
 * @param salt       the salt
 * @param storedKey  H(HMAC(SaltedPassword, "Client Key"))
 * @param serverKey  HMAC(SaltedPassword, "Server Key")
 * @param iterations the PBKDF2 iteration count
 */
public record UserScramCredentialRecord(String name, byte mechanism, byte[] salt, byte[] storedKey, byte[] serverKey,
                                        int iterations) implements MetadataRecord {
    public UserScramCredentialRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(salt, "salt");
        Objects.requireNonNull(storedKey, "storedKey");
        Objects.requireNonNull(serverKey, "serverKey");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserScramCredentialRecord r && name.equals(r.name) && mechanism == r.mechanism
                && Arrays.equals(salt, r.salt) && Arrays.equals(storedKey, r.storedKey)
                && Arrays.equals(serverKey, r.serverKey) && iterations == r.iterations;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, mechanism, Arrays.hashCode(salt), Arrays.hashCode(storedKey),
                Arrays.hashCode(serverKey), iterations);
    }

    /** Names the user and mechanism only: the keys stay out of logs. */
    @Override
    public String toString() {
        return "UserScramCredentialRecord(name=" + name + ", mechanism=" + mechanism + ", iterations=[hidden])";
    }
}
