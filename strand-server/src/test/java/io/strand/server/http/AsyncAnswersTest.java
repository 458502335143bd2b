package io.strand.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.strand.common.config.HttpListenerAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Answers that come later (futures) and event streams, over a real socket. */
class AsyncAnswersTest {

    private final CompletableFuture<HttpReply> slow = new CompletableFuture<>();
    private final CountDownLatch streamClosed = new CountDownLatch(1);
    private final CountDownLatch fastAnswered = new CountDownLatch(1);
    private HttpListener listener;

    @BeforeEach
    void start() throws Exception {
        listener = HttpListener.start(new HttpListenerAddress("127.0.0.1", 0), HttpRouter.builder()
                .async(HttpMethod.GET, "/slow", call -> slow)
                .async(HttpMethod.GET, "/fast/{n}", call -> {
                    fastAnswered.countDown();
                    return CompletableFuture.completedFuture(HttpReply.json(200, "{\"fast\":" + call.param("n") + "}"));
                })
                .stream("/events", call -> CompletableFuture.completedFuture(sink -> new Thread(() -> {
                    sink.onClose(streamClosed::countDown);
                    sink.send("tick", "1", "line1\nline2");
                    sink.comment("keep-alive");
                    sink.close();
                }).start()))
                .stream("/refused", call -> CompletableFuture.failedFuture(new HttpException(404, "UNKNOWN_TOPIC_OR_PARTITION: t")))
                .build());
    }

    @AfterEach
    void stop() {
        listener.close();
    }

    private String exchange(String request, String until) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", listener.address().getPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (!read.toString(StandardCharsets.ISO_8859_1).contains(until)) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                read.write(buffer, 0, n);
            }
            return read.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void pipelinedAnswersLeaveInRequestOrderWhateverOrderTheyComplete() throws Exception {
        CompletableFuture<String> answers = CompletableFuture.supplyAsync(() -> {
            try {
                return exchange("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast/2 HTTP/1.1\r\nHost: x\r\n\r\n", "{\"fast\":2}");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(fastAnswered.await(5, TimeUnit.SECONDS)).isTrue(); // /fast/2 is answered first ...
        assertThat(answers).isNotDone(); // ... and its answer waits for /slow's
        slow.complete(HttpReply.json(200, "{\"slow\":1}"));
        String text = answers.get(5, TimeUnit.SECONDS);
        assertThat(text.indexOf("{\"slow\":1}")).isPositive().isLessThan(text.indexOf("{\"fast\":2}"));
    }

    @Test
    void anEventStreamIsAChunked200OfServerSentEvents() throws Exception {
        String text = exchange("GET /events HTTP/1.1\r\nHost: x\r\n\r\n", "0\r\n\r\n");
        assertThat(text).startsWith("HTTP/1.1 200 OK").containsIgnoringCase("content-type: text/event-stream")
                .containsIgnoringCase("transfer-encoding: chunked")
                .contains("event: tick\nid: 1\ndata: line1\ndata: line2\n\n").contains(": keep-alive\n\n").endsWith("0\r\n\r\n");
        assertThat(streamClosed.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aStreamRefusedBeforeItStartsIsAJsonError() throws Exception {
        String text = exchange("GET /refused HTTP/1.1\r\nHost: x\r\n\r\n", "}");
        assertThat(text).startsWith("HTTP/1.1 404").endsWith("{\"error_code\":404,\"message\":\"UNKNOWN_TOPIC_OR_PARTITION: t\"}");
    }
}
