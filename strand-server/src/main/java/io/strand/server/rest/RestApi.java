package io.strand.server.rest;

import io.strand.server.http.HttpReply;
import io.strand.server.http.HttpRouter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The node's REST API (docs/openapi.yaml, served at {@code GET /v3/openapi.yaml}): Confluent REST
 * Proxy v3's resources where they overlap, and Strand's extensions (reading records, the live tail,
 * resetting a group's offsets). One class per resource group; all reach the broker through
 * {@link KafkaAccess}, and none blocks the HTTP event loop.
 */
public final class RestApi {

    static final String OPENAPI = "openapi.yaml";

    private RestApi() {
    }

    /** Adds every route of the API to {@code routes}. */
    public static HttpRouter.Builder addTo(HttpRouter.Builder routes, KafkaAccess access) {
        byte[] openapi = openapi();
        routes.get("/v3/openapi.yaml", request -> new HttpReply(200, "application/yaml", openapi));
        new ClustersResource(access).addTo(routes);
        new TopicsResource(access).addTo(routes);
        new TopicConfigsResource(access).addTo(routes);
        new PartitionsResource(access).addTo(routes);
        new ProduceResource(access).addTo(routes);
        new ReadRecordsResource(access).addTo(routes);
        new TailResource(access).addTo(routes);
        GroupsResource groups = new GroupsResource(access);
        groups.addTo(routes);
        new GroupOffsetsResource(access, groups).addTo(routes);
        return routes;
    }

    private static byte[] openapi() {
        try (InputStream in = RestApi.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException("the API's contract is missing from the class path: " + OPENAPI);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
