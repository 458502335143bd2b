package io.strand.broker.api;

import io.strand.broker.network.ApiHandler;
import io.strand.broker.network.ApiRegistry;
import io.strand.broker.network.RequestContext;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.image.SupportedFeatures;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * ApiVersions (v0–4): the versions of every API a handler is registered for, and nothing else; from
 * v3 also the features this build supports ({@link SupportedFeatures#SUPPORTED}) and those finalized
 * for the cluster in the metadata image, with the image's offset as their epoch (as Kafka's broker:
 * it grows with every change, so a client re-reads the levels when one changes). A v3+ request with an
 * invalid client software name or version gets INVALID_REQUEST. Requests of an unknown newer version
 * are answered by the connection itself in v0 (see ConnectionHandler).
 *
 * <p>Clients switch behaviour on the finalized levels: the Java producer uses transactions v2 once
 * {@code transaction.version} ≥ 2 is finalized.
 */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {

    static final short MIN_VERSION = 0;
    static final short MAX_VERSION = 4;

    private final ApiRegistry registry;
    private final Supplier<MetadataImage> image;

    /** @param image the metadata image the finalized features are read from */
    public ApiVersionsHandler(ApiRegistry registry, Supplier<MetadataImage> image) {
        this.registry = registry;
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    /** Answers from the registry at once. */
    @Override
    public RunsOn runsOn() {
        return RunsOn.EVENT_LOOP;
    }

    @Override
    public ApiVersion advertisedVersions() {
        return ApiHandler.versions(apiKey(), MIN_VERSION, MAX_VERSION);
    }

    @Override
    public CompletableFuture<ApiVersionsResponseData> handle(RequestContext context, ApiVersionsRequest request) {
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        if (request.version() >= 3 && !request.isValid()) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        for (ApiHandler<?> handler : registry.handlers()) {
            response.apiKeys().add(handler.advertisedVersions().duplicate());
        }
        addFeatures(response, image.get(), request.version());
        return CompletableFuture.completedFuture(response);
    }

    /**
     * The supported and finalized features; serialized only from v3 (tagged fields). As Kafka (KIP-1022):
     * before v4 a supported feature whose range starts at 0 is left out, since older clients take a
     * listed feature to start at 1; a feature finalized at level 0 is not listed in any version.
     */
    static void addFeatures(ApiVersionsResponseData response, MetadataImage image, short version) {
        SupportedFeatures.SUPPORTED.forEach((name, range) -> {
            if (version >= 4 || range.minLevel() != 0) {
                response.supportedFeatures().add(new SupportedFeatureKey().setName(name)
                        .setMinVersion(range.minLevel()).setMaxVersion(range.maxLevel()));
            }
        });
        image.features().finalizedLevels().forEach((name, level) -> {
            if (level != 0) {
                response.finalizedFeatures().add(new FinalizedFeatureKey().setName(name).setMinVersionLevel(level)
                        .setMaxVersionLevel(level));
            }
        });
        response.setFinalizedFeaturesEpoch(image.finalizedFeaturesEpoch());
    }
}
