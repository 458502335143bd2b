package io.strand.metadata.sim;

import io.strand.metadata.controller.ControllerDefaults;
import io.strand.metadata.controller.QuorumController;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Turns a simulated client operation into the controller's public API call, as the broker's
 * request handlers do, and its outcome into one error code (plus the topic id for topic
 * operations). Stateless.
 */
final class ControllerRequests {

    private ControllerRequests() {
    }

    /** Calls {@code controller} for {@code op}; {@code answer} gets the outcome once the controller completes it. */
    static void send(QuorumController controller, SimMessage.Op op, Consumer<SimMessage.Outcome> answer) {
        if (op instanceof SimMessage.CreateTopic create) {
            CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(30_000);
            data.topics().add(new CreatableTopic().setName(create.name()).setNumPartitions(create.partitions())
                    .setReplicationFactor(create.replicationFactor()));
            controller.createTopics(data, ControllerDefaults.SINGLE_NODE).whenComplete((response, error) -> {
                var topic = response == null ? null : response.topics().find(create.name());
                answer.accept(new SimMessage.Outcome(error != null ? errorOf(error) : Errors.forCode(topic.errorCode()),
                        topic == null ? null : topic.topicId(), -1));
            });
        } else if (op instanceof SimMessage.DeleteTopic delete) {
            controller.deleteTopics(new DeleteTopicsRequestData().setTopicNames(List.of(delete.name())))
                    .whenComplete((response, error) -> {
                        var topic = response == null ? null : response.responses().find(delete.name());
                        answer.accept(new SimMessage.Outcome(error != null ? errorOf(error)
                                : Errors.forCode(topic.errorCode()), topic == null ? null : topic.topicId(), -1));
                    });
        } else if (op instanceof SimMessage.CreatePartitions grow) {
            CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(30_000);
            data.topics().add(new CreatePartitionsTopic().setName(grow.name()).setCount(grow.count())
                    .setAssignments(null));
            controller.createPartitions(data).whenComplete((response, error) -> answer.accept(SimMessage.Outcome.of(
                    error != null ? errorOf(error) : Errors.forCode(response.results().get(0).errorCode()))));
        } else if (op instanceof SimMessage.AlterTopicConfig alter) {
            AlterConfigsResource resource = new AlterConfigsResource()
                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(alter.name());
            resource.configs().add(new AlterableConfig().setName(alter.key()).setValue(alter.value())
                    .setConfigOperation((byte) 0));
            IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
            data.resources().add(resource);
            controller.incrementalAlterConfigs(data, name -> false).whenComplete((response, error) -> answer.accept(
                    SimMessage.Outcome.of(error != null ? errorOf(error)
                            : Errors.forCode(response.responses().get(0).errorCode()))));
        } else if (op instanceof SimMessage.RegisterBroker register) {
            controller.registerBroker(register.registration()).whenComplete((ignored, error) ->
                    answer.accept(SimMessage.Outcome.of(error != null ? errorOf(error) : Errors.NONE)));
        } else if (op instanceof SimMessage.AllocateProducerIds allocate) {
            controller.allocateProducerIds(allocate.brokerId(), allocate.blockSize()).whenComplete((first, error) ->
                    answer.accept(error != null ? SimMessage.Outcome.of(errorOf(error))
                            : new SimMessage.Outcome(Errors.NONE, null, first)));
        } else if (op instanceof SimMessage.LifecycleRegistration register) {
            controller.registerBroker(register.request()).whenComplete((response, error) -> answer.accept(
                    error != null ? SimMessage.Outcome.of(errorOf(error))
                            : new SimMessage.Outcome(Errors.forCode(response.errorCode()), null, -1, response)));
        } else if (op instanceof SimMessage.Heartbeat heartbeat) {
            controller.brokerHeartbeat(heartbeat.request()).whenComplete((response, error) -> answer.accept(
                    error != null ? SimMessage.Outcome.of(errorOf(error))
                            : new SimMessage.Outcome(Errors.forCode(response.errorCode()), null, -1, response)));
        } else if (op instanceof SimMessage.AlterIsr alter) {
            controller.alterPartition(alter.request(), (short) 3).whenComplete((response, error) -> {
                if (error != null) {
                    answer.accept(SimMessage.Outcome.of(errorOf(error)));
                    return;
                }
                Errors top = Errors.forCode(response.errorCode());
                Errors partition = top != Errors.NONE ? top
                        : Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
                answer.accept(new SimMessage.Outcome(partition, null, -1, response));
            });
        } else {
            throw new IllegalArgumentException("Unexpected operation: " + op);
        }
    }

    private static Errors errorOf(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return Errors.forException(cause);
    }
}
