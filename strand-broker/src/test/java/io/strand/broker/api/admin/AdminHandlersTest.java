package io.strand.broker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.FakeController;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ApiRegistry;
import io.strand.common.config.BrokerConfig;
import io.strand.metadata.image.MetadataImage;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class AdminHandlersTest {

    private final List<ApiHandler<?>> handlers = AdminHandlers.all(BrokerConfig.defaults(),
            () -> MetadataImage.EMPTY, new FakeController(), List::of);

    @Test
    void oneHandlerPerAdminApiAndAllRegisterTogether() {
        ApiRegistry registry = new ApiRegistry();
        handlers.forEach(registry::register);

        assertThat(handlers).extracting(ApiHandler::apiKey).containsExactlyInAnyOrder(
                ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS, ApiKeys.CREATE_PARTITIONS, ApiKeys.DESCRIBE_CONFIGS,
                ApiKeys.ALTER_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.DESCRIBE_CLUSTER,
                ApiKeys.DESCRIBE_TOPIC_PARTITIONS, ApiKeys.DESCRIBE_LOG_DIRS);
        assertThat(registry.handlers()).hasSize(9);
    }

    @Test
    void advertisedVersionsAreTheOnesServed() {
        // The ranges themselves are pinned, for every API, by the server's AdvertisedApiVersionsTest.
        for (ApiHandler<?> handler : handlers) {
            ApiVersion advertised = handler.advertisedVersions();
            assertThat(advertised.apiKey()).isEqualTo(handler.apiKey().id);
            for (short v = advertised.minVersion(); v <= advertised.maxVersion(); v++) {
                assertThat(handler.servesVersion(v)).as(handler.apiKey().name + " v" + v).isTrue();
            }
            assertThat(handler.servesVersion((short) (advertised.maxVersion() + 1))).isFalse();
        }
    }

    @Test
    void controllerDefaultsComeFromTheServerConfig() {
        assertThat(AdminHandlers.controllerDefaults(BrokerConfig.defaults()).defaultReplicationFactor()).isEqualTo((short) 1);
        assertThat(AdminHandlers.controllerDefaults(BrokerConfig.of(Map.of("default.replication.factor", "3",
                "num.partitions", "6")))).extracting(d -> d.defaultReplicationFactor(), d -> d.numPartitions())
                .containsExactly((short) 3, 6);
    }
}
