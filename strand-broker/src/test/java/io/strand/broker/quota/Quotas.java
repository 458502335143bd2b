package io.strand.broker.quota;

import io.strand.metadata.image.ClientQuotasImage;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClientQuotaRecord;
import java.util.HashMap;
import java.util.Map;

/** Client quotas for tests, built through the metadata image as the broker sees them. */
final class Quotas {

    private MetadataImage image = MetadataImage.EMPTY;

    /** An entity from type, name pairs; a null name is the default of its type. */
    static Map<String, String> entity(String... typeName) {
        Map<String, String> entity = new HashMap<>();
        for (int i = 0; i < typeName.length; i += 2) {
            entity.put(typeName[i], typeName[i + 1]);
        }
        return entity;
    }

    Quotas set(Map<String, String> entity, String key, double value) {
        return replay(ClientQuotaRecord.set(entity, key, value));
    }

    Quotas remove(Map<String, String> entity, String key) {
        return replay(ClientQuotaRecord.removal(entity, key));
    }

    private Quotas replay(ClientQuotaRecord record) {
        MetadataDelta delta = new MetadataDelta(image);
        delta.replay(record);
        image = delta.apply(image.appliedOffset() + 1);
        return this;
    }

    ClientQuotasImage image() {
        return image.clientQuotas();
    }
}
