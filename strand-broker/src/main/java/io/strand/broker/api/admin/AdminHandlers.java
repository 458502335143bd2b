package io.strand.broker.api.admin;

import io.strand.broker.api.AdminController;
import io.strand.broker.api.configs.AlterConfigsHandler;
import io.strand.broker.api.configs.ConfigDescriber;
import io.strand.broker.api.configs.DescribeConfigsHandler;
import io.strand.broker.api.configs.IncrementalAlterConfigsHandler;
import io.strand.broker.api.metadata.DescribeClusterHandler;
import io.strand.broker.api.metadata.DescribeTopicPartitionsHandler;
import io.strand.broker.controller.ControllerChannel;
import io.strand.broker.network.ApiHandler;
import io.strand.broker.share.ShareGroupConfig;
import io.strand.common.config.BrokerConfig;
import io.strand.common.config.GroupConfigs;
import io.strand.metadata.controller.ControllerDefaults;
import io.strand.metadata.controller.QuorumController;
import io.strand.metadata.image.MetadataImage;
import io.strand.storage.LogDirDescription;
import io.strand.storage.LogManager;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;

/**
 * The admin API handlers of a broker, built in one call so the broker registers them in one line:
 * CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs, AlterConfigs,
 * IncrementalAlterConfigs, DescribeCluster, DescribeTopicPartitions and DescribeLogDirs:
 * {@code AdminHandlers.all(config, image, channel, activeControllerId, logManager).forEach(registry::register)}.
 * Topic and config changes are forwarded to the active controller through the
 * {@link ControllerChannel}, as Kafka's brokers forward them, so any broker serves them.
 *
 * <p>The handlers are stateless (they read the image and the static config per request), so one set
 * serves every connection and event loop.
 */
public final class AdminHandlers {

    private AdminHandlers() {
    }

    /**
     * @param config             this node's validated configuration (node id, topic defaults,
     *                           {@code delete.topic.enable}, static properties reported by DescribeConfigs)
     * @param image              the current metadata image
     * @param controller         where topic and config changes are forwarded: the active controller
     * @param activeControllerId the node id of the active controller, -1 when unknown (DescribeCluster)
     * @param logManager         where DescribeLogDirs reads the log directories
     */
    public static List<ApiHandler<?>> all(BrokerConfig config, Supplier<MetadataImage> image,
                                          ControllerChannel controller, IntSupplier activeControllerId,
                                          LogManager logManager) {
        return all(config, image, new ForwardingAdminController(controller), activeControllerId,
                logManager::describeLogDirs);
    }

    static List<ApiHandler<?>> all(BrokerConfig config, Supplier<MetadataImage> image, AdminController controller,
                                   Supplier<List<LogDirDescription>> logDirs) {
        return all(config, image, controller, () -> -1, logDirs);
    }

    static List<ApiHandler<?>> all(BrokerConfig config, Supplier<MetadataImage> image, AdminController controller,
                                   IntSupplier activeControllerId, Supplier<List<LogDirDescription>> logDirs) {
        ConfigDescriber describer = new ConfigDescriber(config);
        return List.of(
                new CreateTopicsHandler(image, controller, describer),
                new DeleteTopicsHandler(controller, config.getBoolean(BrokerConfig.DELETE_TOPIC_ENABLE)),
                new CreatePartitionsHandler(controller),
                new DescribeConfigsHandler(image, describer),
                new AlterConfigsHandler(controller, config.nodeId()),
                new IncrementalAlterConfigsHandler(controller, config.nodeId()),
                new DescribeClusterHandler(image, activeControllerId),
                new DescribeTopicPartitionsHandler(image),
                new DescribeLogDirsHandler(logDirs));
    }

    /**
     * The local controller with this broker's topic defaults and dynamic broker configs bound in,
     * called directly rather than through the controller channel.
     */
    static AdminController adminController(BrokerConfig config, QuorumController controller) {
        ControllerDefaults defaults = controllerDefaults(config);
        GroupConfigs.Bounds groupBounds = ShareGroupConfig.groupConfigBounds(config.originals());
        return new AdminController() {
            @Override
            public CompletableFuture<CreateTopicsResponseData> createTopics(CreateTopicsRequestData request) {
                return controller.createTopics(request, defaults);
            }

            @Override
            public CompletableFuture<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequestData request) {
                return controller.deleteTopics(request);
            }

            @Override
            public CompletableFuture<CreatePartitionsResponseData> createPartitions(
                    CreatePartitionsRequestData request) {
                return controller.createPartitions(request);
            }

            @Override
            public CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
                    IncrementalAlterConfigsRequestData request) {
                return controller.incrementalAlterConfigs(request, BrokerConfig::isAlterable,
                        AdminHandlers::isListProperty, groupBounds);
            }

            @Override
            public CompletableFuture<AlterConfigsResponseData> legacyAlterConfigs(AlterConfigsRequestData request) {
                return controller.legacyAlterConfigs(request, BrokerConfig::isAlterable, groupBounds);
            }
        };
    }

    /** True for a broker property whose type is a list (IncrementalAlterConfigs APPEND and SUBTRACT). */
    public static boolean isListProperty(String brokerProperty) {
        ConfigDef.ConfigKey key = BrokerConfig.DEF.configKeys().get(brokerProperty);
        return key != null && key.type == ConfigDef.Type.LIST;
    }

    /** The partition count and replication factor of topics created without them. */
    public static ControllerDefaults controllerDefaults(BrokerConfig config) {
        return new ControllerDefaults(config.getInt(BrokerConfig.NUM_PARTITIONS),
                (short) config.getInt(BrokerConfig.DEFAULT_REPLICATION_FACTOR));
    }
}
