package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class ConnectionHandlerTest {

    /** Answers each request with a future the test completes by hand. */
    private static final class ManualApiVersions implements ApiHandler<ApiVersionsRequest> {
        final List<CompletableFuture<ApiVersionsResponseData>> pending = new ArrayList<>();

        @Override
        public ApiKeys apiKey() {
            return ApiKeys.API_VERSIONS;
        }

        @Override
        public ApiVersionsResponseData.ApiVersion advertisedVersions() {
            return ApiHandler.versions(apiKey(), (short) 0, (short) 4);
        }

        @Override
        public CompletableFuture<? extends ApiMessage> handle(RequestContext context, ApiVersionsRequest request) {
            CompletableFuture<ApiVersionsResponseData> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }
    }

    private static ByteBuffer request(int correlationId) {
        ApiVersionsRequest request = new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("test").setClientSoftwareVersion("1"), (short) 3);
        return request.serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "c", correlationId));
    }

    private static int correlationIdOf(ByteBuf frame) {
        frame.readInt(); // size
        int id = frame.readInt();
        frame.release();
        return id;
    }

    @Test
    void respondsInRequestOrderWhenHandlersFinishOutOfOrder() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler(new ApiRegistry().register(handler), "PLAINTEXT"));
        channel.writeInbound(request(1));
        channel.writeInbound(request(2));
        handler.pending.get(1).complete(new ApiVersionsResponseData());
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
        handler.pending.get(0).complete(new ApiVersionsResponseData());
        channel.runPendingTasks();
        assertThat(correlationIdOf(channel.readOutbound())).isEqualTo(1);
        assertThat(correlationIdOf(channel.readOutbound())).isEqualTo(2);
        channel.finishAndReleaseAll();
    }

    @Test
    void stopsReadingWhileTooManyResponsesWaitAndResumesAsTheyDrain() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler(new ApiRegistry().register(handler), "PLAINTEXT"));
        for (int i = 0; i < ConnectionHandler.MAX_PENDING_RESPONSES - 1; i++) {
            channel.writeInbound(request(i));
        }
        assertThat(channel.config().isAutoRead()).isTrue();

        channel.writeInbound(request(ConnectionHandler.MAX_PENDING_RESPONSES - 1));
        assertThat(channel.config().isAutoRead()).isFalse();

        handler.pending.get(0).complete(new ApiVersionsResponseData());
        channel.runPendingTasks();
        assertThat(correlationIdOf(channel.readOutbound())).isZero();
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void closesOnUnknownApiKey() {
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler(new ApiRegistry(), "PLAINTEXT"));
        channel.writeInbound(ByteBuffer.wrap(new byte[]{0x7f, 0x7f, 0, 0, 0, 0, 0, 1, -1, -1}));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void closesWhenTheBodyDoesNotParse() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler(new ApiRegistry().register(handler), "PLAINTEXT"));
        ByteBuffer full = request(7);
        ByteBuffer truncated = ByteBuffer.allocate(full.remaining() - 3);
        full.limit(full.limit() - 3);
        truncated.put(full).flip();
        channel.writeInbound(truncated);
        assertThat(channel.isOpen()).isFalse();
        assertThat(handler.pending).isEmpty();
    }

    @Test
    void closesWhenAResponseCannotBeWrittenAtTheRequestedVersion() {
        ApiHandler<ApiVersionsRequest> wrongBody = new ApiHandler<>() {
            @Override
            public ApiKeys apiKey() {
                return ApiKeys.API_VERSIONS;
            }

            @Override
            public ApiVersionsResponseData.ApiVersion advertisedVersions() {
                return ApiHandler.versions(apiKey(), (short) 0, (short) 4);
            }

            @Override
            public CompletableFuture<? extends ApiMessage> handle(RequestContext context, ApiVersionsRequest request) {
                // A body with a field the requested version cannot carry (leader epochs came in ListOffsets v4).
                ListOffsetsResponseData body = new ListOffsetsResponseData();
                ListOffsetsResponseData.ListOffsetsTopicResponse topic = new ListOffsetsResponseData.ListOffsetsTopicResponse();
                topic.partitions().add(new ListOffsetsResponseData.ListOffsetsPartitionResponse().setLeaderEpoch(5));
                body.topics().add(topic);
                return CompletableFuture.completedFuture(body);
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler(new ApiRegistry().register(wrongBody), "PLAINTEXT"));
        channel.writeInbound(request(9));
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
    }
}
