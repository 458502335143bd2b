package io.strand.broker.api.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.broker.share.SharePersister;
import io.strand.broker.share.ShareGroupAdmin;
import io.strand.coordinator.group.GroupCoordinator;
import io.strand.coordinator.group.GroupCoordinatorConfig;
import io.strand.coordinator.group.OffsetsTopicLog;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The share group offsets handlers' own answers: the versions advertised (Kafka 4.3's), requests refused
 * before the group coordinator is asked (an empty group id; an empty topic list), and requests that do not
 * parse. The coordinator is never started, so a request that reached it would not complete.
 */
class ShareAdminHandlersTest {

    private final GroupCoordinator groups = new GroupCoordinator(GroupCoordinatorConfig.defaults(),
            (OffsetsTopicLog) null, Time.SYSTEM, new Random(1));
    private final ShareGroupAdmin admin = new ShareGroupAdmin(groups, SharePersister.NONE,
            () -> TestImages.builder().build(), tp -> CompletableFuture.completedFuture(OptionalLong.empty()));

    @AfterEach
    void stop() {
        groups.close();
    }

    @Test
    void advertisesTheVersionsOfKafka43() {
        assertThat(new DescribeShareGroupOffsetsHandler(admin).advertisedVersions())
                .satisfies(v -> assertThat(List.of(v.minVersion(), v.maxVersion())).containsExactly((short) 0, (short) 1));
        assertThat(new AlterShareGroupOffsetsHandler(admin).advertisedVersions())
                .satisfies(v -> assertThat(List.of(v.minVersion(), v.maxVersion())).containsExactly((short) 0, (short) 0));
        assertThat(new DeleteShareGroupOffsetsHandler(admin).advertisedVersions())
                .satisfies(v -> assertThat(List.of(v.minVersion(), v.maxVersion())).containsExactly((short) 0, (short) 0));
        assertThat(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS.latestVersion()).isEqualTo((short) 1);
        assertThat(ApiKeys.ALTER_SHARE_GROUP_OFFSETS.latestVersion()).isZero();
        assertThat(ApiKeys.DELETE_SHARE_GROUP_OFFSETS.latestVersion()).isZero();
    }

    @Test
    void anEmptyGroupIdIsInvalid() {
        AlterShareGroupOffsetsRequest alter = request(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, (short) 0,
                new AlterShareGroupOffsetsRequestData().setGroupId(""));
        AlterShareGroupOffsetsResponseData altered = new AlterShareGroupOffsetsHandler(admin)
                .handle(Requests.context(alter), alter).join();
        assertThat(Errors.forCode(altered.errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(altered.responses()).isEmpty();

        DeleteShareGroupOffsetsRequest delete = request(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, (short) 0,
                new DeleteShareGroupOffsetsRequestData().setGroupId(""));
        DeleteShareGroupOffsetsResponseData deleted = new DeleteShareGroupOffsetsHandler(admin)
                .handle(Requests.context(delete), delete).join();
        assertThat(Errors.forCode(deleted.errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
    }

    @Test
    void anEmptyTopicListDescribesNothing() {
        DescribeShareGroupOffsetsRequest describe = request(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, (short) 1,
                new DescribeShareGroupOffsetsRequestData().setGroups(List.of(
                        new DescribeShareGroupOffsetsRequestGroup().setGroupId("g").setTopics(List.of()))));
        DescribeShareGroupOffsetsResponseData response = new DescribeShareGroupOffsetsHandler(admin)
                .handle(Requests.context(describe), describe).join();
        DescribeShareGroupOffsetsResponseData read = Requests.overWire(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
                response, (short) 1);
        assertThat(read.groups()).singleElement().satisfies(group -> {
            assertThat(group.groupId()).isEqualTo("g");
            assertThat(group.errorCode()).isZero();
            assertThat(group.topics()).isEmpty();
        });
    }

    @Test
    void truncatedRequestsDoNotParse() {
        Map<ApiKeys, ApiMessage> requests = Map.of(
                ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, new DescribeShareGroupOffsetsRequestData().setGroups(List.of(
                        new DescribeShareGroupOffsetsRequestGroup().setGroupId("group").setTopics(null))),
                ApiKeys.ALTER_SHARE_GROUP_OFFSETS, new AlterShareGroupOffsetsRequestData().setGroupId("group"),
                ApiKeys.DELETE_SHARE_GROUP_OFFSETS, new DeleteShareGroupOffsetsRequestData().setGroupId("group"));
        requests.forEach((api, data) -> {
            ByteBuffer full = MessageUtil.toByteBufferAccessor(data, api.latestVersion()).buffer();
            ByteBuffer truncated = full.duplicate();
            truncated.limit(full.limit() - 3);
            assertThatThrownBy(() -> AbstractRequest.parseRequest(api, api.latestVersion(),
                    new ByteBufferAccessor(truncated))).as(api.name).isInstanceOf(RuntimeException.class);
        });
    }

    @SuppressWarnings("unchecked")
    private static <R extends AbstractRequest> R request(ApiKeys api, short version, ApiMessage data) {
        ByteBuffer bytes = MessageUtil.toByteBufferAccessor(data, version).buffer();
        return (R) AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(bytes)).request;
    }
}
