package io.strand.broker.api.configs;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.FakeController;
import io.strand.broker.api.Requests;
import java.util.List;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.junit.jupiter.api.Test;

class AlterConfigsHandlerTest {

    private final FakeController controller = new FakeController();
    private final AlterConfigsHandler handler = new AlterConfigsHandler(controller, 1);

    @Test
    void wellFormedResourcesGoToTheControllerWholeWithValidateOnly() {
        AlterConfigsResponseData response = handle(request(true,
                resource(ConfigResource.Type.TOPIC, "t", "retention.ms", "1000", "cleanup.policy", "compact"),
                resource(ConfigResource.Type.BROKER, "1", "log.retention.ms", "5000")), 2);

        AlterConfigsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.validateOnly()).isTrue();
        assertThat(forwarded.resources().find(ConfigResource.Type.TOPIC.id(), "t").configs())
                .extracting(AlterableConfig::name).containsExactly("retention.ms", "cleanup.policy");
        assertThat(results(response)).containsExactly("TOPIC:t=NONE:null", "BROKER:1=NONE:null");
    }

    @Test
    void malformedResourcesAreAnsweredWithoutTheController() {
        AlterConfigsResponseData response = handle(request(false,
                resource(ConfigResource.Type.TOPIC, "a", "retention.ms", null),
                resource(ConfigResource.Type.TOPIC, "b", "retention.ms", "1", "retention.ms", "2"),
                resource(ConfigResource.Type.BROKER, "2", "log.retention.ms", "1"),
                resource(ConfigResource.Type.BROKER, "", "log.segment.bytes", "12"),
                resource(ConfigResource.Type.BROKER_LOGGER, "1", "root", "DEBUG")), 2);

        assertThat(controller.requests).isEmpty();
        assertThat(results(response)).containsExactly(
                "TOPIC:a=INVALID_REQUEST:Null value not supported for : retention.ms",
                "TOPIC:b=INVALID_REQUEST:Error due to duplicate config keys",
                "BROKER:2=INVALID_REQUEST:Unexpected broker id, expected 1, but received 2",
                "BROKER:=INVALID_REQUEST:Invalid value 12 for configuration log.segment.bytes: Value must be at least 1048576",
                "BROKER_LOGGER:1=INVALID_REQUEST:Unknown resource type 8");
    }

    @Test
    void resourceNamedTwiceIsRejectedBothTimes() {
        AlterConfigsResponseData response = handle(request(false,
                resource(ConfigResource.Type.BROKER, "", "log.retention.ms", "1"),
                resource(ConfigResource.Type.BROKER, "", "log.retention.ms", "2")), 0);

        assertThat(controller.requests).isEmpty();
        assertThat(results(response)).containsOnly("BROKER:=INVALID_REQUEST:Each resource must appear at most once.")
                .hasSize(2);
    }

    @Test
    void everyVersionCarriesTheResponseOverTheWire() {
        for (short version = 0; version <= 2; version++) {
            AlterConfigsResponseData read = Requests.overWire(ApiKeys.ALTER_CONFIGS, handle(request(false,
                    resource(ConfigResource.Type.TOPIC, "t", "retention.ms", "1"),
                    resource(ConfigResource.Type.TOPIC, "u", "retention.ms", null)), version), version);
            assertThat(results(read)).containsExactly("TOPIC:t=NONE:null",
                    "TOPIC:u=INVALID_REQUEST:Null value not supported for : retention.ms");
        }
    }

    private AlterConfigsResponseData handle(AlterConfigsRequestData data, int version) {
        AlterConfigsRequest request = new AlterConfigsRequest(data, (short) version);
        return handler.handle(Requests.context(request), request).join();
    }

    private static AlterConfigsRequestData request(boolean validateOnly, AlterConfigsResource... resources) {
        AlterConfigsRequestData data = new AlterConfigsRequestData().setValidateOnly(validateOnly);
        for (AlterConfigsResource resource : resources) {
            data.resources().add(resource);
        }
        return data;
    }

    private static AlterConfigsResource resource(ConfigResource.Type type, String name, String... pairs) {
        AlterConfigsResource resource = new AlterConfigsResource().setResourceType(type.id()).setResourceName(name);
        for (int i = 0; i < pairs.length; i += 2) {
            resource.configs().add(new AlterableConfig().setName(pairs[i]).setValue(pairs[i + 1]));
        }
        return resource;
    }

    private static List<String> results(AlterConfigsResponseData response) {
        return response.responses().stream().map(r -> ConfigResource.Type.forId(r.resourceType()) + ":"
                + r.resourceName() + "=" + Errors.forCode(r.errorCode()) + ":" + r.errorMessage()).toList();
    }
}
