package io.strand.broker.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.MetadataRequest;

/** A Metadata handler for pipeline tests: runs on the event loop and answers at once, empty. */
final class LoopMetadata implements ApiHandler<MetadataRequest> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public ApiVersionsResponseData.ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), apiKey().oldestVersion(), apiKey().latestVersion());
    }

    @Override
    public RunsOn runsOn() {
        return RunsOn.EVENT_LOOP;
    }

    @Override
    public CompletableFuture<? extends ApiMessage> handle(RequestContext context, MetadataRequest request) {
        return CompletableFuture.completedFuture(new MetadataResponseData());
    }
}
