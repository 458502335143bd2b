package io.strand.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.NodeReadiness;
import io.strand.common.config.HttpListenerAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The listener over a real socket on an ephemeral port: framing, keep-alive and bad input. */
class HttpListenerTest {

    private final NodeReadiness readiness = new NodeReadiness();
    private HttpListener listener;

    @BeforeEach
    void start() throws Exception {
        listener = HttpListener.start(new HttpListenerAddress("127.0.0.1", 0),
                HealthEndpoints.addTo(HttpRouter.builder(), readiness).build());
    }

    @AfterEach
    void stop() {
        listener.close();
    }

    /** Sends {@code request} raw and reads until the server closes or {@code responses} have come. */
    private String exchange(String request, int responses) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", listener.address().getPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (count(read.toString(StandardCharsets.ISO_8859_1), "HTTP/1.1 ") < responses
                    || !complete(read.toString(StandardCharsets.ISO_8859_1))) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                read.write(buffer, 0, n);
            }
            return read.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** Whether the last response's body has all its Content-Length bytes. */
    private static boolean complete(String text) {
        int last = text.lastIndexOf("HTTP/1.1 ");
        int headersEnd = text.indexOf("\r\n\r\n", last);
        if (last < 0 || headersEnd < 0) {
            return false;
        }
        String headers = text.substring(last, headersEnd).toLowerCase();
        int at = headers.indexOf("content-length: ");
        int length = Integer.parseInt(headers.substring(at + 16).split("\r\n")[0].trim());
        return text.length() - headersEnd - 4 >= length;
    }

    @Test
    void servesSeveralRequestsOnOneKeptAliveConnection() throws IOException {
        String responses = exchange("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n", 2);
        assertThat(responses).startsWith("HTTP/1.1 200 OK").contains("{\"status\":\"live\"}")
                .contains("HTTP/1.1 503 Service Unavailable")
                .contains("\"phase\":\"STARTING\"").contains("\"error_code\":503");
    }

    @Test
    void readinessFollowsTheNodesPhase() throws IOException {
        readiness.enter(NodeReadiness.Phase.CATCHING_UP);
        assertThat(exchange("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n", 1))
                .contains("503").contains("catching up");
        readiness.enterServing(Optional::empty);
        assertThat(exchange("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n", 1))
                .startsWith("HTTP/1.1 200 OK").contains("{\"status\":\"ready\"}");
        readiness.stopping();
        assertThat(exchange("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n", 1))
                .contains("503").contains("STOPPING");
    }

    @Test
    void malformedRequestLineIsA400AndTheListenerServesOn() throws IOException {
        assertThat(exchange("NOT A REQUEST\r\n\r\n", 1)).startsWith("HTTP/1.1 400 Bad Request")
                .contains("\"error_code\":400");
        assertThat(exchange("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", 1)).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void oversizedHeadersAndRequestLinesGetTheirOwn4xx() throws IOException {
        assertThat(exchange("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(HttpListener.MAX_HEADER_BYTES)
                + "\r\n\r\n", 1)).startsWith("HTTP/1.1 431 ").contains("\"error_code\":431");
        assertThat(exchange("GET /" + "p".repeat(HttpListener.MAX_INITIAL_LINE_BYTES) + " HTTP/1.1\r\nHost: x\r\n\r\n", 1))
                .startsWith("HTTP/1.1 414 ").contains("\"error_code\":414");
        assertThat(exchange("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", 1)).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void oversizedBodyIsA413AndTheListenerServesOn() throws IOException {
        int size = HttpListener.MAX_CONTENT_BYTES + 1;
        assertThat(exchange("POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n"
                + "x".repeat(1000), 1)).startsWith("HTTP/1.1 413").contains("\"error_code\":413");
        assertThat(exchange("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", 1)).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void unknownPathAndWrongMethodAreJsonErrors() throws IOException {
        assertThat(exchange("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n", 1)).startsWith("HTTP/1.1 404")
                .contains("{\"error_code\":404,");
        assertThat(exchange("DELETE /health/live HTTP/1.1\r\nHost: x\r\n\r\n", 1)).startsWith("HTTP/1.1 405")
                .containsIgnoringCase("allow: GET").contains("{\"error_code\":405,");
    }

    @Test
    void aPortInUseIsRefusedNamingTheProperty() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpListener.start(
                        new HttpListenerAddress("127.0.0.1", listener.address().getPort()), HttpRouter.builder().build()))
                .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("strand.http.listener")
                .hasMessageContaining(Integer.toString(listener.address().getPort()));
    }
}
