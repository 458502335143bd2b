package io.strand.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import io.strand.metadata.record.TopicRecord;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;
import io.strand.metadata.record.PartitionRecord;
import org.junit.jupiter.api.Test;

/**
 * A denied request per area, through the checks {@link AuthorizingHandlers} puts in front of stub
 * handlers: what the client is answered, and what the handler got to see. {@code User:alice} may
 * WRITE and READ topic {@code allowed} only.
 */
class AuthorizingHandlersTest {

    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");

    private MetadataImage image = image();
    private final Authorization auth = new Authorization(
            new AclAuthorizer(() -> image.acls(), Set.of(new KafkaPrincipal("User", "admin")), false));

    private static MetadataImage image() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(new TopicRecord("allowed", Uuid.randomUuid()));
        delta.replay(new TopicRecord("secret", Uuid.randomUuid()));
        for (AclOperation operation : List.of(AclOperation.WRITE, AclOperation.READ)) {
            delta.replay(new AccessControlEntryRecord(Uuid.randomUuid(), ResourceType.TOPIC, "allowed",
                    PatternType.LITERAL, "User:alice", "*", operation, AclPermissionType.ALLOW));
        }
        return delta.apply(1);
    }

    @Test
    void produceAnswersRefusedTopicsAndHandsTheHandlerOnlyTheOthers() {
        Stub<ProduceRequest> handler = new Stub<>(ApiKeys.PRODUCE, request -> {
            ProduceResponseData response = new ProduceResponseData();
            request.data().topicData().forEach(t -> response.responses().add(
                    new ProduceResponseData.TopicProduceResponse().setName(t.name())));
            return response;
        });
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000);
        for (String topic : List.of("allowed", "secret")) {
            data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.EMPTY))));
        }

        ProduceResponseData response = (ProduceResponseData) call(handler, new ProduceRequest(data, (short) 9));

        assertThat(handler.seen.get(0).data().topicData()).extracting(ProduceRequestData.TopicProduceData::name)
                .containsExactly("allowed");
        ProduceResponseData.TopicProduceResponse refused = response.responses().find("secret", Uuid.ZERO_UUID);
        assertThat(refused.partitionResponses().get(0).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void anAcksZeroProduceAppendsWhatItMayWriteThenClosesTheConnection() {
        Stub<ProduceRequest> handler = new Stub<>(ApiKeys.PRODUCE, request -> new ProduceResponseData());
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000);
        for (String topic : List.of("allowed", "secret")) {
            data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.EMPTY))));
        }

        assertThatThrownBy(() -> call(handler, new ProduceRequest(data, (short) 9)))
                .hasCauseInstanceOf(io.strand.broker.network.CloseConnectionException.class)
                .hasMessageContaining("secret");
        assertThat(handler.seen).hasSize(1);
        assertThat(handler.seen.get(0).data().topicData()).extracting(ProduceRequestData.TopicProduceData::name)
                .containsExactly("allowed");
    }

    @Test
    void fetchOfATopicThePrincipalMayNotReadIsAnsweredWithoutRecords() {
        Stub<FetchRequest> handler = new Stub<>(ApiKeys.FETCH, request -> {
            FetchResponseData response = new FetchResponseData();
            for (String topic : List.of("allowed", "secret")) {
                response.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic(topic).setPartitions(
                        new ArrayList<>(List.of(new FetchResponseData.PartitionData().setHighWatermark(5)))));
            }
            return response;
        });

        FetchResponseData response = (FetchResponseData) call(handler,
                FetchRequest.Builder.forConsumer((short) 12, 100, 1, new java.util.LinkedHashMap<>()).build((short) 12));

        assertThat(response.responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        FetchResponseData.PartitionData secret = response.responses().get(1).partitions().get(0);
        assertThat(secret.errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(secret.highWatermark()).isEqualTo(-1);
        assertThat(secret.abortedTransactions()).as("an empty list, as Kafka's").isEmpty();
    }

    @Test
    void fetchOfOnlyUnreadableTopicsDoesNotWaitForData() {
        Stub<FetchRequest> handler = new Stub<>(ApiKeys.FETCH, request -> new FetchResponseData());
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(500).setReplicaId(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("secret")
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()))));

        call(handler, new FetchRequest(data, (short) 12));

        assertThat(handler.seen.get(0).data().maxWaitMs()).isZero();
    }

    @Test
    void metadataHidesUndescribableTopicsAndRefusesNamedOnes() {
        Stub<MetadataRequest> handler = new Stub<>(ApiKeys.METADATA, request -> {
            MetadataResponseData response = new MetadataResponseData();
            List<String> names = request.data().topics() == null ? List.of("allowed", "secret")
                    : request.data().topics().stream().map(MetadataRequestData.MetadataRequestTopic::name).toList();
            names.forEach(n -> response.topics().add(new MetadataResponseData.MetadataResponseTopic().setName(n)));
            return response;
        });

        MetadataResponseData all = (MetadataResponseData) call(handler,
                new MetadataRequest(new MetadataRequestData().setTopics(null), (short) 12));
        assertThat(all.topics()).extracting(MetadataResponseData.MetadataResponseTopic::name).containsExactly("allowed");

        MetadataResponseData named = (MetadataResponseData) call(handler, new MetadataRequest(new MetadataRequestData()
                .setTopics(MetadataRequest.convertToMetadataRequestTopic(List.of("secret", "missing")))
                .setAllowAutoTopicCreation(true), (short) 12));
        assertThat(handler.seen.get(1).data().topics()).isEmpty();
        assertThat(named.topics().find("secret").errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(named.topics().find("missing").errorCode()).as("no DESCRIBE, so no CREATE either")
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void joinGroupWithoutReadOnTheGroupFailsWhole() {
        Stub<JoinGroupRequest> handler = new Stub<>(ApiKeys.JOIN_GROUP, request -> null);

        assertThatThrownBy(() -> call(handler, new JoinGroupRequest(new JoinGroupRequestData().setGroupId("g")
                .setProtocolType("consumer"), (short) 9))).isInstanceOf(GroupAuthorizationException.class);
        assertThat(handler.seen).isEmpty();
    }

    @Test
    void shareFetchNeedsReadOnTheGroupAndOnEveryTopicItNames() {
        Stub<org.apache.kafka.common.requests.ShareFetchRequest> handler = new Stub<>(ApiKeys.SHARE_FETCH,
                request -> new org.apache.kafka.common.message.ShareFetchResponseData());
        Uuid allowed = image.topics().byName("allowed").orElseThrow().id();
        Uuid secret = image.topics().byName("secret").orElseThrow().id();
        java.util.function.Function<List<Uuid>, org.apache.kafka.common.requests.ShareFetchRequest> fetch = ids -> {
            var data = new org.apache.kafka.common.message.ShareFetchRequestData().setGroupId("g")
                    .setMemberId("m").setShareSessionEpoch(0).setMaxRecords(10).setBatchSize(10);
            ids.forEach(id -> data.topics().add(new org.apache.kafka.common.message.ShareFetchRequestData.FetchTopic()
                    .setTopicId(id)));
            return new org.apache.kafka.common.requests.ShareFetchRequest(data, (short) 1);
        };

        assertThatThrownBy(() -> call(handler, fetch.apply(List.of(allowed))))
                .isInstanceOf(GroupAuthorizationException.class);
        allowAlice(ResourceType.GROUP, "g", AclOperation.READ);
        assertThatThrownBy(() -> call(handler, fetch.apply(List.of(allowed, secret))))
                .isInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class)
                .hasMessageContaining("secret");
        assertThat(handler.seen).isEmpty();

        call(handler, fetch.apply(List.of(allowed)));
        assertThat(handler.seen).hasSize(1);
    }

    @Test
    void aShareFetchsNullGroupAndBadMemberIdReachTheHandlerBeforeTheTopicsAreChecked() {
        Stub<org.apache.kafka.common.requests.ShareFetchRequest> handler = new Stub<>(ApiKeys.SHARE_FETCH,
                request -> new org.apache.kafka.common.message.ShareFetchResponseData());
        Uuid secret = image.topics().byName("secret").orElseThrow().id();
        java.util.function.BiFunction<String, String, org.apache.kafka.common.requests.ShareFetchRequest> fetch =
                (group, member) -> {
                    var data = new org.apache.kafka.common.message.ShareFetchRequestData().setGroupId(group)
                            .setMemberId(member).setShareSessionEpoch(0).setMaxRecords(10).setBatchSize(10);
                    data.topics().add(new org.apache.kafka.common.message.ShareFetchRequestData.FetchTopic()
                            .setTopicId(secret));
                    return new org.apache.kafka.common.requests.ShareFetchRequest(data, (short) 1);
                };

        call(handler, fetch.apply(null, "m"));
        assertThat(handler.seen).as("a null group id is the handler's to refuse").hasSize(1);
        assertThatThrownBy(() -> call(handler, fetch.apply("g", "")))
                .isInstanceOf(GroupAuthorizationException.class);
        allowAlice(ResourceType.GROUP, "g", AclOperation.READ);
        call(handler, fetch.apply("g", "x".repeat(37)));
        assertThat(handler.seen).as("the member id before the topics").hasSize(2);
        assertThatThrownBy(() -> call(handler, fetch.apply("g", "m")))
                .isInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
    }

    @Test
    void offsetCommitNeedsReadOnTheGroupAndCommitsOnlyReadableTopics() {
        Stub<OffsetCommitRequest> handler = new Stub<>(ApiKeys.OFFSET_COMMIT, request -> {
            OffsetCommitResponseData response = new OffsetCommitResponseData();
            request.data().topics().forEach(t -> response.topics().add(
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name())));
            return response;
        });
        OffsetCommitRequestData data = new OffsetCommitRequestData().setGroupId("g");
        for (String topic : List.of("allowed", "secret")) {
            data.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic).setPartitions(
                    List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0))));
        }
        assertThatThrownBy(() -> call(handler, new OffsetCommitRequest(data.duplicate(), (short) 9)))
                .isInstanceOf(GroupAuthorizationException.class);

        allowAlice(ResourceType.GROUP, "g", AclOperation.READ);
        OffsetCommitResponseData response = (OffsetCommitResponseData) call(handler,
                new OffsetCommitRequest(data, (short) 9));

        assertThat(handler.seen.get(0).data().topics()).extracting(OffsetCommitRequestData.OffsetCommitRequestTopic::name)
                .containsExactly("allowed");
        assertThat(response.topics().get(1).name()).isEqualTo("secret");
        assertThat(response.topics().get(1).partitions().get(0).errorCode())
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void findCoordinatorAnswersEachRefusedKeyAndLooksUpTheOthers() {
        allowAlice(ResourceType.GROUP, "mine", AclOperation.DESCRIBE);
        Stub<FindCoordinatorRequest> handler = new Stub<>(ApiKeys.FIND_COORDINATOR, request -> {
            FindCoordinatorResponseData response = new FindCoordinatorResponseData();
            request.data().coordinatorKeys().forEach(k -> response.coordinators().add(
                    new FindCoordinatorResponseData.Coordinator().setKey(k).setNodeId(1)));
            return response;
        });

        FindCoordinatorResponseData response = (FindCoordinatorResponseData) call(handler,
                new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData().setKeyType((byte) 0)
                        .setCoordinatorKeys(new ArrayList<>(List.of("mine", "theirs")))).build((short) 6));

        assertThat(handler.seen.get(0).data().coordinatorKeys()).containsExactly("mine");
        assertThat(response.coordinators()).extracting(FindCoordinatorResponseData.Coordinator::key,
                c -> Errors.forCode(c.errorCode())).containsExactly(
                org.assertj.core.groups.Tuple.tuple("mine", Errors.NONE),
                org.assertj.core.groups.Tuple.tuple("theirs", Errors.GROUP_AUTHORIZATION_FAILED));
    }

    @Test
    void listGroupsShowsOnlyDescribableGroupsWithoutClusterDescribe() {
        allowAlice(ResourceType.GROUP, "mine", AclOperation.READ);
        Stub<ListGroupsRequest> handler = new Stub<>(ApiKeys.LIST_GROUPS, request -> {
            ListGroupsResponseData response = new ListGroupsResponseData();
            for (String group : List.of("mine", "theirs")) {
                response.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(group));
            }
            return response;
        });

        ListGroupsResponseData response = (ListGroupsResponseData) call(handler,
                new ListGroupsRequest.Builder(new ListGroupsRequestData()).build((short) 5));

        assertThat(response.groups()).extracting(ListGroupsResponseData.ListedGroup::groupId).containsExactly("mine");
    }

    @Test
    void createAclsNeedsAlterOnTheCluster() {
        Stub<CreateAclsRequest> handler = new Stub<>(ApiKeys.CREATE_ACLS, request -> null);

        assertThatThrownBy(() -> call(handler, new CreateAclsRequest.Builder(new CreateAclsRequestData()).build((short) 3)))
                .isInstanceOf(ClusterAuthorizationException.class);
    }

    @Test
    void transactionalInitProducerIdNeedsWriteOnTheTransactionalId() {
        Stub<InitProducerIdRequest> handler = new Stub<>(ApiKeys.INIT_PRODUCER_ID, request -> null);

        assertThatThrownBy(() -> call(handler, new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId("tx").setTransactionTimeoutMs(1000)).build((short) 5)))
                .isInstanceOf(TransactionalIdAuthorizationException.class);
    }

    @Test
    void idempotentInitProducerIdIsAllowedByWriteOnSomeTopic() {
        Stub<InitProducerIdRequest> handler = new Stub<>(ApiKeys.INIT_PRODUCER_ID, request -> null);

        call(handler, new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null)
                .setTransactionTimeoutMs(1000)).build((short) 5));

        assertThat(handler.seen).hasSize(1);
    }

    @Test
    void createTopicsRefusesTopicsWithoutCreateAndDoesNotForwardThem() {
        Stub<CreateTopicsRequest> handler = new Stub<>(ApiKeys.CREATE_TOPICS, request -> new CreateTopicsResponseData());
        CreateTopicsRequestData data = new CreateTopicsRequestData();
        data.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("new").setNumPartitions(1)
                .setReplicationFactor((short) 1));

        CreateTopicsResponseData response = (CreateTopicsResponseData) call(handler,
                new CreateTopicsRequest(data, (short) 7));

        assertThat(handler.seen).isEmpty();
        assertThat(response.topics().find("new").errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void aTopicCreatedWithoutDescribeConfigsIsAnsweredWithoutItsConfigsAndCounts() {
        allowAlice(ResourceType.TOPIC, "new", AclOperation.CREATE);
        Stub<CreateTopicsRequest> handler = new Stub<>(ApiKeys.CREATE_TOPICS, request -> {
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            response.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName("new")
                    .setNumPartitions(3).setReplicationFactor((short) 1).setConfigs(new ArrayList<>(List.of(
                            new CreateTopicsResponseData.CreatableTopicConfigs().setName("retention.ms")))));
            return response;
        });
        CreateTopicsRequestData data = new CreateTopicsRequestData();
        data.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("new").setNumPartitions(3)
                .setReplicationFactor((short) 1));

        CreateTopicsResponseData response = (CreateTopicsResponseData) call(handler,
                new CreateTopicsRequest(data, (short) 7));

        CreateTopicsResponseData.CreatableTopicResult created = response.topics().find("new");
        assertThat(created.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(created.topicConfigErrorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(created.numPartitions()).isEqualTo(-1);
        assertThat(created.replicationFactor()).isEqualTo((short) -1);
        assertThat(created.configs()).isEmpty();
    }

    @Test
    void deleteTopicsChecksDescribeThenExistenceThenDeleteAndDeleteOnTheClusterAllowsEveryTopic() {
        Stub<DeleteTopicsRequest> handler = new Stub<>(ApiKeys.DELETE_TOPICS, request -> {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData();
            request.data().topics().forEach(t -> response.responses().add(
                    new DeleteTopicsResponseData.DeletableTopicResult().setName(t.name())));
            return response;
        });
        // alice may describe "allowed" (READ implies it) and, with this, an unknown topic
        allowAlice(ResourceType.TOPIC, "missing", AclOperation.DESCRIBE);
        Function<List<String>, DeleteTopicsRequest> request = names -> new DeleteTopicsRequest.Builder(
                new DeleteTopicsRequestData().setTopics(new ArrayList<>(names.stream().map(n -> new DeleteTopicsRequestData
                        .DeleteTopicState().setName(n).setTopicId(Uuid.ZERO_UUID)).toList()))).build((short) 6);

        DeleteTopicsResponseData response = (DeleteTopicsResponseData) call(handler,
                request.apply(List.of("allowed", "secret", "missing", "hidden")));

        assertThat(handler.seen.get(0).data().topics()).extracting(DeleteTopicsRequestData.DeleteTopicState::name)
                .as("the unknown topic it may describe is the handler's to answer").containsExactly("missing");
        assertThat(response.responses()).extracting(r -> r.name() + ":" + Errors.forCode(r.errorCode()))
                .containsExactlyInAnyOrder("missing:NONE", "allowed:TOPIC_AUTHORIZATION_FAILED",
                        "secret:TOPIC_AUTHORIZATION_FAILED", "hidden:TOPIC_AUTHORIZATION_FAILED");

        allowAlice(ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.DELETE);
        call(handler, request.apply(List.of("allowed", "secret", "hidden")));

        assertThat(handler.seen.get(1).data().topics()).extracting(DeleteTopicsRequestData.DeleteTopicState::name)
                .containsExactly("allowed", "secret", "hidden");
    }

    @Test
    void offsetForLeaderEpochAnswersEveryTopicToClusterAction() {
        Stub<OffsetsForLeaderEpochRequest> handler = new Stub<>(ApiKeys.OFFSET_FOR_LEADER_EPOCH, request -> {
            OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
            response.topics().add(new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic("secret")
                    .setPartitions(List.of(new OffsetForLeaderEpochResponseData.EpochEndOffset().setEndOffset(7))));
            return response;
        });
        OffsetForLeaderEpochRequestData data = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
        data.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("secret").setPartitions(
                List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setLeaderEpoch(0))));
        Function<OffsetForLeaderEpochResponseData, Short> error = r -> r.topics().iterator().next().partitions()
                .get(0).errorCode();

        OffsetForLeaderEpochResponseData refused = (OffsetForLeaderEpochResponseData) call(handler,
                new OffsetsForLeaderEpochRequest(data.duplicate(), (short) 4));
        allowAlice(ResourceType.CLUSTER, Authorization.CLUSTER_NAME, AclOperation.CLUSTER_ACTION);
        OffsetForLeaderEpochResponseData answered = (OffsetForLeaderEpochResponseData) call(handler,
                new OffsetsForLeaderEpochRequest(data, (short) 4));

        assertThat(error.apply(refused)).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(error.apply(answered)).isEqualTo(Errors.NONE.code());
        assertThat(answered.topics().iterator().next().partitions().get(0).endOffset()).isEqualTo(7);
    }

    @Test
    void aSyncGroupWithoutProtocolTypeReachesItsHandlerBeforeTheGroupIsChecked() {
        Stub<SyncGroupRequest> handler = new Stub<>(ApiKeys.SYNC_GROUP, request -> new SyncGroupResponseData()
                .setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()));
        SyncGroupRequestData data = new SyncGroupRequestData().setGroupId("g").setGenerationId(1).setMemberId("m")
                .setProtocolName("range");

        call(handler, new SyncGroupRequest(data.duplicate().setProtocolType(null), (short) 5));
        assertThatThrownBy(() -> call(handler, new SyncGroupRequest(data.setProtocolType("consumer"), (short) 5)))
                .isInstanceOf(GroupAuthorizationException.class);

        assertThat(handler.seen).hasSize(1);
    }

    @Test
    void addPartitionsToTxnNamesUnknownPartitionsBesideARefusedTopic() {
        allowAlice(ResourceType.TRANSACTIONAL_ID, "tx", AclOperation.WRITE);
        allowAlice(ResourceType.TOPIC, "missing", AclOperation.WRITE);
        Stub<AddPartitionsToTxnRequest> handler = new Stub<>(ApiKeys.ADD_PARTITIONS_TO_TXN,
                request -> new AddPartitionsToTxnResponseData());
        List<org.apache.kafka.common.TopicPartition> partitions = List.of("allowed", "secret", "missing").stream()
                .map(topic -> new org.apache.kafka.common.TopicPartition(topic, 0)).toList();
        image = withPartition(image, "allowed");

        AddPartitionsToTxnResponseData response = (AddPartitionsToTxnResponseData) call(handler,
                AddPartitionsToTxnRequest.Builder.forClient("tx", 1, (short) 0, partitions).build((short) 3));

        assertThat(handler.seen).isEmpty();
        assertThat(response.resultsByTopicV3AndBelow()).extracting(t -> t.name() + ":"
                        + Errors.forCode(t.resultsByPartition().iterator().next().partitionErrorCode()))
                .containsExactlyInAnyOrder("allowed:OPERATION_NOT_ATTEMPTED", "secret:TOPIC_AUTHORIZATION_FAILED",
                        "missing:UNKNOWN_TOPIC_OR_PARTITION");
    }

    private static MetadataImage withPartition(MetadataImage image, String topic) {
        MetadataDelta delta = new MetadataDelta(image);
        Uuid id = image.topics().byName(topic).orElseThrow().id();
        delta.replay(new PartitionRecord(id, 0, List.of(1), List.of(1), 1, 0, 0, List.of(), List.of(), List.of()));
        return delta.apply(image.appliedOffset() + 1);
    }

    @Test
    void describeConfigsOfATopicNeedsDescribeConfigs() {
        Stub<DescribeConfigsRequest> handler = new Stub<>(ApiKeys.DESCRIBE_CONFIGS, request -> {
            DescribeConfigsResponseData response = new DescribeConfigsResponseData();
            response.results().add(new DescribeConfigsResponseData.DescribeConfigsResult()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("allowed"));
            return response;
        });
        DescribeConfigsRequestData data = new DescribeConfigsRequestData();
        data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("allowed"));

        DescribeConfigsResponseData response = (DescribeConfigsResponseData) call(handler,
                new DescribeConfigsRequest.Builder(data).build((short) 4));

        assertThat(response.results().get(0).errorCode()).as("READ and WRITE imply no DESCRIBE_CONFIGS")
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }

    @Test
    void withoutAnAuthorizerTheDataPathIsServedByTheHandlersThemselves() {
        Stub<ProduceRequest> produce = new Stub<>(ApiKeys.PRODUCE, request -> null);
        ApiRegistry registry = new ApiRegistry().register(produce);

        ApiRegistry served = AuthorizingHandlers.wrap(registry, Authorization.NONE, () -> image, true);

        assertThat(served.handler(ApiKeys.PRODUCE)).isSameAs(produce);
    }

    @Test
    void theWrappedRegistryKeepsTheRequestQuotaAndTheMetrics() {
        io.strand.broker.network.RequestTimeQuota quota = new io.strand.broker.network.RequestTimeQuota() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public int recordAndGetThrottleTimeMs(RequestContext context, long threadTimeNs) {
                return 0;
            }
        };
        io.strand.broker.metrics.BrokerMetrics metrics = new io.strand.broker.metrics.BrokerMetrics() {
            @Override
            public void onRequestCompleted(ApiKeys api, long latencyNs) {
            }

            @Override
            public void onRequestError(ApiKeys api, Errors error) {
            }

            @Override
            public io.strand.broker.metrics.TopicMetrics topic(String topic) {
                return io.strand.broker.metrics.TopicMetrics.NONE;
            }

            @Override
            public io.strand.broker.metrics.IsrChangeMetrics isrChanges() {
                return io.strand.broker.metrics.IsrChangeMetrics.NONE;
            }
        };
        ApiRegistry registry = new ApiRegistry().requestTimeQuota(quota).metrics(metrics);

        ApiRegistry wrapped = AuthorizingHandlers.wrap(registry, auth, () -> image, true);

        assertThat(wrapped.requestTimeQuota()).isSameAs(quota);
        assertThat(wrapped.metrics()).isSameAs(metrics);
    }

    @Test
    void describeShareGroupOffsetsAnswersRefusedGroupsAndTopicsAndHidesTopicsOfAWholeGroup() {
        allowAlice(ResourceType.GROUP, "g", AclOperation.DESCRIBE);
        allowAlice(ResourceType.GROUP, "all", AclOperation.DESCRIBE);
        Stub<DescribeShareGroupOffsetsRequest> handler = new Stub<>(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, request -> {
            DescribeShareGroupOffsetsResponseData response = new DescribeShareGroupOffsetsResponseData();
            request.data().groups().forEach(g -> {
                DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup out =
                        new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup()
                                .setGroupId(g.groupId());
                List<String> topics = g.topics() == null ? List.of("allowed", "secret")
                        : g.topics().stream().map(t -> t.topicName()).toList();
                topics.forEach(t -> out.topics().add(
                        new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic()
                                .setTopicName(t)));
                response.groups().add(out);
            });
            return response;
        });
        DescribeShareGroupOffsetsRequestData data = new DescribeShareGroupOffsetsRequestData().setGroups(List.of(
                new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup().setGroupId("g")
                        .setTopics(List.of(
                                new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic()
                                        .setTopicName("allowed").setPartitions(List.of(0)),
                                new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic()
                                        .setTopicName("secret").setPartitions(List.of(0, 1)))),
                new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup().setGroupId("all")
                        .setTopics(null),
                new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup().setGroupId("other")
                        .setTopics(null)));

        DescribeShareGroupOffsetsResponseData response = (DescribeShareGroupOffsetsResponseData) call(handler,
                new DescribeShareGroupOffsetsRequest.Builder(data).build((short) 1));

        assertThat(handler.seen.get(0).data().groups()).extracting(g -> g.groupId()).containsExactly("g", "all");
        assertThat(response.groups()).extracting(g -> g.groupId() + ":" + Errors.forCode(g.errorCode()))
                .containsExactly("g:NONE", "all:NONE", "other:GROUP_AUTHORIZATION_FAILED");
        assertThat(response.groups().get(0).topics()).extracting(t -> t.topicName()).containsExactly("allowed", "secret");
        assertThat(response.groups().get(0).topics().get(1).partitions()).hasSize(2).allSatisfy(p -> {
            assertThat(p.errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            assertThat(p.startOffset()).isEqualTo(-1);
        });
        assertThat(response.groups().get(1).topics()).as("every topic: the refused one left out")
                .extracting(t -> t.topicName()).containsExactly("allowed");
    }

    @Test
    void alteringShareGroupOffsetsNeedsReadOnTheGroupAndAnswersRefusedTopics() {
        Stub<AlterShareGroupOffsetsRequest> handler = new Stub<>(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, request -> {
            AlterShareGroupOffsetsResponseData response = new AlterShareGroupOffsetsResponseData();
            request.data().topics().forEach(t -> response.responses().add(
                    new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic()
                            .setTopicName(t.topicName())));
            return response;
        });
        AlterShareGroupOffsetsRequestData data = new AlterShareGroupOffsetsRequestData().setGroupId("g");
        for (String topic : List.of("allowed", "secret")) {
            AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic t =
                    new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic().setTopicName(topic);
            t.partitions().add(new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                    .setPartitionIndex(0).setStartOffset(5));
            data.topics().add(t);
        }

        assertThatThrownBy(() -> call(handler, new AlterShareGroupOffsetsRequest.Builder(data.duplicate()).build()))
                .isInstanceOf(org.apache.kafka.common.errors.GroupAuthorizationException.class);
        allowAlice(ResourceType.GROUP, "g", AclOperation.READ);
        AlterShareGroupOffsetsResponseData response = (AlterShareGroupOffsetsResponseData) call(handler,
                new AlterShareGroupOffsetsRequest.Builder(data).build());

        assertThat(handler.seen.get(0).data().topics()).extracting(t -> t.topicName()).containsExactly("allowed");
        assertThat(response.responses().find("secret").partitions()).singleElement()
                .satisfies(p -> assertThat(p.errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
    }

    @Test
    void deletingShareGroupOffsetsNeedsDeleteOnTheGroupAndAnswersRefusedTopics() {
        Stub<DeleteShareGroupOffsetsRequest> handler = new Stub<>(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, request -> {
            DeleteShareGroupOffsetsResponseData response = new DeleteShareGroupOffsetsResponseData();
            request.data().topics().forEach(t -> response.responses().add(
                    new DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic()
                            .setTopicName(t.topicName())));
            return response;
        });
        DeleteShareGroupOffsetsRequestData data = new DeleteShareGroupOffsetsRequestData().setGroupId("g")
                .setTopics(List.of(
                        new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic().setTopicName("allowed"),
                        new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic().setTopicName("secret")));
        allowAlice(ResourceType.GROUP, "g", AclOperation.READ);

        assertThatThrownBy(() -> call(handler, new DeleteShareGroupOffsetsRequest.Builder(data.duplicate()).build()))
                .as("READ is not DELETE")
                .isInstanceOf(org.apache.kafka.common.errors.GroupAuthorizationException.class);
        allowAlice(ResourceType.GROUP, "g", AclOperation.DELETE);
        DeleteShareGroupOffsetsResponseData response = (DeleteShareGroupOffsetsResponseData) call(handler,
                new DeleteShareGroupOffsetsRequest.Builder(data).build());

        assertThat(handler.seen.get(0).data().topics()).extracting(t -> t.topicName()).containsExactly("allowed");
        assertThat(response.responses()).extracting(t -> t.topicName() + ":" + Errors.forCode(t.errorCode()))
                .containsExactly("allowed:NONE", "secret:TOPIC_AUTHORIZATION_FAILED");
    }

    private void allowAlice(ResourceType type, String name, AclOperation operation) {
        MetadataDelta delta = new MetadataDelta(image);
        delta.replay(new AccessControlEntryRecord(Uuid.randomUuid(), type, name, PatternType.LITERAL, "User:alice",
                "*", operation, AclPermissionType.ALLOW));
        image = delta.apply(image.appliedOffset() + 1);
    }

    private ApiMessage call(Stub<? extends AbstractRequest> stub, AbstractRequest request) {
        ApiRegistry wrapped = AuthorizingHandlers.wrap(new ApiRegistry().register(stub), auth, () -> image, true);
        @SuppressWarnings({"unchecked", "rawtypes"})
        ApiHandler<AbstractRequest> handler = (ApiHandler) wrapped.handler(stub.apiKey());
        RequestContext context = new RequestContext(new RequestHeader(request.apiKey(), request.version(), "c", 1),
                new InetSocketAddress("127.0.0.1", 40000), "CLIENT", SecurityProtocol.PLAINTEXT, ALICE, 0L, null);
        return handler.handle(context, request).join();
    }

    /** A handler that records what it was handed and answers with {@code answer}. */
    private static final class Stub<R extends AbstractRequest> implements ApiHandler<R> {
        final ApiKeys apiKey;
        final Function<R, ApiMessage> answer;
        final List<R> seen = new ArrayList<>();

        Stub(ApiKeys apiKey, Function<R, ApiMessage> answer) {
            this.apiKey = apiKey;
            this.answer = answer;
        }

        @Override
        public ApiKeys apiKey() {
            return apiKey;
        }

        @Override
        public ApiVersion advertisedVersions() {
            return ApiHandler.versions(apiKey, apiKey.oldestVersion(), apiKey.latestVersion());
        }

        @Override
        public CompletableFuture<? extends ApiMessage> handle(RequestContext context, R request) {
            seen.add(request);
            return CompletableFuture.completedFuture(answer.apply(request));
        }
    }
}
