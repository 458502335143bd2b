package io.strand.metadata.record;

import java.util.Objects;

/**
 * Deletes a user's SCRAM credential for one mechanism, as Kafka's {@code RemoveUserScramCredentialRecord}.
 * Written only for a credential that exists (AlterUserScramCredentials answers RESOURCE_NOT_FOUND
 * otherwise); replaying one for a missing credential changes nothing.
 *
 * @param name      the user name
 * @param mechanism Kafka's SCRAM mechanism type: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512
 */
public record RemoveUserScramCredentialRecord(String name, byte mechanism) implements MetadataRecord {
    public RemoveUserScramCredentialRecord {
        Objects.requireNonNull(name, "name");
    }
}
