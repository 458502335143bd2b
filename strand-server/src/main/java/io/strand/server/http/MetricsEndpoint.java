package io.strand.server.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;

/**
 * {@code GET /metrics}: every metric of the node's registry, scraped now, in the Prometheus text
 * format (0.0.4), or in OpenMetrics text (1.0.0) when the {@code Accept} header asks for
 * {@code application/openmetrics-text}, as the Prometheus server does. Protobuf is not served (the
 * text format is answered instead). The text is written into a buffer sized by the previous scrape's,
 * so that it does not grow by copying while written. Thread-safe.
 */
public final class MetricsEndpoint {

    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();
    /** The previous scrape's text size in bytes (a hint; a race between two scrapes is harmless). */
    private volatile int lastBytes = 16 * 1024;

    public MetricsEndpoint(PrometheusRegistry registry) {
        this.registry = registry;
    }

    /** Adds the route to {@code router}. */
    public HttpRouter.Builder addTo(HttpRouter.Builder router) {
        return router.get("/metrics", request -> scrape(request.headers().get(HttpHeaderNames.ACCEPT)));
    }

    HttpReply scrape(String accept) throws java.io.IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter();
        }
        int hint = lastBytes;
        ByteArrayOutputStream out = new ByteArrayOutputStream(hint + hint / 8);
        writer.write(out, registry.scrape());
        lastBytes = out.size();
        return new HttpReply(200, writer.getContentType(), out.toByteArray());
    }
}
