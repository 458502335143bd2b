package io.strand.broker.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * A controller that records what it is asked and answers success for every entry (topics get
 * three partitions of replication factor one), unless a test replaces an answer.
 */
public final class FakeController implements AdminController {

    public final List<ApiMessage> requests = new ArrayList<>();

    public Function<CreateTopicsRequestData, CreateTopicsResponseData> createTopics = request -> {
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        request.topics().forEach(t -> response.topics().add(new CreatableTopicResult().setName(t.name())
                .setTopicId(Uuid.randomUuid()).setNumPartitions(3).setReplicationFactor((short) 1)));
        return response;
    };
    public Function<DeleteTopicsRequestData, DeleteTopicsResponseData> deleteTopics = request -> {
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        request.topics().forEach(t -> response.responses().add(new DeletableTopicResult().setName(t.name())
                .setTopicId(t.topicId())));
        return response;
    };
    public Function<CreatePartitionsRequestData, CreatePartitionsResponseData> createPartitions = request -> {
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        request.topics().forEach(t -> response.results().add(new CreatePartitionsTopicResult().setName(t.name())));
        return response;
    };
    public Function<IncrementalAlterConfigsRequestData, IncrementalAlterConfigsResponseData> incrementalAlterConfigs =
            request -> {
                IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
                request.resources().forEach(r -> response.responses().add(
                        new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                                .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                                .setErrorCode(Errors.NONE.code()).setErrorMessage(null)));
                return response;
            };
    public Function<AlterConfigsRequestData, AlterConfigsResponseData> legacyAlterConfigs = request -> {
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        request.resources().forEach(r -> response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                .setErrorCode(Errors.NONE.code()).setErrorMessage(null)));
        return response;
    };

    @Override
    public CompletableFuture<CreateTopicsResponseData> createTopics(CreateTopicsRequestData request) {
        return answer(request, createTopics);
    }

    @Override
    public CompletableFuture<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequestData request) {
        return answer(request, deleteTopics);
    }

    @Override
    public CompletableFuture<CreatePartitionsResponseData> createPartitions(CreatePartitionsRequestData request) {
        return answer(request, createPartitions);
    }

    @Override
    public CompletableFuture<IncrementalAlterConfigsResponseData> incrementalAlterConfigs(
            IncrementalAlterConfigsRequestData request) {
        return answer(request, incrementalAlterConfigs);
    }

    @Override
    public CompletableFuture<AlterConfigsResponseData> legacyAlterConfigs(AlterConfigsRequestData request) {
        return answer(request, legacyAlterConfigs);
    }

    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T onlyRequest() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request to the controller, got " + requests);
        }
        return (T) requests.get(0);
    }

    private <Q extends ApiMessage, S> CompletableFuture<S> answer(Q request, Function<Q, S> answer) {
        requests.add(request);
        return CompletableFuture.completedFuture(answer.apply(request));
    }
}
