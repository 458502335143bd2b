package io.strand.broker.network;

import org.apache.kafka.common.security.scram.ScramCredential;

/**
 * Where a SASL listener finds a user's SCRAM credential: the metadata image's, on a broker. Thread-safe;
 * called on the event loops of SASL listeners, so it must answer from memory at once.
 */
@FunctionalInterface
public interface ScramCredentialStore {

    /** No credentials: every SCRAM authentication fails. */
    ScramCredentialStore NONE = (user, mechanism) -> null;

    /**
     * @param mechanism {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
     * @return the credential of {@code user} for {@code mechanism}, or null when it has none
     */
    ScramCredential credential(String user, String mechanism);
}
