package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.broker;
import static io.strand.metadata.controller.ControllerTestSupport.createTopics;
import static io.strand.metadata.controller.ControllerTestSupport.get;
import static io.strand.metadata.controller.ControllerTestSupport.topic;
import static io.strand.metadata.controller.ControllerTestSupport.withConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.image.TopicImage;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeleteTopicsAndCreatePartitionsTest {

    private final LocalMetadataLog metadataLog = new LocalMetadataLog();
    private final QuorumController controller = new QuorumController(metadataLog, Time.SYSTEM, new Random(1));
    private Uuid ordersId;

    @BeforeEach
    void registerBrokersAndCreateTopics() {
        get(controller.registerBroker(broker(1)));
        get(controller.registerBroker(broker(2)));
        get(controller.createTopics(createTopics(
                withConfig(topic("orders", 2, 2), "retention.ms", "1000"), topic("audit", 1, 1)),
                ControllerDefaults.SINGLE_NODE));
        ordersId = metadataLog.image().topics().byName("orders").orElseThrow().id();
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private DeleteTopicsResponseData delete(DeleteTopicsRequestData request) {
        return get(controller.deleteTopics(request));
    }

    @Test
    void deletesByNameWithItsConfigs() {
        DeleteTopicsResponseData response = delete(new DeleteTopicsRequestData().setTopicNames(List.of("orders")));

        assertThat(response.responses()).extracting(DeletableTopicResult::name, DeletableTopicResult::topicId,
                DeletableTopicResult::errorCode).containsExactly(tuple("orders", ordersId, Errors.NONE.code()));
        assertThat(metadataLog.image().topics().byName("orders")).isEmpty();
        assertThat(metadataLog.image().configs(new ConfigResource(ConfigResource.Type.TOPIC, "orders"))).isEmpty();
        assertThat(metadataLog.image().topics().byName("audit")).isPresent();
    }

    @Test
    void deletesById() {
        DeleteTopicsResponseData response = delete(new DeleteTopicsRequestData()
                .setTopics(List.of(new DeleteTopicState().setTopicId(ordersId))));

        assertThat(response.responses()).extracting(DeletableTopicResult::name, DeletableTopicResult::errorCode)
                .containsExactly(tuple("orders", Errors.NONE.code()));
        assertThat(metadataLog.image().topics().byId(ordersId)).isEmpty();
    }

    @Test
    void unknownNameAndUnknownIdHaveTheirOwnErrors() {
        Uuid unknownId = new Uuid(99, 99);
        DeleteTopicsResponseData response = delete(new DeleteTopicsRequestData().setTopics(List.of(
                new DeleteTopicState().setName("nope"),
                new DeleteTopicState().setTopicId(unknownId))));

        assertThat(response.responses()).extracting(DeletableTopicResult::name, DeletableTopicResult::topicId,
                DeletableTopicResult::errorCode).containsExactlyInAnyOrder(
                tuple("nope", Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION.code()),
                tuple(null, unknownId, Errors.UNKNOWN_TOPIC_ID.code()));
    }

    @Test
    void bothNameAndIdOrNeitherIsInvalidRequest() {
        DeleteTopicsResponseData response = delete(new DeleteTopicsRequestData().setTopics(List.of(
                new DeleteTopicState().setName("orders").setTopicId(ordersId),
                new DeleteTopicState())));

        assertThat(response.responses()).extracting(DeletableTopicResult::errorCode)
                .containsOnly(Errors.INVALID_REQUEST.code()).hasSize(2);
        assertThat(metadataLog.image().topics().byName("orders")).isPresent();
    }

    @Test
    void duplicatesAreInvalidRequestAndNotDeleted() {
        DeleteTopicsResponseData response = delete(new DeleteTopicsRequestData()
                .setTopicNames(List.of("orders", "orders", "audit")));

        assertThat(response.responses()).extracting(DeletableTopicResult::name, DeletableTopicResult::errorCode)
                .containsExactlyInAnyOrder(tuple("orders", Errors.INVALID_REQUEST.code()),
                        tuple("audit", Errors.NONE.code()));
        assertThat(metadataLog.image().topics().byName("orders")).isPresent();
        assertThat(metadataLog.image().topics().byName("audit")).isEmpty();
    }

    private CreatePartitionsTopicResult addPartitions(CreatePartitionsTopic topic, boolean validateOnly) {
        CreatePartitionsRequestData request = new CreatePartitionsRequestData().setValidateOnly(validateOnly);
        request.topics().add(topic);
        CreatePartitionsResponseData response = get(controller.createPartitions(request));
        assertThat(response.results()).hasSize(1);
        return response.results().get(0);
    }

    @Test
    void addsPartitionsWithTheTopicsReplicationFactor() {
        CreatePartitionsTopicResult result = addPartitions(new CreatePartitionsTopic().setName("orders").setCount(5)
                .setAssignments(null), false);

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        TopicImage topic = metadataLog.image().topics().byName("orders").orElseThrow();
        assertThat(topic.partitions()).containsOnlyKeys(0, 1, 2, 3, 4);
        assertThat(topic.partitions().values()).allSatisfy(p -> assertThat(p.replicas()).hasSize(2));
        assertThat(topic.partition(4).orElseThrow().isr()).isEqualTo(topic.partition(4).orElseThrow().replicas());
    }

    @Test
    void countNotAboveCurrentIsInvalidPartitions() {
        CreatePartitionsTopicResult same = addPartitions(new CreatePartitionsTopic().setName("orders").setCount(2)
                .setAssignments(null), false);
        CreatePartitionsTopicResult fewer = addPartitions(new CreatePartitionsTopic().setName("orders").setCount(1)
                .setAssignments(null), false);

        assertThat(same.errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
        assertThat(same.errorMessage()).isEqualTo("Topic already has 2 partition(s).");
        assertThat(fewer.errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
        assertThat(fewer.errorMessage()).isEqualTo("The topic orders currently has 2 partition(s); 1 would not be an "
                + "increase.");
    }

    @Test
    void unknownTopicIsUnknownTopicOrPartition() {
        CreatePartitionsTopicResult result = addPartitions(new CreatePartitionsTopic().setName("nope").setCount(3)
                .setAssignments(null), false);
        assertThat(result.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void assignmentsMustMatchTheAddedCountAndReplicationFactor() {
        CreatePartitionsTopicResult tooFew = addPartitions(new CreatePartitionsTopic().setName("orders").setCount(4)
                .setAssignments(List.of(new CreatePartitionsAssignment().setBrokerIds(List.of(1, 2)))), false);
        CreatePartitionsTopicResult wrongRf = addPartitions(new CreatePartitionsTopic().setName("orders").setCount(3)
                .setAssignments(List.of(new CreatePartitionsAssignment().setBrokerIds(List.of(1)))), false);
        CreatePartitionsTopicResult ok = addPartitions(new CreatePartitionsTopic().setName("orders").setCount(3)
                .setAssignments(List.of(new CreatePartitionsAssignment().setBrokerIds(List.of(2, 1)))), false);
        CreatePartitionsTopicResult none = addPartitions(new CreatePartitionsTopic().setName("orders").setCount(4)
                .setAssignments(List.of()), false);

        assertThat(tooFew.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(tooFew.errorMessage()).isEqualTo("Attempted to add 2 additional partition(s), but only 1 "
                + "assignment(s) were specified.");
        assertThat(wrongRf.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(ok.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(none.errorCode()).as("an empty list is no assignment, not a request to place them")
                .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(none.errorMessage()).isEqualTo("Attempted to add 1 additional partition(s), but only 0 "
                + "assignment(s) were specified.");
        assertThat(metadataLog.image().topics().byName("orders").orElseThrow().partition(2).orElseThrow().replicas())
                .containsExactly(2, 1);
    }

    @Test
    void validateOnlyAddsNothing() {
        CreatePartitionsTopicResult result = addPartitions(new CreatePartitionsTopic().setName("orders").setCount(9)
                .setAssignments(null), true);
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().topics().byName("orders").orElseThrow().numPartitions()).isEqualTo(2);
    }

    @Test
    void duplicateTopicInCreatePartitionsIsInvalidRequest() {
        CreatePartitionsRequestData request = new CreatePartitionsRequestData();
        request.topics().add(new CreatePartitionsTopic().setName("audit").setCount(2).setAssignments(null));
        request.topics().add(new CreatePartitionsTopic().setName("audit").setCount(3).setAssignments(null));
        CreatePartitionsResponseData response = get(controller.createPartitions(request));

        assertThat(response.results()).extracting(CreatePartitionsTopicResult::errorCode)
                .containsExactly(Errors.INVALID_REQUEST.code());
        assertThat(metadataLog.image().topics().byName("audit").orElseThrow().numPartitions()).isEqualTo(1);
    }

    @Test
    void deletedThenRecreatedTopicGetsANewId() {
        delete(new DeleteTopicsRequestData().setTopicNames(List.of("orders")));
        get(controller.createTopics(createTopics(topic("orders", 1, 1)), ControllerDefaults.SINGLE_NODE));

        assertThat(metadataLog.image().topics().byName("orders").orElseThrow().id()).isNotEqualTo(ordersId);
        assertThat(metadataLog.image().configs(new ConfigResource(ConfigResource.Type.TOPIC, "orders"))).isEmpty();
    }

    @Test
    void hugePartitionIncreaseIsPolicyViolationAndAddsNothing() {
        for (int count : List.of(Integer.MAX_VALUE, 1_000_000, QuorumController.MAX_PARTITIONS_PER_REQUEST + 3)) {
            for (boolean validateOnly : List.of(false, true)) {
                CreatePartitionsTopicResult result = addPartitions(
                        new CreatePartitionsTopic().setName("orders").setCount(count).setAssignments(null),
                        validateOnly);
                assertThat(result.errorCode()).isEqualTo(Errors.POLICY_VIOLATION.code());
                assertThat(result.errorMessage()).isEqualTo("Excessively large number of partitions per request.");
            }
        }
        // A huge count with too few assignments is the assignment's error, as in Kafka.
        CreatePartitionsTopicResult mismatched = addPartitions(new CreatePartitionsTopic().setName("orders")
                .setCount(Integer.MAX_VALUE)
                .setAssignments(List.of(new CreatePartitionsAssignment().setBrokerIds(List.of(1, 2)))), false);
        assertThat(mismatched.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(metadataLog.image().topics().byName("orders").orElseThrow().numPartitions()).isEqualTo(2);

        // The limit is on the request: the second topic would pass it, the first still grows.
        CreatePartitionsRequestData request = new CreatePartitionsRequestData();
        request.topics().add(new CreatePartitionsTopic().setName("orders").setCount(6_002).setAssignments(null));
        request.topics().add(new CreatePartitionsTopic().setName("audit").setCount(6_001).setAssignments(null));
        CreatePartitionsResponseData response = get(controller.createPartitions(request));
        assertThat(response.results()).extracting(CreatePartitionsTopicResult::name,
                CreatePartitionsTopicResult::errorCode).containsExactly(tuple("orders", Errors.NONE.code()),
                tuple("audit", Errors.POLICY_VIOLATION.code()));
        assertThat(metadataLog.image().topics().byName("orders").orElseThrow().numPartitions()).isEqualTo(6_002);
        assertThat(metadataLog.image().topics().byName("audit").orElseThrow().numPartitions()).isEqualTo(1);
    }

    @Test
    void moreTopicsThanTheRecordLimitFailTheWholeRequest() {
        CreatePartitionsRequestData request = new CreatePartitionsRequestData();
        for (int i = 0; i <= QuorumController.MAX_RECORDS_PER_USER_OP; i++) {
            request.topics().add(new CreatePartitionsTopic().setName("t" + i).setCount(2).setAssignments(null));
        }
        assertThatThrownBy(() -> controller.createPartitions(request).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PolicyViolationException.class)
                .hasMessage("Unable to perform excessively large batch operation.");
    }

    @Test
    void deletingMoreTopicsThanTheRecordLimitFailsTheWholeRequest() {
        List<String> names = new java.util.ArrayList<>();
        for (int batch = 0; batch < 3; batch++) {
            org.apache.kafka.common.message.CreateTopicsRequestData create = createTopics();
            for (int i = 0; i < (batch < 2 ? 5_000 : 1); i++) {
                String name = "many-" + batch + "-" + i;
                create.topics().add(topic(name, 1, 1));
                names.add(name);
            }
            get(controller.createTopics(create, ControllerDefaults.SINGLE_NODE));
        }
        assertThat(names).hasSize(QuorumController.MAX_RECORDS_PER_USER_OP + 1);

        assertThatThrownBy(() -> controller.deleteTopics(new DeleteTopicsRequestData().setTopicNames(names))
                .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PolicyViolationException.class)
                .hasMessage("Unable to perform excessively large batch operation.");
        assertThat(metadataLog.image().topics().byName("many-2-0")).isPresent();

        DeleteTopicsResponseData deleted = delete(new DeleteTopicsRequestData().setTopicNames(names.subList(1,
                names.size())));
        assertThat(deleted.responses()).allSatisfy(r -> assertThat(r.errorCode()).isEqualTo(Errors.NONE.code()));
    }
}
