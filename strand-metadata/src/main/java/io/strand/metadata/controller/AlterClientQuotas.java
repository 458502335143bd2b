package io.strand.metadata.controller;

import io.strand.metadata.image.ClientQuotasImage;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClientQuotaRecord;
import io.strand.metadata.record.MetadataRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Computes an AlterClientQuotas request against an image, with the checks and INVALID_REQUEST
 * messages of Kafka's {@code ClientQuotaControlManager}. Stateless.
 *
 * <p>Per entry (one entity and its operations), in this order, the first failure failing the entry as
 * a whole:
 * <ol>
 *   <li>an entity appearing in an earlier entry: "Ignoring duplicate entity …"; a key set twice in
 *       one entry: "Duplicate quota key …";</li>
 *   <li>the entity: not empty, types among {@code user}, {@code client-id}, {@code ip}, each once,
 *       no empty name (null = the default);</li>
 *   <li>the combination: user, client-id or both take the user and client quota keys; ip alone takes
 *       {@code connection_creation_rate}, and its name, unless the default, must be an address or a
 *       host name that resolves (as Kafka checks it: a host name costs a lookup); ip with another type
 *       is refused;</li>
 *   <li>each value set: a known key for the entity, above 0, integral for the integral keys
 *       ({@code producer_byte_rate}, {@code consumer_byte_rate} are LONGs, {@code connection_creation_rate}
 *       an INT, {@code request_percentage} and {@code controller_mutation_rate} DOUBLEs).</li>
 * </ol>
 * A removal of a key the entity does not have writes nothing; a value equal to the current one
 * neither. The records of the valid entries form one batch; {@code validate_only} writes none.
 */
final class AlterClientQuotas {

    static final String USER = "user";
    static final String CLIENT_ID = "client-id";
    static final String IP = "ip";

    /** The keys of user and client-id entities, and whether each must be integral. */
    static final Map<String, Boolean> USER_CLIENT_KEYS = Map.of(
            "producer_byte_rate", true,
            "consumer_byte_rate", true,
            "request_percentage", false,
            "controller_mutation_rate", false);
    /** The key of ip entities, an INT in Kafka. */
    static final String CONNECTION_CREATION_RATE = "connection_creation_rate";

    private AlterClientQuotas() {
    }

    static ControllerResult<AlterClientQuotasResponseData> compute(MetadataImage image,
                                                                   AlterClientQuotasRequestData request) {
        ClientQuotasImage quotas = image.clientQuotas();
        AlterClientQuotasResponseData response = new AlterClientQuotasResponseData();
        List<MetadataRecord> records = new ArrayList<>();
        Set<Map<String, String>> seen = new HashSet<>();
        for (EntryData entry : request.entries()) {
            Map<String, String> entity = new LinkedHashMap<>();
            String error = entityError(entry.entity(), entity);
            if (error == null && !seen.add(entity)) {
                error = "Ignoring duplicate entity " + describe(entity);
            }
            List<ClientQuotaRecord> entryRecords = new ArrayList<>();
            if (error == null) {
                error = opsError(entity, entry.ops(), quotas.quotas(entity), entryRecords);
            }
            AlterClientQuotasResponseData.EntryData result = new AlterClientQuotasResponseData.EntryData();
            for (AlterClientQuotasRequestData.EntityData part : entry.entity()) {
                result.entity().add(new AlterClientQuotasResponseData.EntityData().setEntityType(part.entityType()).setEntityName(part.entityName()));
            }
            if (error != null) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(error);
            } else {
                result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
                records.addAll(entryRecords);
            }
            response.entries().add(result);
        }
        return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
    }

    /** Null when the entity is valid (then filled into {@code entity}), else Kafka's message. */
    private static String entityError(List<AlterClientQuotasRequestData.EntityData> parts, Map<String, String> entity) {
        if (parts.isEmpty()) {
            return "Invalid empty client quota entity";
        }
        for (AlterClientQuotasRequestData.EntityData part : parts) {
            String type = part.entityType();
            if (entity.containsKey(type)) {
                return "Invalid client quota entity, duplicate entity entry " + type;
            }
            if (!USER.equals(type) && !CLIENT_ID.equals(type) && !IP.equals(type)) {
                return "Unhandled client quota entity type: " + type;
            }
            entity.put(type, part.entityName());
            if (part.entityName() != null && part.entityName().isEmpty()) {
                return "Empty " + type + " not supported";
            }
        }
        if (entity.containsKey(IP)) {
            if (entity.size() > 1) {
                // Kafka's message, its missing space included.
                return "Invalid quota entity combination, IP entity should"
                        + "not be combined with User or ClientId";
            }
            String ip = entity.get(IP);
            if (ip != null && !resolves(ip)) {
                return ip + " is not a valid IP or resolvable host.";
            }
        }
        return null;
    }

    private static String opsError(Map<String, String> entity, List<OpData> ops, Map<String, Double> current,
                                   List<ClientQuotaRecord> out) {
        Map<String, Double> alterations = new LinkedHashMap<>();
        for (OpData op : ops) {
            if (alterations.containsKey(op.key())) {
                return "Duplicate quota key " + op.key() + " not updating quota for this entity " + describe(entity);
            }
            alterations.put(op.key(), op.remove() ? null : op.value());
        }
        for (Map.Entry<String, Double> alteration : alterations.entrySet()) {
            String key = alteration.getKey();
            Double value = alteration.getValue();
            if (value == null) {
                if (current.containsKey(key)) {
                    out.add(ClientQuotaRecord.removal(entity, key));
                }
                continue;
            }
            String error = entity.containsKey(IP) ? ipValueError(key, value) : valueError(key, value);
            if (error != null) {
                return error;
            }
            if (!Objects.equals(current.get(key), value)) {
                out.add(ClientQuotaRecord.set(entity, key, value));
            }
        }
        return null;
    }

    /** Null when {@code value} is valid for {@code key} of a user or client-id entity. */
    static String valueError(String key, double value) {
        Boolean integral = USER_CLIENT_KEYS.get(key);
        if (integral == null) {
            return "Invalid configuration key " + key;
        }
        if (value <= 0.0) {
            return "Quota " + key + " must be greater than 0";
        }
        if (integral) {
            if (value > Long.MAX_VALUE) {
                return "Proposed value for " + key + " is too large for a LONG.";
            }
            if (Math.abs(value % 1.0) > 1e-6) {
                return key + " cannot be a fractional value.";
            }
        }
        return null;
    }

    /** Null when {@code value} is valid for {@code key} of an ip entity. */
    static String ipValueError(String key, double value) {
        if (!CONNECTION_CREATION_RATE.equals(key)) {
            return "Invalid configuration key " + key;
        }
        if (value <= 0.0) {
            return "Quota " + key + " must be greater than 0";
        }
        if (value > Integer.MAX_VALUE) {
            return "Proposed value for " + key + " is too large for a INT.";
        }
        if (Math.abs(value % 1.0) > 1e-6) {
            return key + " cannot be a fractional value.";
        }
        return null;
    }

    private static boolean resolves(String host) {
        try {
            InetAddress.getByName(host);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** As kafka-clients' ClientQuotaEntity prints an entity. */
    private static String describe(Map<String, String> entity) {
        return "ClientQuotaEntity(entries=" + new HashMap<>(entity) + ")";
    }
}
