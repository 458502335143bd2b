package io.strand.broker;

import io.strand.broker.network.ScramCredentialStore;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.UserScramCredentialRecord;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.security.scram.ScramCredential;

/**
 * SASL listeners' SCRAM credentials from the broker's metadata image (the one its handlers answer
 * from), so a credential is usable here once AlterUserScramCredentials has been applied to it.
 * Thread-safe: reads the current immutable image.
 */
final class ImageScramCredentials implements ScramCredentialStore {

    private final Supplier<MetadataImage> image;

    ImageScramCredentials(Supplier<MetadataImage> image) {
        this.image = image;
    }

    @Override
    public ScramCredential credential(String user, String mechanism) {
        ScramMechanism type = ScramMechanism.fromMechanismName(mechanism);
        if (type == ScramMechanism.UNKNOWN) {
            return null;
        }
        UserScramCredentialRecord stored = image.get().scram().credential(user, type.type());
        return stored == null ? null
                : new ScramCredential(stored.salt(), stored.storedKey(), stored.serverKey(), stored.iterations());
    }
}
