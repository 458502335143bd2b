package io.strand.server.http;

import io.strand.broker.NodeReadiness;

/**
 * Health endpoints for orchestrators (Kubernetes' liveness and readiness probes):
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code {"status":"live"}} whenever the process answers HTTP;</li>
 *   <li>{@code GET /health/ready}: 200 {@code {"status":"ready"}} once the node serves (a broker: its
 *       metadata image caught up, its logs open, registered with the controller and unfenced; see
 *       {@link NodeReadiness}); otherwise 503 with the REST Proxy v3 error shape, the message saying
 *       why, and the phase: {@code {"error_code":503,"message":"...","phase":"CATCHING_UP"}}.</li>
 * </ul>
 * Stateless; reads the readiness on each request.
 */
public final class HealthEndpoints {

    private HealthEndpoints() {
    }

    /** Adds both routes to {@code router}. */
    public static HttpRouter.Builder addTo(HttpRouter.Builder router, NodeReadiness readiness) {
        return router.get("/health/live", request -> HttpReply.json(200, "{\"status\":\"live\"}"))
                .get("/health/ready", request -> ready(readiness));
    }

    static HttpReply ready(NodeReadiness readiness) {
        NodeReadiness.Status status = readiness.status();
        if (status.ready()) {
            return HttpReply.json(200, "{\"status\":\"ready\"}");
        }
        return HttpReply.json(503, "{\"error_code\":503,\"message\":" + HttpReply.quote("Not ready: " + status.reason())
                + ",\"phase\":" + HttpReply.quote(status.phase().name()) + "}");
    }
}
