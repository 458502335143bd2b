package io.strand.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.api.TestImages;
import io.strand.metadata.controller.ControllerDefaults;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.BrokerRegistration;
import io.strand.metadata.image.LocalMetadataLog;
import io.strand.metadata.image.MetadataListener;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AssignReplicasToDirsRequestData;
import org.apache.kafka.common.message.AssignReplicasToDirsResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests as they arrive on the leader, in their binary form, answered by the real controller. */
class ControllerRequestDispatcherTest {

    private final LocalMetadataLog metadataLog = new LocalMetadataLog(TestImages.builder().broker(1).build(),
            MetadataListener.NOOP);
    private final QuorumController controller = new QuorumController(metadataLog, Time.SYSTEM, new Random(42));
    private final ControllerRequestDispatcher dispatcher = new ControllerRequestDispatcher(controller,
            new ControllerDefaults(2, (short) 1), name -> true, name -> false);

    @AfterEach
    void closeController() {
        controller.close();
    }

    @Test
    void createTopicsUsesTheControllersDefaults() throws Exception {
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        request.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("t").setNumPartitions(-1)
                .setReplicationFactor((short) -1));

        CreateTopicsResponseData response = (CreateTopicsResponseData) call(ApiKeys.CREATE_TOPICS, request);

        assertThat(response.topics().find("t").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.topics().find("t").numPartitions()).isEqualTo(2);
        assertThat(metadataLog.image().topics().byName("t")).isPresent();
    }

    @Test
    void createAndDeleteAclsChangeTheImagesAcls() throws Exception {
        CreateAclsRequestData create = new CreateAclsRequestData().setCreations(List.of(
                new CreateAclsRequestData.AclCreation().setResourceType(ResourceType.TOPIC.code())
                        .setResourceName("t").setResourcePatternType(PatternType.LITERAL.code())
                        .setPrincipal("User:alice").setHost("*").setOperation(AclOperation.READ.code())
                        .setPermissionType(AclPermissionType.ALLOW.code())));

        CreateAclsResponseData created = (CreateAclsResponseData) call(ApiKeys.CREATE_ACLS, create);

        assertThat(created.results().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(metadataLog.image().acls().all()).extracting(a -> a.principal()).containsExactly("User:alice");

        DeleteAclsRequestData delete = new DeleteAclsRequestData().setFilters(List.of(
                new DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter(ResourceType.ANY.code())
                        .setResourceNameFilter(null).setPatternTypeFilter(PatternType.ANY.code())
                        .setPrincipalFilter(null).setHostFilter(null).setOperation(AclOperation.ANY.code())
                        .setPermissionType(AclPermissionType.ANY.code())));
        DeleteAclsResponseData deleted = (DeleteAclsResponseData) call(ApiKeys.DELETE_ACLS, delete);

        assertThat(deleted.filterResults().get(0).matchingAcls()).hasSize(1);
        assertThat(metadataLog.image().acls().isEmpty()).isTrue();
    }

    @Test
    void brokerRegistrationBecomesTheBrokersRegistration() throws Exception {
        BrokerRegistrationRequestData.ListenerCollection listeners = new BrokerRegistrationRequestData.ListenerCollection();
        listeners.add(new BrokerRegistrationRequestData.Listener().setName("PLAINTEXT").setHost("h2").setPort(9093)
                .setSecurityProtocol(SecurityProtocol.PLAINTEXT.id));
        BrokerRegistrationRequestData request = new BrokerRegistrationRequestData().setBrokerId(2)
                .setIncarnationId(new Uuid(3, 4)).setListeners(listeners).setRack("r1")
                .setLogDirs(List.of(new Uuid(5, 501), new Uuid(5, 502)))
                .setClusterId(metadataLog.image().clusterId());

        BrokerRegistrationResponseData response = (BrokerRegistrationResponseData) call(ApiKeys.BROKER_REGISTRATION,
                request);

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.brokerEpoch()).isPositive();
        BrokerRegistration registered = metadataLog.image().brokers().get(2);
        assertThat(registered.brokerEpoch()).isEqualTo(response.brokerEpoch());
        assertThat(registered.fenced()).isTrue();
        assertThat(registered.rack()).isEqualTo("r1");
        assertThat(registered.logDirs()).containsExactly(new Uuid(5, 501), new Uuid(5, 502));
        assertThat(registered.endpoint("PLAINTEXT")).hasValueSatisfying(e -> {
            assertThat(e.host()).isEqualTo("h2");
            assertThat(e.port()).isEqualTo(9093);
        });
    }

    @Test
    void producerIdsComeInBlocksAndAnUnknownBrokerGetsItsError() throws Exception {
        AllocateProducerIdsResponseData first = (AllocateProducerIdsResponseData) call(ApiKeys.ALLOCATE_PRODUCER_IDS,
                new AllocateProducerIdsRequestData().setBrokerId(1));
        AllocateProducerIdsResponseData second = (AllocateProducerIdsResponseData) call(ApiKeys.ALLOCATE_PRODUCER_IDS,
                new AllocateProducerIdsRequestData().setBrokerId(1));
        AllocateProducerIdsResponseData unknown = (AllocateProducerIdsResponseData) call(ApiKeys.ALLOCATE_PRODUCER_IDS,
                new AllocateProducerIdsRequestData().setBrokerId(9));

        assertThat(first.producerIdLen()).isEqualTo(ControllerRequestDispatcher.PRODUCER_ID_BLOCK_SIZE);
        assertThat(second.producerIdStart()).isEqualTo(first.producerIdStart() + first.producerIdLen());
        assertThat(Errors.forCode(unknown.errorCode())).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED);
    }

    @Test
    void anAssignmentOfReplicasToDirectoriesReachesTheController() throws Exception {
        AssignReplicasToDirsResponseData stale = (AssignReplicasToDirsResponseData) call(
                ApiKeys.ASSIGN_REPLICAS_TO_DIRS, new AssignReplicasToDirsRequestData().setBrokerId(1).setBrokerEpoch(12345));

        assertThat(Errors.forCode(stale.errorCode())).isEqualTo(Errors.STALE_BROKER_EPOCH);
    }

    @Test
    void aHeartbeatReachesTheControllerAndOtherApisNever() throws Exception {
        BrokerHeartbeatResponseData stale = (BrokerHeartbeatResponseData) call(ApiKeys.BROKER_HEARTBEAT,
                new BrokerHeartbeatRequestData().setBrokerId(1).setBrokerEpoch(12345));
        assertThat(Errors.forCode(stale.errorCode())).isEqualTo(Errors.STALE_BROKER_EPOCH);
        assertThatThrownBy(() -> call(ApiKeys.FETCH, new FetchRequestData()))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void unreadableDataIsAnInvalidRequest() {
        assertThatThrownBy(() -> dispatcher.handle(ApiKeys.CREATE_TOPICS.id, ApiKeys.CREATE_TOPICS.latestVersion(),
                ByteBuffer.wrap(new byte[] {1, 2, 3})).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void describeQuorumIsAnsweredByTheQuorumDescriberOrNotLeaderWithoutOne() throws Exception {
        DescribeQuorumRequestData request = DescribeQuorumRequest.singletonRequest(
                Topic.CLUSTER_METADATA_TOPIC_PARTITION);
        ControllerRequestDispatcher describing = new ControllerRequestDispatcher(controller,
                new ControllerDefaults(2, (short) 1), name -> true, name -> false,
                asked -> new DescribeQuorumResponseData().setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        short version = ApiKeys.DESCRIBE_QUORUM.latestVersion();

        ApiMessage described = QuorumControllerChannel.readResponse(ApiKeys.DESCRIBE_QUORUM, version,
                describing.handle(ApiKeys.DESCRIBE_QUORUM.id, version, MessageBytes.write(request, version))
                        .get(30, TimeUnit.SECONDS));
        DescribeQuorumResponseData withoutDescriber = (DescribeQuorumResponseData) call(ApiKeys.DESCRIBE_QUORUM,
                request);

        assertThat(((DescribeQuorumResponseData) described).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(withoutDescriber.topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
    }

    @Test
    void reassignmentsReachTheControllerAndTruncatedOnesAreInvalid() throws Exception {
        CreateTopicsRequestData create = new CreateTopicsRequestData().setTimeoutMs(30_000);
        create.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("t").setNumPartitions(1)
                .setReplicationFactor((short) 1));
        call(ApiKeys.CREATE_TOPICS, create);
        AlterPartitionReassignmentsRequestData reassign = new AlterPartitionReassignmentsRequestData();
        reassign.topics().add(new ReassignableTopic().setName("t").setPartitions(List.of(
                new ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(1, 7)),
                new ReassignablePartition().setPartitionIndex(0).setReplicas(null))));

        AlterPartitionReassignmentsResponseData answer = (AlterPartitionReassignmentsResponseData) call(
                ApiKeys.ALTER_PARTITION_REASSIGNMENTS, reassign);
        ListPartitionReassignmentsResponseData listed = (ListPartitionReassignmentsResponseData) call(
                ApiKeys.LIST_PARTITION_REASSIGNMENTS, new ListPartitionReassignmentsRequestData().setTopics(null));

        assertThat(answer.responses().get(0).partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.INVALID_REPLICA_ASSIGNMENT, Errors.NO_REASSIGNMENT_IN_PROGRESS);
        assertThat(Errors.forCode(listed.errorCode())).isEqualTo(Errors.NONE);
        assertThat(listed.topics()).isEmpty();

        short version = ApiKeys.ALTER_PARTITION_REASSIGNMENTS.latestVersion();
        ByteBuffer whole = MessageBytes.write(reassign, version);
        ByteBuffer truncated = whole.slice(0, whole.remaining() - 5);
        assertThatThrownBy(() -> dispatcher.handle(ApiKeys.ALTER_PARTITION_REASSIGNMENTS.id, version, truncated)
                .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidRequestException.class);
    }

    private ApiMessage call(ApiKeys api, ApiMessage request) throws Exception {
        short version = api.latestVersion();
        ByteBuffer answer = dispatcher.handle(api.id, version, MessageBytes.write(request, version))
                .get(30, TimeUnit.SECONDS);
        return QuorumControllerChannel.readResponse(api, version, answer);
    }
}
