package io.strand.server.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strand.server.http.HttpCall;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * REST Proxy v3's links for one request: {@code metadata.self} (an absolute URL built from the
 * request's {@code Host}), {@code metadata.resource_name} (a Confluent resource name,
 * {@code crn:///kafka=<cluster>/topic=<t>}), and {@code related} links. Immutable.
 *
 * @param base the cluster's URL, {@code http://host/v3/clusters/<id>}
 * @param crn  the cluster's resource name, {@code crn:///kafka=<id>}
 */
record Links(String base, String crn) {

    static Links of(HttpCall call, String clusterId) {
        String host = call.host().isEmpty() ? "localhost" : call.host();
        return new Links("http://" + host + "/v3/clusters/" + clusterId, "crn:///kafka=" + clusterId);
    }

    /** The cluster's id. */
    String clusterId() {
        return crn.substring("crn:///kafka=".length());
    }

    /** {@code value} safe as one path segment. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code {"self": base+path, "resource_name": crn+crnSuffix}}; a null suffix leaves resource_name out. */
    ObjectNode metadata(String path, String crnSuffix) {
        ObjectNode metadata = Json.object().put("self", base + path);
        if (crnSuffix != null) {
            metadata.put("resource_name", crn + crnSuffix);
        }
        return metadata;
    }

    /** A list's metadata: {@code {"self": ..., "next": null}}. */
    ObjectNode listMetadata(String path) {
        ObjectNode metadata = Json.object().put("self", base + path);
        metadata.putNull("next");
        return metadata;
    }

    ObjectNode related(String path) {
        return Json.object().put("related", base + path);
    }
}
