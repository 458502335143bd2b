package io.strand.metadata.controller;

import static io.strand.metadata.controller.ControllerTestSupport.broker;
import static io.strand.metadata.controller.ControllerTestSupport.createTopics;
import static io.strand.metadata.controller.ControllerTestSupport.get;
import static io.strand.metadata.controller.ControllerTestSupport.topic;
import static io.strand.metadata.controller.ControllerTestSupport.withAssignment;
import static io.strand.metadata.controller.ControllerTestSupport.withConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.MetadataLog;
import io.strand.metadata.image.TopicImage;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.RegisterBrokerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuorumControllerTest {

    private final LocalMetadataLog metadataLog = new LocalMetadataLog();
    private final QuorumController controller = new QuorumController(metadataLog, Time.SYSTEM, new Random(42));
    private final ControllerDefaults defaults = new ControllerDefaults(3, (short) 1);

    @AfterEach
    void close() {
        controller.close();
    }

    private void registerBrokers(int... ids) {
        for (int id : ids) {
            get(controller.registerBroker(broker(id)));
        }
    }

    private CreatableTopicResult createOne(CreateTopicsRequestData.CreatableTopic topic) {
        CreateTopicsResponseData response = get(controller.createTopics(createTopics(topic), defaults));
        assertThat(response.topics()).hasSize(1);
        return response.topics().iterator().next();
    }

    @Test
    void createsTopicWithLeaderFirstReplicaAndFullIsr() {
        registerBrokers(1);
        CreatableTopicResult result = createOne(topic("orders", 2, 1));

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.numPartitions()).isEqualTo(2);
        assertThat(result.replicationFactor()).isEqualTo((short) 1);
        assertThat(result.configs()).isEmpty();
        TopicImage topic = metadataLog.image().topics().byName("orders").orElseThrow();
        assertThat(topic.id()).isEqualTo(result.topicId()).isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(topic.partitions().values()).allSatisfy(p -> {
            assertThat(p.replicas()).containsExactly(1);
            assertThat(p.isr()).containsExactly(1);
            assertThat(p.leader()).isEqualTo(1);
            assertThat(p.leaderEpoch()).isZero();
            assertThat(p.partitionEpoch()).isZero();
        });
    }

    @Test
    void minusOneTakesTheDefaults() {
        registerBrokers(1);
        CreatableTopicResult result = createOne(topic("d", -1, -1));

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.numPartitions()).isEqualTo(3);
        assertThat(result.replicationFactor()).isEqualTo((short) 1);
    }

    @Test
    void storesConfigOverridesWithTheTopic() {
        registerBrokers(1);
        CreatableTopicResult result = createOne(withConfig(topic("c", 1, 1), "cleanup.policy", "compact"));

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().configs(new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "c")))
                .containsEntry("cleanup.policy", "compact");
    }

    @Test
    void placesReplicasRoundRobinOverRegisteredBrokers() {
        registerBrokers(1, 2, 3);
        CreatableTopicResult result = createOne(topic("rr", 6, 2));

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        TopicImage topic = metadataLog.image().topics().byName("rr").orElseThrow();
        List<Integer> leaders = new ArrayList<>();
        topic.partitions().values().forEach(p -> {
            assertThat(p.replicas()).hasSize(2).doesNotHaveDuplicates();
            assertThat(p.replicas().get(1)).isEqualTo(p.replicas().get(0) % 3 + 1);
            leaders.add(p.leader());
        });
        assertThat(leaders).containsOnly(1, 2, 3);
        assertThat(leaders.subList(0, 3)).doesNotHaveDuplicates();
    }

    @Test
    void sameSeedPlacesAndNamesTheSame() {
        List<Object> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            LocalMetadataLog log = new LocalMetadataLog();
            QuorumController c = new QuorumController(log, Time.SYSTEM, new Random(7));
            try {
                for (int id = 1; id <= 3; id++) {
                    get(c.registerBroker(broker(id)));
                }
                get(c.createTopics(createTopics(topic("x", 4, 2)), defaults));
                runs.add(log.image().topics().byName("x").orElseThrow());
            } finally {
                c.close();
            }
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1));
    }

    @Test
    void existingTopicIsTopicAlreadyExists() {
        registerBrokers(1);
        createOne(topic("dup", 1, 1));
        CreatableTopicResult again = createOne(topic("dup", 1, 1));

        assertThat(again.errorCode()).isEqualTo(Errors.TOPIC_ALREADY_EXISTS.code());
        assertThat(again.errorMessage()).isEqualTo("Topic 'dup' already exists.");
        assertThat(again.numPartitions()).isEqualTo(-1);
    }

    @Test
    void invalidNamesAreInvalidTopicException() {
        registerBrokers(1);
        for (String name : List.of("", ".", "..", "a/b", "x".repeat(250))) {
            CreatableTopicResult result = createOne(topic(name, 1, 1));
            assertThat(result.errorCode()).as(name).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
            assertThat(result.errorMessage()).as(name).isNotBlank();
        }
        assertThat(metadataLog.image().topics().all()).isEmpty();
    }

    @Test
    void nameCollidingOnDotAndUnderscoreIsInvalid() {
        registerBrokers(1);
        createOne(topic("a.b", 1, 1));
        CreatableTopicResult result = createOne(topic("a_b", 1, 1));

        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertThat(result.errorMessage()).isEqualTo("Topic 'a_b' collides with existing topic: a.b");
    }

    @Test
    void metadataTopicCannotBeCreated() {
        registerBrokers(1);
        CreatableTopicResult result = createOne(topic("__cluster_metadata", 1, 1));
        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void nonPositivePartitionCountsAreInvalidPartitions() {
        registerBrokers(1);
        for (int count : List.of(0, -2)) {
            CreatableTopicResult result = createOne(topic("p" + (-count), count, 1));
            assertThat(result.errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
            assertThat(result.errorMessage()).isEqualTo("Number of partitions was set to an invalid non-positive value.");
        }
    }

    @Test
    void badReplicationFactorsAreInvalidReplicationFactor() {
        registerBrokers(1);
        for (int rf : List.of(0, -2)) {
            CreatableTopicResult result = createOne(topic("r" + (-rf), 1, rf));
            assertThat(result.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
            assertThat(result.errorMessage())
                    .isEqualTo("Replication factor must be larger than 0, or -1 to use the default value.");
        }
        CreatableTopicResult tooMany = createOne(topic("r3", 1, 3));
        assertThat(tooMany.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(tooMany.errorMessage()).isEqualTo("Unable to replicate the partition 3 time(s): The target "
                + "replication factor of 3 cannot be reached because only 1 broker(s) are registered.");
    }

    @Test
    void defaultReplicationFactorAboveBrokerCountIsInvalidReplicationFactor() {
        registerBrokers(1);
        CreateTopicsResponseData response = get(controller.createTopics(createTopics(topic("t", 1, -1)),
                new ControllerDefaults(1, (short) 3)));
        assertThat(response.topics().iterator().next().errorCode())
                .isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
    }

    @Test
    void noRegisteredBrokersIsInvalidReplicationFactor() {
        CreatableTopicResult result = createOne(topic("t", 1, 1));
        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(result.errorMessage()).contains("only 0 broker(s) are registered");
    }

    @Test
    void invalidConfigIsInvalidConfigNamingTheProperty() {
        registerBrokers(1);
        CreatableTopicResult badValue = createOne(withConfig(topic("c1", 1, 1), "retention.ms", "soon"));
        CreatableTopicResult unknown = createOne(withConfig(topic("c2", 1, 1), "no.such.config", "1"));
        CreatableTopicResult nullValue = createOne(withConfig(topic("c3", 1, 1), "retention.ms", null));

        assertThat(badValue.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(badValue.errorMessage()).contains("retention.ms").contains("soon");
        assertThat(unknown.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(unknown.errorMessage()).contains("no.such.config");
        assertThat(nullValue.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(nullValue.errorMessage()).isEqualTo("Null value not supported for topic configs: retention.ms");
        assertThat(metadataLog.image().topics().all()).isEmpty();
    }

    @Test
    void duplicateNamesInOneRequestAreInvalidRequestAndNotCreated() {
        registerBrokers(1);
        CreateTopicsResponseData response = get(controller.createTopics(
                createTopics(topic("twice", 1, 1), topic("twice", 2, 1), topic("once", 1, 1)), defaults));

        assertThat(response.topics()).extracting(CreatableTopicResult::name, CreatableTopicResult::errorCode)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("once", Errors.NONE.code()),
                        org.assertj.core.groups.Tuple.tuple("twice", Errors.INVALID_REQUEST.code()));
        assertThat(metadataLog.image().topics().byName("twice")).isEmpty();
        assertThat(metadataLog.image().topics().byName("once")).isPresent();
    }

    @Test
    void assignmentsWithCountsAreInvalidRequest() {
        registerBrokers(1);
        CreatableTopicResult withCount = createOne(withAssignment(topic("m1", 1, -1), 0, 1));
        CreatableTopicResult withRf = createOne(withAssignment(topic("m2", -1, 1), 0, 1));

        assertThat(withCount.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(withCount.errorMessage()).contains("numPartitions was not set to -1");
        assertThat(withRf.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(withRf.errorMessage()).contains("replication factor was not set to -1");
    }

    @Test
    void manualAssignmentIsUsedAsGiven() {
        registerBrokers(1, 2, 3);
        CreatableTopicResult result = createOne(withAssignment(withAssignment(topic("m", -1, -1), 0, 3, 1), 1, 2, 3));

        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.numPartitions()).isEqualTo(2);
        assertThat(result.replicationFactor()).isEqualTo((short) 2);
        TopicImage topic = metadataLog.image().topics().byName("m").orElseThrow();
        assertThat(topic.partition(0).orElseThrow().replicas()).containsExactly(3, 1);
        assertThat(topic.partition(0).orElseThrow().leader()).isEqualTo(3);
        assertThat(topic.partition(1).orElseThrow().replicas()).containsExactly(2, 3);
    }

    @Test
    void badManualAssignmentsAreInvalidReplicaAssignment() {
        registerBrokers(1, 2);
        List<CreateTopicsRequestData.CreatableTopic> bad = List.of(
                withAssignment(topic("b1", -1, -1), 0, 9),
                withAssignment(topic("b2", -1, -1), 0, 1, 1),
                withAssignment(withAssignment(topic("b3", -1, -1), 0, 1), 1, 1, 2),
                withAssignment(topic("b4", -1, -1), 1, 1),
                withAssignment(topic("b5", -1, -1), 0));
        for (CreateTopicsRequestData.CreatableTopic topic : bad) {
            CreatableTopicResult result = createOne(topic);
            assertThat(result.errorCode()).as(topic.name()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        }
        assertThat(metadataLog.image().topics().all()).isEmpty();
    }

    @Test
    void validateOnlyAnswersButCreatesNothing() {
        registerBrokers(1);
        long offsetBefore = metadataLog.image().appliedOffset();
        CreateTopicsRequestData request = createTopics(topic("v", 4, 1), topic("bad", 0, 1)).setValidateOnly(true);
        CreateTopicsResponseData response = get(controller.createTopics(request, defaults));

        CreatableTopicResult ok = response.topics().find("v");
        assertThat(ok.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(ok.numPartitions()).isEqualTo(4);
        assertThat(response.topics().find("bad").errorCode()).isEqualTo(Errors.INVALID_PARTITIONS.code());
        assertThat(metadataLog.image().topics().all()).isEmpty();
        assertThat(metadataLog.image().appliedOffset()).isEqualTo(offsetBefore);
    }

    @Test
    void notLeaderAnswersNotController() {
        registerBrokers(1);
        metadataLog.setLeader(false);
        CreatableTopicResult result = createOne(topic("n", 1, 1));

        assertThat(result.errorCode()).isEqualTo(Errors.NOT_CONTROLLER.code());
        assertThat(result.topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThatThrownBy(() -> controller.registerBroker(broker(2)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.NotControllerException.class);
    }

    @Test
    void operationsAreValidatedInSubmissionOrder() {
        registerBrokers(1);
        List<CompletableFuture<CreateTopicsResponseData>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(controller.createTopics(createTopics(topic("race", 1, 1)), defaults));
        }
        long created = futures.stream().map(ControllerTestSupport::get)
                .filter(r -> r.topics().iterator().next().errorCode() == Errors.NONE.code()).count();
        assertThat(created).isEqualTo(1);
    }

    @Test
    void producerIdBlocksDoNotOverlap() {
        registerBrokers(1, 2);
        long first = get(controller.allocateProducerIds(1, 1000));
        long second = get(controller.allocateProducerIds(2, 1000));

        assertThat(first).isZero();
        assertThat(second).isEqualTo(1000);
        assertThat(metadataLog.image().nextProducerId()).isEqualTo(2000);
    }

    @Test
    void producerIdsNeedARegisteredBroker() {
        assertThatThrownBy(() -> controller.allocateProducerIds(5, 1000).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(BrokerIdNotRegisteredException.class);
    }

    @Test
    void reRegisteringTheSameBrokerAppendsNothing() {
        registerBrokers(1);
        long offset = metadataLog.image().appliedOffset();
        registerBrokers(1);
        assertThat(metadataLog.image().appliedOffset()).isEqualTo(offset);

        RegisterBrokerRecord restarted = new RegisterBrokerRecord(1, new Uuid(7, 7), broker(1).endpoints(), "r1");
        get(controller.registerBroker(restarted));
        assertThat(metadataLog.image().brokers().get(1).incarnationId()).isEqualTo(new Uuid(7, 7));
        assertThat(metadataLog.image().brokers().get(1).rack()).isEqualTo("r1");
    }

    @Test
    void closedControllerFailsNewOperations() {
        controller.close();
        assertThatThrownBy(() -> controller.registerBroker(broker(1)).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(org.apache.kafka.common.errors.NotControllerException.class);
    }

    /** The failure a whole request over a limit gets, as Kafka's controller gives it. */
    private void assertPolicyViolation(CompletableFuture<?> future, String message) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PolicyViolationException.class)
                .hasMessage(message);
    }

    @Test
    void partitionCountsOverTheLimitArePolicyViolationBeforeAnythingIsSized() {
        registerBrokers(1);
        String tooManyPartitions = "Excessively large number of partitions per request.";
        for (int count : List.of(Integer.MAX_VALUE, 1_000_000, QuorumController.MAX_PARTITIONS_PER_REQUEST + 1)) {
            assertPolicyViolation(controller.createTopics(createTopics(topic("huge", count, 1)), defaults),
                    tooManyPartitions);
            assertPolicyViolation(controller.createTopics(
                    createTopics(topic("huge", count, 1)).setValidateOnly(true), defaults), tooManyPartitions);
            // Checked first, as Kafka does: before the replication factor and the name.
            assertPolicyViolation(controller.createTopics(createTopics(topic("huge", count, Short.MAX_VALUE)),
                    defaults), tooManyPartitions);
            assertPolicyViolation(controller.createTopics(createTopics(topic("a/b", count, 1)), defaults),
                    tooManyPartitions);
        }
        // The limit is on the request: topics that fit alone do not fit together, and the sum cannot wrap.
        assertPolicyViolation(controller.createTopics(createTopics(topic("a", 6_000, 1), topic("b", 6_000, 1),
                topic("bad", 0, 1)), defaults), tooManyPartitions);
        assertPolicyViolation(controller.createTopics(createTopics(topic("a", Integer.MAX_VALUE, 1),
                topic("b", Integer.MAX_VALUE, 1), topic("c", 2, 1)), defaults), tooManyPartitions);
        // 10,000 partitions pass the partition limit, but with the topic record they are 10,001 records.
        assertPolicyViolation(controller.createTopics(createTopics(
                topic("records", QuorumController.MAX_PARTITIONS_PER_REQUEST, 1)), defaults),
                "Unable to perform excessively large batch operation.");
        assertThat(metadataLog.image().topics().all()).isEmpty();

        // One topic record and 9,999 partition records are exactly the record limit.
        CreatableTopicResult atTheLimit = createOne(topic("big", QuorumController.MAX_RECORDS_PER_USER_OP - 1, 1));
        assertThat(atTheLimit.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().topics().byName("big").orElseThrow().numPartitions())
                .isEqualTo(QuorumController.MAX_RECORDS_PER_USER_OP - 1);
        // The controller keeps serving.
        assertThat(createOne(topic("after", 1, 1)).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void hugeReplicationFactorIsInvalidReplicationFactor() {
        registerBrokers(1, 2);
        CreatableTopicResult result = createOne(topic("rf", 3, Short.MAX_VALUE));

        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR.code());
        assertThat(result.errorMessage()).isEqualTo("Unable to replicate the partition 32767 time(s): The target "
                + "replication factor of 32767 cannot be reached because only 2 broker(s) are registered.");
    }

    @Test
    void manualAssignmentsAreValidatedBeforeTheRecordLimitAndCountAgainstIt() {
        registerBrokers(1, 2);
        CreateTopicsRequestData.CreatableTopic unknownBroker = topic("m", -1, -1);
        CreateTopicsRequestData.CreatableTopic tooManyRecords = topic("n", -1, -1);
        CreateTopicsRequestData.CreatableTopic tooManyPartitions = topic("o", -1, -1);
        for (int p = 0; p <= QuorumController.MAX_PARTITIONS_PER_REQUEST; p++) {
            if (p < QuorumController.MAX_PARTITIONS_PER_REQUEST) {
                withAssignment(unknownBroker, p, p == 5_000 ? 7 : 1);
                withAssignment(tooManyRecords, p, 1);
            }
            withAssignment(tooManyPartitions, p, 1);
        }

        CreatableTopicResult result = createOne(unknownBroker);
        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT.code());
        assertThat(result.errorMessage()).isEqualTo("The manual partition assignment includes broker 7, but no such "
                + "broker is registered.");
        assertPolicyViolation(controller.createTopics(createTopics(tooManyRecords), defaults),
                "Unable to perform excessively large batch operation.");
        assertPolicyViolation(controller.createTopics(createTopics(tooManyPartitions), defaults),
                "Excessively large number of partitions per request.");
        assertThat(metadataLog.image().topics().all()).isEmpty();
    }

    @Test
    void anAdministratorsAnswerWaitsForThisNodesListenersButTheNextOperationDoesNot() throws Exception {
        PublishGatedLog log = new PublishGatedLog();
        QuorumController c = new QuorumController(log, Time.SYSTEM, new Random(7));
        try {
            get(c.registerBroker(broker(1)));
            CompletableFuture<CreateTopicsResponseData> create = c.createTopics(createTopics(topic("slow", 3, 1)),
                    defaults);
            // A broker's own request behind it is applied and answered while the listeners lag.
            get(c.registerBroker(broker(2)));

            assertThat(log.image().brokers()).containsKeys(1, 2);
            assertThat(log.image().topics().byName("slow")).isPresent();
            assertThat(create).isNotDone();
            log.release(null);
            assertThat(get(create).topics().find("slow").errorCode()).isEqualTo(Errors.NONE.code());
        } finally {
            c.close();
        }
    }

    @Test
    void anAdministratorsAnswerCarriesTheErrorWhenTheLogClosesBeforeItsListenersCaughtUp() {
        PublishGatedLog log = new PublishGatedLog();
        QuorumController c = new QuorumController(log, Time.SYSTEM, new Random(7));
        try {
            get(c.registerBroker(broker(1)));
            CompletableFuture<CreateTopicsResponseData> create = c.createTopics(createTopics(topic("t", 1, 1)),
                    defaults);
            log.release(new NotControllerException("closed"));

            assertThat(get(create).topics().find("t").errorCode()).isEqualTo(Errors.NOT_CONTROLLER.code());
        } finally {
            c.close();
        }
    }

    /** A {@link LocalMetadataLog} whose listeners catch up only when the test says so. */
    private static final class PublishGatedLog implements MetadataLog {
        private final LocalMetadataLog log = new LocalMetadataLog();
        private final CompletableFuture<Void> gate = new CompletableFuture<>();

        void release(RuntimeException error) {
            if (error == null) {
                gate.complete(null);
            } else {
                gate.completeExceptionally(error);
            }
        }

        @Override
        public MetadataImage image() {
            return log.image();
        }

        @Override
        public boolean isLeader() {
            return log.isLeader();
        }

        @Override
        public CompletableFuture<Long> append(List<MetadataRecord> records) {
            return log.append(records);
        }

        @Override
        public CompletableFuture<Void> published(long offset) {
            return gate;
        }
    }
}
