package io.strand.broker.api.configs;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.FakeController;
import io.strand.broker.api.Requests;
import java.util.List;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.junit.jupiter.api.Test;

class IncrementalAlterConfigsHandlerTest {

    private final FakeController controller = new FakeController();
    private final IncrementalAlterConfigsHandler handler = new IncrementalAlterConfigsHandler(controller, 1);

    @Test
    void topicAndBrokerChangesGoToTheControllerAndAnswersKeepRequestOrder() {
        controller.incrementalAlterConfigs = request -> {
            IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
            // Answer in another order, one with an error.
            response.responses().add(answer(ConfigResource.Type.BROKER, "", Errors.NONE, null));
            response.responses().add(answer(ConfigResource.Type.TOPIC, "t", Errors.INVALID_CONFIG, "bad value"));
            response.responses().add(answer(ConfigResource.Type.BROKER, "1", Errors.NONE, null));
            return response;
        };

        IncrementalAlterConfigsResponseData response = handle(request(true,
                resource(ConfigResource.Type.TOPIC, "t", op(OpType.SET, "retention.ms", "-7")),
                resource(ConfigResource.Type.BROKER, "1", op(OpType.SET, "log.retention.ms", "1000")),
                resource(ConfigResource.Type.BROKER, "", op(OpType.DELETE, "log.retention.ms", null))));

        IncrementalAlterConfigsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.validateOnly()).isTrue();
        assertThat(forwarded.resources()).hasSize(3);
        assertThat(results(response)).containsExactly("TOPIC:t=INVALID_CONFIG:bad value", "BROKER:1=NONE:null",
                "BROKER:=NONE:null");
    }

    @Test
    void resourceNamedTwiceIsRejectedBothTimes() {
        IncrementalAlterConfigsResponseData response = handle(request(false,
                resource(ConfigResource.Type.TOPIC, "t", op(OpType.SET, "retention.ms", "1")),
                resource(ConfigResource.Type.TOPIC, "u", op(OpType.SET, "retention.ms", "1")),
                resource(ConfigResource.Type.TOPIC, "t", op(OpType.SET, "retention.ms", "2"))));

        IncrementalAlterConfigsRequestData forwarded = controller.onlyRequest();
        assertThat(forwarded.resources()).extracting(AlterConfigsResource::resourceName).containsExactly("u");
        assertThat(results(response)).containsExactly(
                "TOPIC:t=INVALID_REQUEST:Each resource must appear at most once.", "TOPIC:u=NONE:null",
                "TOPIC:t=INVALID_REQUEST:Each resource must appear at most once.");
    }

    @Test
    void malformedResourcesAreAnsweredWithoutTheController() {
        IncrementalAlterConfigsResponseData response = handle(request(false,
                resource(ConfigResource.Type.TOPIC, "a", op(OpType.SET, "retention.ms", "1"),
                        op(OpType.DELETE, "retention.ms", null)),
                resource(ConfigResource.Type.TOPIC, "b", op(OpType.SET, "retention.ms", null),
                        op(OpType.APPEND, "cleanup.policy", null)),
                resource(ConfigResource.Type.BROKER, "2", op(OpType.SET, "log.retention.ms", "1")),
                resource(ConfigResource.Type.BROKER, "x", op(OpType.SET, "log.retention.ms", "1")),
                resource(ConfigResource.Type.BROKER, "", op(OpType.SET, "log.retention.ms", "abc")),
                resource(ConfigResource.Type.UNKNOWN, "z")));

        assertThat(controller.requests).isEmpty();
        assertThat(results(response)).containsExactly(
                "TOPIC:a=INVALID_REQUEST:Error due to duplicate config keys",
                "TOPIC:b=INVALID_REQUEST:Null value not supported for : retention.ms, cleanup.policy",
                "BROKER:2=INVALID_REQUEST:Unexpected broker id, expected 1, but received 2",
                "BROKER:x=INVALID_REQUEST:Node id must be an integer, but it is: x",
                "BROKER:=INVALID_REQUEST:Invalid value abc for configuration log.retention.ms: Not a number of type LONG",
                "UNKNOWN:z=INVALID_REQUEST:Unknown resource type 0");
    }

    @Test
    void deleteNeedsNoValue() {
        handle(request(false, resource(ConfigResource.Type.TOPIC, "t", op(OpType.DELETE, "retention.ms", null))));

        assertThat(controller.requests).hasSize(1);
    }

    @Test
    void brokerLoggersCannotBeChanged() {
        IncrementalAlterConfigsResponseData response = handle(request(false,
                resource(ConfigResource.Type.BROKER_LOGGER, "1", op(OpType.SET, "root", "DEBUG")),
                resource(ConfigResource.Type.BROKER_LOGGER, "1", op(OpType.APPEND, "root", "DEBUG")),
                resource(ConfigResource.Type.BROKER_LOGGER, "2", op(OpType.SET, "root", "DEBUG")),
                resource(ConfigResource.Type.BROKER_LOGGER, "3")));

        assertThat(controller.requests).isEmpty();
        assertThat(results(response)).containsExactly(
                "BROKER_LOGGER:1=INVALID_REQUEST:Each resource must appear at most once.",
                "BROKER_LOGGER:1=INVALID_REQUEST:Each resource must appear at most once.",
                "BROKER_LOGGER:2=INVALID_REQUEST:Unexpected node id. Expected 1, but received 2",
                "BROKER_LOGGER:3=INVALID_REQUEST:Unexpected node id. Expected 1, but received 3");

        IncrementalAlterConfigsResponseData set = handle(request(false,
                resource(ConfigResource.Type.BROKER_LOGGER, "1", op(OpType.SET, "root", "DEBUG"))));
        IncrementalAlterConfigsResponseData append = handle(request(false,
                resource(ConfigResource.Type.BROKER_LOGGER, "1", op(OpType.APPEND, "root", "DEBUG"))));
        IncrementalAlterConfigsResponseData none = handle(request(false,
                resource(ConfigResource.Type.BROKER_LOGGER, "1")));
        assertThat(results(set)).containsExactly("BROKER_LOGGER:1=INVALID_CONFIG:Logger root does not exist!");
        assertThat(results(append)).containsExactly(
                "BROKER_LOGGER:1=INVALID_REQUEST:APPEND operation is not allowed for the BROKER_LOGGER resource");
        assertThat(results(none)).containsExactly("BROKER_LOGGER:1=NONE:null");
    }

    @Test
    void resourceTheControllerForgotIsAnUnknownServerError() {
        controller.incrementalAlterConfigs = request -> new IncrementalAlterConfigsResponseData();

        IncrementalAlterConfigsResponseData response = handle(request(false,
                resource(ConfigResource.Type.TOPIC, "t", op(OpType.SET, "retention.ms", "1"))));

        assertThat(response.responses()).singleElement()
                .satisfies(r -> assertThat(r.errorCode()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code()));
    }

    @Test
    void everyVersionCarriesTheResponseOverTheWire() {
        for (short version = 0; version <= 1; version++) {
            IncrementalAlterConfigsRequest request = new IncrementalAlterConfigsRequest.Builder(request(false,
                    resource(ConfigResource.Type.TOPIC, "t", op(OpType.SET, "retention.ms", "1")),
                    resource(ConfigResource.Type.BROKER, "9"))).build(version);
            IncrementalAlterConfigsResponseData read = Requests.overWire(ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                    handler.handle(Requests.context(request), request).join(), version);
            assertThat(results(read)).containsExactly("TOPIC:t=NONE:null",
                    "BROKER:9=INVALID_REQUEST:Unexpected broker id, expected 1, but received 9");
        }
    }

    private IncrementalAlterConfigsResponseData handle(IncrementalAlterConfigsRequestData data) {
        IncrementalAlterConfigsRequest request = new IncrementalAlterConfigsRequest.Builder(data).build((short) 1);
        return handler.handle(Requests.context(request), request).join();
    }

    private static IncrementalAlterConfigsRequestData request(boolean validateOnly, AlterConfigsResource... resources) {
        IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData().setValidateOnly(validateOnly);
        for (AlterConfigsResource resource : resources) {
            data.resources().add(resource);
        }
        return data;
    }

    private static AlterConfigsResource resource(ConfigResource.Type type, String name, AlterableConfig... configs) {
        AlterConfigsResource resource = new AlterConfigsResource().setResourceType(type.id()).setResourceName(name);
        for (AlterableConfig config : configs) {
            resource.configs().add(config);
        }
        return resource;
    }

    private static AlterableConfig op(OpType op, String name, String value) {
        return new AlterableConfig().setConfigOperation(op.id()).setName(name).setValue(value);
    }

    private static AlterConfigsResourceResponse answer(ConfigResource.Type type, String name, Errors error,
                                                       String message) {
        return new AlterConfigsResourceResponse().setResourceType(type.id()).setResourceName(name)
                .setErrorCode(error.code()).setErrorMessage(message);
    }

    /** "TYPE:name=ERROR:message" per result. */
    static List<String> results(IncrementalAlterConfigsResponseData response) {
        return response.responses().stream().map(r -> ConfigResource.Type.forId(r.resourceType()) + ":"
                + r.resourceName() + "=" + Errors.forCode(r.errorCode()) + ":" + r.errorMessage()).toList();
    }
}
