package io.strand.broker.api.configs;

import static io.strand.broker.api.configs.ConfigDescriberTest.entry;
import static io.strand.broker.api.configs.ConfigDescriberTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strand.broker.api.Requests;
import io.strand.broker.api.TestImages;
import io.strand.common.config.BrokerConfig;
import io.strand.metadata.image.MetadataImage;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.Test;

class DescribeConfigsHandlerTest {

    private final AtomicReference<MetadataImage> image = new AtomicReference<>(TestImages.builder().broker(1)
            .topic("compacted", 1, 1).topicConfig("compacted", "cleanup.policy", "compact").build());
    private final DescribeConfigsHandler handler = new DescribeConfigsHandler(image::get,
            new ConfigDescriber(BrokerConfig.defaults()));

    @Test
    void eachResourceGetsItsOwnResultInRequestOrder() {
        DescribeConfigsResponseData response = handle(request(true, false,
                resource(ConfigResource.Type.TOPIC, "missing", null),
                resource(ConfigResource.Type.TOPIC, "compacted", List.of("cleanup.policy")),
                resource(ConfigResource.Type.BROKER, "1", List.of("num.partitions")),
                resource(ConfigResource.Type.BROKER, "7", null)), 4);

        assertThat(response.results()).extracting(DescribeConfigsResult::resourceName)
                .containsExactly("missing", "compacted", "1", "7");
        assertThat(response.results()).extracting(DescribeConfigsResult::errorCode).containsExactly(
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), Errors.NONE.code(), Errors.NONE.code(),
                Errors.INVALID_REQUEST.code());
        assertThat(entry(response.results().get(1), "cleanup.policy").value()).isEqualTo("compact");
    }

    @Test
    void readsTheImageCurrentAtRequestTime() {
        image.set(TestImages.builder().broker(1).topic("later", 1, 1).build());

        DescribeConfigsResponseData response = handle(request(false, false,
                resource(ConfigResource.Type.TOPIC, "later", null)), 4);

        assertThat(response.results().get(0).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void unknownResourceTypeFailsTheWholeRequest() {
        DescribeConfigsRequest request = new DescribeConfigsRequest.Builder(request(false, false,
                resource(ConfigResource.Type.TOPIC, "compacted", null),
                new DescribeConfigsResource().setResourceType((byte) 3).setResourceName("x"))).build((short) 4);

        Throwable error = catchThrowable(() -> handler.handle(Requests.context(request), request));

        assertThat(error).isInstanceOf(InvalidRequestException.class);
        DescribeConfigsResponseData response = Requests.errorResponse(request, error);
        assertThat(response.results()).extracting(DescribeConfigsResult::errorCode)
                .containsOnly(Errors.INVALID_REQUEST.code());
    }

    @Test
    void everyVersionCarriesWhatItCan() {
        for (short version = 1; version <= 4; version++) {
            boolean documentation = version >= 3;
            DescribeConfigsResponseData read = Requests.overWire(ApiKeys.DESCRIBE_CONFIGS,
                    handle(request(true, documentation, resource(ConfigResource.Type.TOPIC, "compacted", null)),
                            version), version);
            var policy = entry(read.results().get(0), "cleanup.policy");
            assertThat(policy.value()).isEqualTo("compact");
            assertThat(policy.configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
            assertThat(policy.synonyms()).hasSize(2);
            assertThat(policy.configType()).isEqualTo(version >= 3 ? ConfigType.LIST.id() : ConfigType.UNKNOWN.id());
            if (documentation) {
                assertThat(policy.documentation()).isNotEmpty();
            } else {
                assertThat(policy.documentation()).isNullOrEmpty();
            }
        }
    }

    private DescribeConfigsResponseData handle(DescribeConfigsRequestData data, int version) {
        DescribeConfigsRequest request = new DescribeConfigsRequest.Builder(data).build((short) version);
        return handler.handle(Requests.context(request), request).join();
    }

    private static DescribeConfigsRequestData request(boolean synonyms, boolean documentation,
                                                      DescribeConfigsResource... resources) {
        return new DescribeConfigsRequestData().setIncludeSynonyms(synonyms).setIncludeDocumentation(documentation)
                .setResources(List.of(resources));
    }
}
