package io.strand.broker.api.quota;

import static io.strand.broker.quota.QuotaType.CONTROLLER_MUTATION;
import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.Requests;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.RequestContext;
import io.strand.broker.quota.ClientQuotaManager;
import io.strand.broker.quota.QuotaWindows;
import io.strand.common.time.ManualTime;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClientQuotaRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.junit.jupiter.api.Test;

class ControllerMutationThrottlingTest {

    private final ManualTime time = new ManualTime();
    private final MetadataImage image = withQuota(10);
    private final ClientQuotaManager quota = new ClientQuotaManager(CONTROLLER_MUTATION, QuotaWindows.DEFAULT,
            image::clientQuotas, time);
    /** The topics the wrapped handler was asked to create, each answered NONE. */
    private final List<String> served = new ArrayList<>();
    private final ApiHandler<CreateTopicsRequest> createTopics = new ApiHandler<>() {
        @Override
        public ApiKeys apiKey() {
            return ApiKeys.CREATE_TOPICS;
        }

        @Override
        public ApiVersion advertisedVersions() {
            return ApiHandler.versions(apiKey(), (short) 2, (short) 7);
        }

        @Override
        public CompletableFuture<CreateTopicsResponseData> handle(RequestContext context, CreateTopicsRequest request) {
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            request.data().topics().forEach(t -> {
                served.add(t.name());
                response.topics().add(new CreatableTopicResult().setName(t.name()));
            });
            return CompletableFuture.completedFuture(response);
        }
    };

    private static MetadataImage withQuota(double partitionsPerSecond) {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        delta.replay(ClientQuotaRecord.set(Map.of("client-id", "test-client"), CONTROLLER_MUTATION.key(),
                partitionsPerSecond));
        return delta.apply(1);
    }

    @SuppressWarnings("unchecked")
    private CreateTopicsResponseData create(short version, int... partitions) {
        CreateTopicsRequestData data = new CreateTopicsRequestData();
        for (int i = 0; i < partitions.length; i++) {
            data.topics().add(new CreatableTopic().setName("t" + i).setNumPartitions(partitions[i])
                    .setReplicationFactor((short) 1));
        }
        CreateTopicsRequest request = new CreateTopicsRequest.Builder(data).build(version);
        ApiHandler<CreateTopicsRequest> wrapped = (ApiHandler<CreateTopicsRequest>)
                ControllerMutationThrottling.wrap(createTopics, quota, () -> image, () -> 1);
        return (CreateTopicsResponseData) wrapped.handle(Requests.context(request), request).join();
    }

    private static Map<String, Errors> errors(CreateTopicsResponseData response) {
        Map<String, Errors> errors = new java.util.TreeMap<>();
        response.topics().forEach(t -> errors.put(t.name(), Errors.forCode(t.errorCode())));
        return errors;
    }

    @Test
    void strictVersionsRefuseTopicsOnceTheBucketIsBelowZero() {
        // the bucket holds 110 tokens: t0 takes it to 10, t1 to -90, t2 is refused
        CreateTopicsResponseData response = create((short) 7, 100, 100, 1);

        assertThat(served).containsExactly("t0", "t1");
        assertThat(errors(response)).containsExactly(Map.entry("t0", Errors.NONE), Map.entry("t1", Errors.NONE),
                Map.entry("t2", Errors.THROTTLING_QUOTA_EXCEEDED));
        assertThat(response.topics().find("t2").errorMessage()).isEqualTo("The throttling quota has been exceeded.");
        assertThat(response.throttleTimeMs()).isEqualTo(9_000);
    }

    @Test
    void olderVersionsCreateEverythingAndAreThrottled() {
        CreateTopicsResponseData response = create((short) 5, 100, 100, 1);

        assertThat(served).containsExactly("t0", "t1", "t2");
        assertThat(response.throttleTimeMs()).isEqualTo(9_100);
    }

    @Test
    void otherHandlersAreLeftAsTheyAre() {
        ApiHandler<?> other = new io.strand.broker.api.quota.DescribeClientQuotasHandler(() -> image);

        assertThat(ControllerMutationThrottling.wrap(other, quota, () -> image, () -> 1)).isSameAs(other);
    }
}
