package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.metadata.image.LocalMetadataLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlterClientQuotasTest {

    private final LocalMetadataLog metadataLog = new LocalMetadataLog();
    private final QuorumController controller = new QuorumController(metadataLog, Time.SYSTEM, new Random(3));

    @AfterEach
    void close() {
        controller.close();
    }

    /** An entity from type, name pairs (a null name is the default). */
    private static List<EntityData> entity(String... typeName) {
        List<EntityData> parts = new ArrayList<>();
        for (int i = 0; i < typeName.length; i += 2) {
            parts.add(new EntityData().setEntityType(typeName[i]).setEntityName(typeName[i + 1]));
        }
        return parts;
    }

    private static OpData set(String key, double value) {
        return new OpData().setKey(key).setValue(value);
    }

    private static OpData remove(String key) {
        return new OpData().setKey(key).setRemove(true);
    }

    private static EntryData entry(List<EntityData> entity, OpData... ops) {
        return new EntryData().setEntity(entity).setOps(new ArrayList<>(List.of(ops)));
    }

    /** The entries of the last request, to find the answer of each. */
    private List<EntryData> asked = List.of();

    private AlterClientQuotasResponseData alter(boolean validateOnly, EntryData... entries) {
        asked = List.of(entries);
        return get(controller.alterClientQuotas(new AlterClientQuotasRequestData().setValidateOnly(validateOnly)
                .setEntries(new ArrayList<>(List.of(entries)))));
    }

    /**
     * The answer to the last request's entry {@code index}: the answer's entry of the same entity (as Kafka, one
     * per distinct entity, a type named twice keeping its last name, in Kafka's hash order).
     */
    private String error(AlterClientQuotasResponseData response, int index) {
        AlterClientQuotasResponseData.EntryData entry = response.entries().stream()
                .filter(e -> entityOf(e).equals(entityOfRequest(asked.get(index)))).findFirst().orElseThrow();
        return Errors.forCode(entry.errorCode()) + (entry.errorMessage() == null ? "" : ": " + entry.errorMessage());
    }

    private static Map<String, String> entityOfRequest(EntryData entry) {
        Map<String, String> entity = new HashMap<>();
        entry.entity().forEach(part -> entity.put(part.entityType(), part.entityName()));
        return entity;
    }

    private static Map<String, String> entityOf(AlterClientQuotasResponseData.EntryData entry) {
        Map<String, String> entity = new HashMap<>();
        entry.entity().forEach(part -> entity.put(part.entityType(), part.entityName()));
        return entity;
    }

    @Test
    void setsAndRemovesQuotasOfUsersClientsAndDefaults() {
        AlterClientQuotasResponseData response = alter(false,
                entry(entity("client-id", "c"), set("producer_byte_rate", 1024), set("consumer_byte_rate", 2048)),
                entry(entity("user", null), set("request_percentage", 12.5)),
                entry(entity("user", "u", "client-id", null), set("controller_mutation_rate", 3)));

        assertThat(response.entries()).allSatisfy(e -> assertThat(e.errorCode()).isZero());
        Map<String, String> defaultUser = new HashMap<>();
        defaultUser.put("user", null);
        Map<String, String> userDefaultClient = new HashMap<>();
        userDefaultClient.put("user", "u");
        userDefaultClient.put("client-id", null);
        assertThat(metadataLog.image().clientQuotas().entities()).containsOnly(
                Map.entry(Map.of("client-id", "c"), Map.of("producer_byte_rate", 1024.0, "consumer_byte_rate", 2048.0)),
                Map.entry(defaultUser, Map.of("request_percentage", 12.5)),
                Map.entry(userDefaultClient, Map.of("controller_mutation_rate", 3.0)));

        alter(false, entry(entity("client-id", "c"), remove("producer_byte_rate"), remove("consumer_byte_rate")),
                entry(entity("user", null), remove("producer_byte_rate")));

        assertThat(metadataLog.image().clientQuotas().entities()).containsOnlyKeys(defaultUser, userDefaultClient);
    }

    @Test
    void validateOnlyChecksButWritesNothing() {
        AlterClientQuotasResponseData response = alter(true, entry(entity("client-id", "c"), set("producer_byte_rate", 1)),
                entry(entity("client-id", "d"), set("producer_byte_rate", 0)));

        assertThat(error(response, 0)).isEqualTo("NONE");
        assertThat(error(response, 1)).isEqualTo("INVALID_REQUEST: Quota producer_byte_rate must be greater than 0");
        assertThat(metadataLog.image().clientQuotas().isEmpty()).isTrue();
    }

    @Test
    void refusesEntitiesAsKafkaDoesWithItsMessages() {
        AlterClientQuotasResponseData response = alter(false,
                entry(entity(), set("producer_byte_rate", 1)),
                entry(entity("group", "g"), set("producer_byte_rate", 1)),
                entry(entity("user", ""), set("producer_byte_rate", 1)),
                entry(entity("user", "a", "user", "b"), set("producer_byte_rate", 1)),
                entry(entity("ip", "1.2.3.4", "user", "a"), set("connection_creation_rate", 1)),
                entry(entity("ip", "[::1"), set("connection_creation_rate", 1)),
                entry(entity("client-id", "dup"), set("producer_byte_rate", 1)),
                entry(entity("client-id", "dup"), set("producer_byte_rate", 2)));

        assertThat(error(response, 0)).isEqualTo("INVALID_REQUEST: Invalid empty client quota entity");
        assertThat(error(response, 1)).isEqualTo("INVALID_REQUEST: Unhandled client quota entity type: group");
        assertThat(error(response, 2)).isEqualTo("INVALID_REQUEST: Empty user not supported");
        assertThat(error(response, 3)).as("a type named twice keeps its last name, as kafka-clients reads it")
                .isEqualTo("NONE");
        assertThat(error(response, 4)).isEqualTo("INVALID_REQUEST: Invalid quota entity combination, IP entity should"
                + "not be combined with User or ClientId");
        assertThat(error(response, 5)).isEqualTo("INVALID_REQUEST: [::1 is not a valid IP or resolvable host.");
        assertThat(error(response, 6)).as("one answer per entity: the duplicate's")
                .isEqualTo("INVALID_REQUEST: Ignoring duplicate entity ClientQuotaEntity(entries={client-id=dup})");
        assertThat(error(response, 7)).isEqualTo(error(response, 6));
        assertThat(response.entries()).hasSize(7);
        assertThat(metadataLog.image().clientQuotas().entities()).as("the first of the duplicates is written, as Kafka")
                .containsOnlyKeys(Map.of("client-id", "dup"), Map.of("user", "b"));
        assertThat(metadataLog.image().clientQuotas().quotas(Map.of("client-id", "dup")))
                .containsEntry("producer_byte_rate", 1.0);
    }

    @Test
    void refusesKeysAndValuesAsKafkaDoes() {
        AlterClientQuotasResponseData response = alter(false,
                entry(entity("user", "u"), set("no_such_quota", 1)),
                entry(entity("user", "v"), set("consumer_byte_rate", -5)),
                entry(entity("client-id", "c"), set("producer_byte_rate", 1.5)),
                entry(entity("client-id", "d"), set("producer_byte_rate", 1), set("producer_byte_rate", 2)),
                entry(entity("client-id", "e"), set("request_percentage", 0.5), set("producer_byte_rate", 1e30)));

        assertThat(error(response, 0)).isEqualTo("INVALID_REQUEST: Invalid configuration key no_such_quota");
        assertThat(error(response, 1)).isEqualTo("INVALID_REQUEST: Quota consumer_byte_rate must be greater than 0");
        assertThat(error(response, 2)).isEqualTo("INVALID_REQUEST: producer_byte_rate cannot be a fractional value.");
        assertThat(error(response, 3)).as("Kafka answers a key named twice as a duplicate entity")
                .isEqualTo("INVALID_REQUEST: Ignoring duplicate entity ClientQuotaEntity(entries={client-id=d})");
        assertThat(error(response, 4)).isEqualTo(
                "INVALID_REQUEST: Proposed value for producer_byte_rate is too large for a LONG.");
        assertThat(metadataLog.image().clientQuotas().isEmpty()).isTrue();
    }

    @Test
    void anUnchangedValueOrAnAbsentRemovalWritesNothing() {
        alter(false, entry(entity("client-id", "c"), set("producer_byte_rate", 10)));
        long offset = metadataLog.image().appliedOffset();

        AlterClientQuotasResponseData response = alter(false,
                entry(entity("client-id", "c"), set("producer_byte_rate", 10), remove("consumer_byte_rate")));

        assertThat(error(response, 0)).isEqualTo("NONE");
        assertThat(metadataLog.image().appliedOffset()).isEqualTo(offset);
    }

    @Test
    void storesIpConnectionCreationRatesAndRefusesOtherKeysAndValuesForThem() {
        AlterClientQuotasResponseData response = alter(false,
                entry(entity("ip", "10.0.0.7"), set("connection_creation_rate", 5)),
                entry(entity("ip", null), set("connection_creation_rate", 20)),
                entry(entity("ip", "10.0.0.8"), set("producer_byte_rate", 5)),
                entry(entity("ip", "10.0.0.9"), set("connection_creation_rate", 2.5)),
                entry(entity("ip", "10.0.0.10"), set("connection_creation_rate", 3e9)),
                entry(entity("user", "u"), set("connection_creation_rate", 1)));

        assertThat(error(response, 0)).isEqualTo("NONE");
        assertThat(error(response, 1)).isEqualTo("NONE");
        assertThat(error(response, 2)).isEqualTo("INVALID_REQUEST: Invalid configuration key producer_byte_rate");
        assertThat(error(response, 3)).isEqualTo(
                "INVALID_REQUEST: connection_creation_rate cannot be a fractional value.");
        assertThat(error(response, 4)).isEqualTo(
                "INVALID_REQUEST: Proposed value for connection_creation_rate is too large for an INT.");
        assertThat(error(response, 5)).isEqualTo("INVALID_REQUEST: Invalid configuration key connection_creation_rate");
        Map<String, String> defaultIp = new java.util.HashMap<>();
        defaultIp.put("ip", null);
        assertThat(metadataLog.image().clientQuotas().entities()).containsOnlyKeys(Map.of("ip", "10.0.0.7"), defaultIp);
        assertThat(metadataLog.image().clientQuotas().quotas(defaultIp)).containsEntry("connection_creation_rate", 20.0);
    }
}
