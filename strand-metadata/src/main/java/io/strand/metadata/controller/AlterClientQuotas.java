package io.strand.metadata.controller;

import io.strand.metadata.image.ClientQuotasImage;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClientQuotaRecord;
import io.strand.metadata.record.MetadataRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;
import org.apache.kafka.common.requests.AlterClientQuotasResponse;
import org.apache.kafka.common.requests.ApiError;

/**
 * Computes an AlterClientQuotas request against an image, as Kafka's {@code ClientQuotaControlManager} does,
 * with its INVALID_REQUEST messages and its answer's shape. Stateless.
 *
 * <p>Each entry's entity is read as kafka-clients reads it ({@link AlterClientQuotasRequest#entries}: a map
 * of entity type to name, so a type named twice keeps its last name) and its operations as a map of key to
 * value (a key named twice keeps its first value). Per entry, the first failure failing the entry:
 * <ol>
 *   <li>a key named twice, or an entity met in an earlier entry: "Ignoring duplicate entity …" (Kafka first
 *       records "Duplicate quota key …" and then finds the entity already answered);</li>
 *   <li>the entity: not empty, types among {@code user}, {@code client-id}, {@code ip}, no empty name
 *       (null = the default);</li>
 *   <li>the combination: user, client-id or both take the user and client quota keys; ip alone takes
 *       {@code connection_creation_rate}, and its name, unless the default, must be an address or a
 *       host name that resolves (as Kafka checks it: a host name costs a lookup); ip with another type
 *       is refused;</li>
 *   <li>each value set: a known key for the entity, above 0, integral for the integral keys
 *       ({@code producer_byte_rate}, {@code consumer_byte_rate} are LONGs, {@code connection_creation_rate}
 *       an INT, {@code request_percentage} and {@code controller_mutation_rate} DOUBLEs).</li>
 * </ol>
 * A removal of a key the entity does not have writes nothing; a value equal to the current one neither. The
 * answer has one entry per distinct entity, built by kafka-clients from a hash map of the results as Kafka
 * builds it (so in Kafka's order, a repeated entity answered once with the duplicate's error). The records of
 * every entry that passed form one batch, those of an entity repeated later included, as Kafka writes them;
 * {@code validate_only} writes none.
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
        List<MetadataRecord> records = new ArrayList<>();
        // Kafka's own structures, so that the answer's order and merging are Kafka's.
        Map<ClientQuotaEntity, ApiError> results = new HashMap<>();
        List<ClientQuotaAlteration> alterations = new AlterClientQuotasRequest(request,
                ApiKeys.ALTER_CLIENT_QUOTAS.latestVersion()).entries();
        for (ClientQuotaAlteration alteration : alterations) {
            ClientQuotaEntity entity = alteration.entity();
            Map<String, Double> ops = new HashMap<>(alteration.ops().size());
            boolean duplicateKey = false;
            for (ClientQuotaAlteration.Op op : alteration.ops()) {
                if (ops.containsKey(op.key())) {
                    duplicateKey = true;
                } else {
                    ops.put(op.key(), op.value());
                }
            }
            if (duplicateKey || results.containsKey(entity)) {
                results.put(entity, new ApiError(Errors.INVALID_REQUEST, "Ignoring duplicate entity " + entity));
                continue;
            }
            Map<String, String> validated = new HashMap<>(3);
            String error = entityError(entity.entries(), validated);
            List<ClientQuotaRecord> entryRecords = new ArrayList<>();
            if (error == null) {
                error = opsError(validated, ops, quotas.quotas(validated), entryRecords);
            }
            if (error != null) {
                results.put(entity, new ApiError(Errors.INVALID_REQUEST, error));
            } else {
                results.put(entity, ApiError.NONE);
                records.addAll(entryRecords);
            }
        }
        AlterClientQuotasResponseData response = AlterClientQuotasResponse.fromQuotaEntities(results, 0).data();
        return new ControllerResult<>(request.validateOnly() ? List.of() : records, response);
    }

    /** Null when the entity is valid (then filled into {@code validated}), else Kafka's message. */
    private static String entityError(Map<String, String> entity, Map<String, String> validated) {
        if (entity.isEmpty()) {
            return "Invalid empty client quota entity";
        }
        for (Map.Entry<String, String> part : entity.entrySet()) {
            String type = part.getKey();
            if (!USER.equals(type) && !CLIENT_ID.equals(type) && !IP.equals(type)) {
                return "Unhandled client quota entity type: " + type;
            }
            validated.put(type, part.getValue());
            if (part.getValue() != null && part.getValue().isEmpty()) {
                return "Empty " + type + " not supported";
            }
        }
        if (validated.containsKey(IP)) {
            if (validated.size() > 1) {
                // Kafka's message, its missing space included.
                return "Invalid quota entity combination, IP entity should"
                        + "not be combined with User or ClientId";
            }
            String ip = validated.get(IP);
            if (ip != null && !resolves(ip)) {
                return ip + " is not a valid IP or resolvable host.";
            }
        }
        return null;
    }

    /** Null when every operation is valid (their records then in {@code out}), else Kafka's message. */
    private static String opsError(Map<String, String> entity, Map<String, Double> ops, Map<String, Double> current,
                                   List<ClientQuotaRecord> out) {
        for (Map.Entry<String, Double> alteration : ops.entrySet()) {
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
            return "Proposed value for " + key + " is too large for an INT.";
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
}
