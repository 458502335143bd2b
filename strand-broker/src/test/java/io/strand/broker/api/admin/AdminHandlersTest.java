package io.strand.broker.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.api.FakeController;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ApiRegistry;
import io.strand.common.config.BrokerConfig;
import io.strand.metadata.MetadataImage;
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
        Map<ApiKeys, String> expected = Map.of(
                ApiKeys.CREATE_TOPICS, "2-7", ApiKeys.DELETE_TOPICS, "1-6", ApiKeys.CREATE_PARTITIONS, "0-3",
                ApiKeys.DESCRIBE_CONFIGS, "1-4", ApiKeys.ALTER_CONFIGS, "0-2", ApiKeys.INCREMENTAL_ALTER_CONFIGS, "0-1",
                ApiKeys.DESCRIBE_CLUSTER, "0-2", ApiKeys.DESCRIBE_TOPIC_PARTITIONS, "0-0", ApiKeys.DESCRIBE_LOG_DIRS, "1-5");

        for (ApiHandler<?> handler : handlers) {
            ApiVersion advertised = handler.advertisedVersions();
            assertThat(advertised.minVersion() + "-" + advertised.maxVersion()).as(handler.apiKey().name)
                    .isEqualTo(expected.get(handler.apiKey()));
            for (short v = advertised.minVersion(); v <= advertised.maxVersion(); v++) {
                assertThat(handler.servesVersion(v)).isTrue();
            }
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
