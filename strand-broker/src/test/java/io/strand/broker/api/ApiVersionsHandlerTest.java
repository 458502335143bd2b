package io.strand.broker.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.network.ApiRegistry;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.ClusterIdRecord;
import io.strand.metadata.record.FeatureLevelRecord;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;

/** ApiVersions' features: the supported ranges, and the finalized levels and epoch of the current image. */
class ApiVersionsHandlerTest {

    private final AtomicReference<MetadataImage> image = new AtomicReference<>(MetadataImage.EMPTY);
    private final ApiRegistry registry = new ApiRegistry();
    private final ApiVersionsHandler handler = new ApiVersionsHandler(registry, image::get);

    {
        registry.register(handler);
    }

    private ApiVersionsResponseData apiVersions(short version) {
        ApiVersionsRequest request = new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("test").setClientSoftwareVersion("1"), version);
        ApiVersionsResponseData response = handler.handle(Requests.context(request), request).join();
        // what a client of this version reads
        return ApiVersionsResponse.parse(MessageUtil.toByteBufferAccessor(response, version), version).data();
    }

    private static Map<String, Short> finalized(ApiVersionsResponseData response) {
        Map<String, Short> levels = new TreeMap<>();
        response.finalizedFeatures().forEach(f -> levels.put(f.name(), f.maxVersionLevel()));
        return levels;
    }

    private void apply(long offset, FeatureLevelRecord... records) {
        MetadataDelta delta = new MetadataDelta(image.get());
        delta.replay(new ClusterIdRecord("c"));
        delta.replayAll(List.of(records));
        image.set(delta.apply(offset));
    }

    @Test
    void finalizedFeaturesAndTheirEpochComeFromTheCurrentImage() {
        apply(3, new FeatureLevelRecord("metadata.version", (short) 30),
                new FeatureLevelRecord("transaction.version", (short) 1));
        ApiVersionsResponseData before = apiVersions((short) 3);

        apply(9, new FeatureLevelRecord("transaction.version", (short) 2));
        ApiVersionsResponseData after = apiVersions((short) 4);

        assertThat(finalized(before)).containsExactly(Map.entry("metadata.version", (short) 30),
                Map.entry("transaction.version", (short) 1));
        assertThat(before.finalizedFeaturesEpoch()).isEqualTo(3);
        assertThat(finalized(after)).containsEntry("transaction.version", (short) 2);
        assertThat(after.finalizedFeaturesEpoch()).as("grows with the change").isEqualTo(9);
        assertThat(after.supportedFeatures().find("transaction.version").maxVersion()).isEqualTo((short) 2);
        assertThat(after.apiKeys().find(ApiKeys.API_VERSIONS.id)).isNotNull();
    }

    @Test
    void aClusterWithoutFinalizedFeaturesAnswersNoneWithEpochMinusOne() {
        ApiVersionsResponseData response = apiVersions((short) 4);

        assertThat(response.finalizedFeatures()).isEmpty();
        assertThat(response.finalizedFeaturesEpoch()).isEqualTo(-1);
        assertThat(response.supportedFeatures()).extracting(ApiVersionsResponseData.SupportedFeatureKey::name)
                .containsExactlyInAnyOrder("metadata.version", "group.version", "transaction.version",
                        "share.version");
    }

    /** As Kafka (KIP-1022): clients before v4 take a listed feature to start at level 1. */
    @Test
    void beforeV4FeaturesThatStartAtZeroAreNotListedAndNoVersionListsALevelZero() {
        apply(3, new FeatureLevelRecord("metadata.version", (short) 30),
                new FeatureLevelRecord("group.version", (short) 0));

        ApiVersionsResponseData v3 = apiVersions((short) 3);

        assertThat(v3.supportedFeatures()).extracting(ApiVersionsResponseData.SupportedFeatureKey::name)
                .containsExactly("metadata.version");
        assertThat(finalized(v3)).containsExactly(Map.entry("metadata.version", (short) 30));
        assertThat(finalized(apiVersions((short) 4))).containsExactly(Map.entry("metadata.version", (short) 30));
    }

    @Test
    void versionsBefore3CarryNoFeatures() {
        apply(3, new FeatureLevelRecord("transaction.version", (short) 2));

        ApiVersionsResponseData response = apiVersions((short) 2);

        assertThat(response.finalizedFeatures()).isEmpty();
        assertThat(response.supportedFeatures()).isEmpty();
    }
}
