package io.strand.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import io.strand.metadata.record.MetadataRecord;
import io.strand.metadata.record.MetadataRecordSerde;
import io.strand.metadata.record.RemoveAccessControlEntryRecord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** CreateAcls and DeleteAcls as the controller computes them, and their records through the log and snapshots. */
class AclsTest {

    private final Random random = new Random(7);
    private MetadataImage image = MetadataImage.EMPTY;

    private static AclCreation creation(ResourceType type, String name, PatternType pattern, String principal,
                                        AclOperation operation) {
        return new AclCreation().setResourceType(type.code()).setResourceName(name)
                .setResourcePatternType(pattern.code()).setPrincipal(principal).setHost("*")
                .setOperation(operation.code()).setPermissionType(AclPermissionType.ALLOW.code());
    }

    private <T> T apply(ControllerResult<T> result) {
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(result.records());
        image = delta.apply(image.appliedOffset() + 1);
        return result.response();
    }

    @Test
    void createsValidBindingsOnceAndRefusesBadOnesAlone() {
        CreateAclsRequestData request = new CreateAclsRequestData().setCreations(List.of(
                creation(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", AclOperation.READ),
                creation(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", AclOperation.READ),
                creation(ResourceType.ANY, "t", PatternType.LITERAL, "User:alice", AclOperation.READ),
                creation(ResourceType.TOPIC, "t", PatternType.MATCH, "User:alice", AclOperation.READ),
                creation(ResourceType.TOPIC, "t", PatternType.LITERAL, "alice", AclOperation.READ),
                creation(ResourceType.CLUSTER, "c", PatternType.LITERAL, "User:alice", AclOperation.ALTER),
                creation(ResourceType.TOPIC, "", PatternType.LITERAL, "User:alice", AclOperation.READ),
                creation(ResourceType.GROUP, "g-", PatternType.PREFIXED, "User:alice", AclOperation.ANY)));

        CreateAclsResponseData response = apply(Acls.create(image, request, random));

        assertThat(response.results()).extracting(r -> Errors.forCode(r.errorCode())).containsExactly(
                Errors.NONE, Errors.NONE, Errors.INVALID_REQUEST, Errors.INVALID_REQUEST, Errors.INVALID_REQUEST,
                Errors.INVALID_REQUEST, Errors.INVALID_REQUEST, Errors.INVALID_REQUEST);
        assertThat(image.acls().all()).hasSize(1);

        CreateAclsResponseData again = apply(Acls.create(image, new CreateAclsRequestData().setCreations(
                List.of(creation(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:alice", AclOperation.READ))),
                random));
        assertThat(again.results().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(image.acls().all()).as("an existing binding is not written twice").hasSize(1);
    }

    @Test
    void aPrincipalNeedsOnlyItsTypeSeparator() {
        CreateAclsRequestData request = new CreateAclsRequestData().setCreations(List.of(
                creation(ResourceType.TOPIC, "t", PatternType.LITERAL, "User:", AclOperation.READ),
                creation(ResourceType.TOPIC, "t", PatternType.LITERAL, ":alice", AclOperation.READ),
                creation(ResourceType.TOPIC, "t", PatternType.LITERAL, "alice", AclOperation.READ),
                creation(ResourceType.TOPIC, "t", PatternType.LITERAL, "", AclOperation.READ)));

        CreateAclsResponseData response = apply(Acls.create(image, request, random));

        assertThat(response.results()).extracting(r -> Errors.forCode(r.errorCode())).containsExactly(
                Errors.NONE, Errors.NONE, Errors.INVALID_REQUEST, Errors.INVALID_REQUEST);
        assertThat(image.acls().all()).extracting(AccessControlEntryRecord::principal)
                .containsExactlyInAnyOrder("User:", ":alice");
    }

    @Test
    void deleteRemovesEveryMatchAndListsItPerFilter() {
        apply(Acls.create(image, new CreateAclsRequestData().setCreations(List.of(
                creation(ResourceType.TOPIC, "a", PatternType.LITERAL, "User:alice", AclOperation.READ),
                creation(ResourceType.TOPIC, "b", PatternType.PREFIXED, "User:alice", AclOperation.WRITE),
                creation(ResourceType.GROUP, "g", PatternType.LITERAL, "User:bob", AclOperation.READ))), random));

        DeleteAclsFilter aliceTopics = new DeleteAclsFilter().setResourceTypeFilter(ResourceType.TOPIC.code())
                .setResourceNameFilter(null).setHostFilter(null)
                .setPatternTypeFilter(PatternType.ANY.code()).setPrincipalFilter("User:alice")
                .setOperation(AclOperation.ANY.code()).setPermissionType(AclPermissionType.ANY.code());
        DeleteAclsFilter unknown = new DeleteAclsFilter().setResourceTypeFilter((byte) 99)
                .setPatternTypeFilter(PatternType.ANY.code()).setOperation(AclOperation.ANY.code())
                .setPermissionType(AclPermissionType.ANY.code());
        DeleteAclsResponseData response = apply(Acls.delete(image,
                new DeleteAclsRequestData().setFilters(List.of(aliceTopics, aliceTopics.duplicate(), unknown))));

        assertThat(response.filterResults().get(0).matchingAcls()).hasSize(2);
        assertThat(response.filterResults().get(1).matchingAcls()).hasSize(2);
        assertThat(response.filterResults().get(2).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(image.acls().all()).extracting(AccessControlEntryRecord::principal).containsExactly("User:bob");
    }

    @Test
    void aclRecordsSurviveTheWireAndSnapshots() {
        apply(Acls.create(image, new CreateAclsRequestData().setCreations(List.of(
                creation(ResourceType.TRANSACTIONAL_ID, "tx-", PatternType.PREFIXED, "User:*", AclOperation.WRITE))),
                random));
        AccessControlEntryRecord acl = image.acls().all().iterator().next();
        List<MetadataRecord> records = List.of(acl, new RemoveAccessControlEntryRecord(acl.id()));

        assertThat(MetadataRecordSerde.deserializeBatch(ByteBuffer.wrap(MetadataRecordSerde.serializeBatch(records))))
                .isEqualTo(records);

        MetadataDelta snapshot = MetadataDelta.replacing(image);
        snapshot.replayAll(image.toRecords());
        assertThat(snapshot.apply(image.appliedOffset())).isEqualTo(image);
    }
}
