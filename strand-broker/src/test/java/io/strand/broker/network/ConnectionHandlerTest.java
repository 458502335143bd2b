package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

class ConnectionHandlerTest {

    /** The request pool, run by hand: tasks wait until {@link #runAll} is called. */
    private final ArrayDeque<Runnable> pool = new ArrayDeque<>();

    private EmbeddedChannel connection(ApiRegistry registry) {
        return new EmbeddedChannel(new ConnectionHandler(registry, ListenerSecurity.plaintext("PLAINTEXT"), pool::add));
    }

    /** Runs pool tasks and the channel's event-loop tasks until neither has any left. */
    private void runAll(EmbeddedChannel channel) {
        channel.runPendingTasks();
        while (!pool.isEmpty()) {
            pool.poll().run();
            channel.runPendingTasks();
        }
    }

    /** Answers each request with a future the test completes by hand. */
    private static final class ManualApiVersions implements ApiHandler<ApiVersionsRequest> {
        final List<CompletableFuture<ApiVersionsResponseData>> pending = new ArrayList<>();
        final List<RequestContext> contexts = new ArrayList<>();

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
            contexts.add(context);
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
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        channel.writeInbound(request(1));
        channel.writeInbound(request(2));
        runAll(channel);
        assertThat(handler.pending).hasSize(2);
        handler.pending.get(1).complete(new ApiVersionsResponseData());
        runAll(channel);
        assertThat((Object) channel.readOutbound()).isNull();
        handler.pending.get(0).complete(new ApiVersionsResponseData());
        runAll(channel);
        assertThat(correlationIdOf(channel.readOutbound())).isEqualTo(1);
        assertThat(correlationIdOf(channel.readOutbound())).isEqualTo(2);
        channel.finishAndReleaseAll();
    }

    @Test
    void stopsReadingWhileTooManyResponsesWaitAndResumesAsTheyDrain() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        for (int i = 0; i < ConnectionHandler.MAX_PENDING_RESPONSES - 1; i++) {
            channel.writeInbound(request(i));
        }
        assertThat(channel.config().isAutoRead()).isTrue();

        channel.writeInbound(request(ConnectionHandler.MAX_PENDING_RESPONSES - 1));
        assertThat(channel.config().isAutoRead()).isFalse();

        runAll(channel);
        assertThat(handler.pending).hasSize(ConnectionHandler.MAX_PENDING_RESPONSES);
        assertThat(channel.config().isAutoRead()).isFalse();
        handler.pending.get(0).complete(new ApiVersionsResponseData());
        runAll(channel);
        assertThat(correlationIdOf(channel.readOutbound())).isZero();
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void aThrottledResponseMutesTheConnectionForItsThrottleTime() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        // Only advanceTimeBy moves the channel's clock: else the wall clock adds to it, and on a loaded
        // machine the 199 ms below reached the 200 ms unmute.
        channel.freezeTime();
        channel.writeInbound(request(1));
        runAll(channel);

        handler.pending.get(0).complete(new ApiVersionsResponseData().setThrottleTimeMs(200));
        runAll(channel);

        assertThat(correlationIdOf(channel.readOutbound())).isEqualTo(1);
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.advanceTimeBy(199, java.util.concurrent.TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.advanceTimeBy(1, java.util.concurrent.TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestQuotaRecordsTheHandlersTimeAndRaisesTheResponsesThrottleTime() {
        ManualApiVersions handler = new ManualApiVersions();
        List<Long> recorded = new ArrayList<>();
        RequestTimeQuota quota = new RequestTimeQuota() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public int recordAndGetThrottleTimeMs(RequestContext context, long threadTimeNs) {
                recorded.add(threadTimeNs);
                return 300;
            }
        };
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler).requestTimeQuota(quota));
        channel.writeInbound(request(1));
        runAll(channel);
        handler.pending.get(0).complete(new ApiVersionsResponseData().setThrottleTimeMs(100));
        runAll(channel);

        assertThat(recorded).hasSize(1).allSatisfy(ns -> assertThat(ns).isNotNegative());
        ByteBuf frame = channel.readOutbound();
        frame.skipBytes(4 + 4); // size, correlation id (ApiVersions answers with header v0)
        ApiVersionsResponseData body = new ApiVersionsResponseData(
                new org.apache.kafka.common.protocol.ByteBufferAccessor(frame.nioBuffer()), (short) 3);
        frame.release();
        assertThat(body.throttleTimeMs()).isEqualTo(300);
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void closesOnUnknownApiKey() {
        EmbeddedChannel channel = connection(new ApiRegistry());
        channel.writeInbound(ByteBuffer.wrap(new byte[]{0x7f, 0x7f, 0, 0, 0, 0, 0, 1, -1, -1}));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void closesWhenTheBodyDoesNotParse() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        ByteBuffer full = request(7);
        ByteBuffer truncated = ByteBuffer.allocate(full.remaining() - 3);
        full.limit(full.limit() - 3);
        truncated.put(full).flip();
        channel.writeInbound(truncated);
        assertThat(channel.isOpen()).isFalse();
        assertThat(handler.pending).isEmpty();
    }

    /**
     * An inter-broker WriteTxnMarkers request cut short, or of the version Kafka 4 removed (v0), closes the
     * connection before any marker reaches the handler: nothing is written.
     */
    @Test
    void aTruncatedOrRemovedVersionWriteTxnMarkersRequestNeverReachesItsHandler() {
        List<WriteTxnMarkersRequest> handled = new ArrayList<>();
        ApiHandler<WriteTxnMarkersRequest> markers = new ApiHandler<>() {
            @Override
            public ApiKeys apiKey() {
                return ApiKeys.WRITE_TXN_MARKERS;
            }

            @Override
            public ApiVersionsResponseData.ApiVersion advertisedVersions() {
                return ApiHandler.versions(apiKey(), (short) 1, (short) 2);
            }

            @Override
            public CompletableFuture<? extends ApiMessage> handle(RequestContext context, WriteTxnMarkersRequest request) {
                handled.add(request);
                return CompletableFuture.completedFuture(new WriteTxnMarkersResponseData());
            }
        };
        WriteTxnMarkersRequestData data = new WriteTxnMarkersRequestData();
        data.markers().add(new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(5L).setProducerEpoch((short) 1)
                .setTransactionResult(true).setCoordinatorEpoch(3).setTopics(List.of(
                        new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName("events")
                                .setPartitionIndexes(List.of(0, 1)))));
        ByteBuffer full = new WriteTxnMarkersRequest.Builder(data).build((short) 2)
                .serializeWithHeader(new RequestHeader(ApiKeys.WRITE_TXN_MARKERS, (short) 2, "broker-2", 11));
        for (int cut : new int[] {1, 5, full.remaining() / 2}) {
            ByteBuffer truncated = ByteBuffer.allocate(full.remaining() - cut);
            ByteBuffer source = full.duplicate();
            source.limit(source.limit() - cut);
            truncated.put(source).flip();
            EmbeddedChannel channel = connection(new ApiRegistry().register(markers));
            channel.writeInbound(truncated);
            runAll(channel);
            assertThat(channel.isOpen()).as("cut %d bytes", cut).isFalse();
        }
        ByteBuffer removedVersion = ByteBuffer.allocate(full.remaining()).put(full.duplicate()).flip();
        removedVersion.putShort(2, (short) 0); // the header's api_version
        EmbeddedChannel channel = connection(new ApiRegistry().register(markers));
        channel.writeInbound(removedVersion);
        runAll(channel);
        assertThat(channel.isOpen()).isFalse();
        assertThat(handled).isEmpty();

        EmbeddedChannel whole = connection(new ApiRegistry().register(markers));
        whole.writeInbound(full.duplicate());
        runAll(whole);
        assertThat(handled).hasSize(1);
        assertThat(handled.get(0).data()).isEqualTo(data);
        ((ByteBuf) whole.readOutbound()).release();
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
        EmbeddedChannel channel = connection(new ApiRegistry().register(wrongBody));
        channel.writeInbound(request(9));
        runAll(channel);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void handsAConnectionsRequestsToThePoolOneAtATimeInArrivalOrder() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        channel.writeInbound(request(1));
        channel.writeInbound(request(2));
        channel.writeInbound(request(3));
        assertThat(pool).as("one task of the connection on the pool, whatever it has pipelined").hasSize(1);
        assertThat(handler.contexts).isEmpty();

        pool.poll().run();
        assertThat(handler.contexts).extracting(c -> c.header().correlationId()).containsExactly(1, 2, 3);
        assertThat(pool).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void aRequestForTheEventLoopRunsThereWhenNothingOfItsConnectionIsOnThePool() {
        ManualApiVersions slow = new ManualApiVersions();
        EmbeddedChannel channel = connection(new ApiRegistry().register(slow).register(new LoopMetadata()));
        channel.writeInbound(metadataRequest(1));
        assertThat(pool).isEmpty();
        assertThat(correlationIdOf(channel.readOutbound())).isEqualTo(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void aResponseFromTheEventLoopWaitsForAnEarlierOneFromThePool() {
        ManualApiVersions slow = new ManualApiVersions();
        ApiHandler<MetadataRequest> fast = new LoopMetadata();
        EmbeddedChannel channel = connection(new ApiRegistry().register(slow).register(fast));
        channel.writeInbound(request(1));
        channel.writeInbound(metadataRequest(2));
        runAll(channel);
        assertThat((Object) channel.readOutbound()).as("the metadata answer waits for the first").isNull();

        slow.pending.get(0).complete(new ApiVersionsResponseData());
        runAll(channel);
        assertThat(correlationIdOf(channel.readOutbound())).isEqualTo(1);
        assertThat(correlationIdOf(channel.readOutbound())).isEqualTo(2);
        channel.finishAndReleaseAll();
    }

    @Test
    void contextNamesListenerProtocolAndAnonymousPrincipal() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        channel.writeInbound(request(1));
        runAll(channel);
        RequestContext context = handler.contexts.get(0);
        assertThat(context.listenerName()).isEqualTo("PLAINTEXT");
        assertThat(context.securityProtocol()).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(context.principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);
        channel.finishAndReleaseAll();
    }

    @Test
    void closesWhenThePoolIsClosed() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = new EmbeddedChannel(new ConnectionHandler(new ApiRegistry().register(handler),
                ListenerSecurity.plaintext("PLAINTEXT"), task -> {
                    throw new RejectedExecutionException("closed");
                }));
        channel.writeInbound(request(1));
        assertThat(channel.isOpen()).isFalse();
        assertThat(handler.pending).isEmpty();
    }

    @Test
    void handsOnRequestsReadBeforeTheClientHungUpAndWritesNoResponse() {
        // An acks=0 producer writes its last batch and closes at once: the close may reach the
        // event loop before the pool reaches the batch, which must be appended all the same.
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        channel.writeInbound(request(1));
        channel.writeInbound(request(2));
        channel.close();
        assertThat(handler.contexts).as("nothing ran before the client hung up").isEmpty();

        runAll(channel);
        assertThat(handler.contexts).extracting(c -> c.header().correlationId()).containsExactly(1, 2);
        handler.pending.forEach(f -> f.complete(new ApiVersionsResponseData()));
        runAll(channel);
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void requestsReadAfterOneWhoseFailureClosesTheConnectionAreNotHandedOn() {
        // As an acks=0 produce refused (no response can carry the error): the batches behind it
        // must not reach the log, as they would not in Kafka, which reads one request at a time.
        List<Integer> invoked = new ArrayList<>();
        ApiHandler<ApiVersionsRequest> refusesTheFirst = new ApiHandler<>() {
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
                invoked.add(context.header().correlationId());
                return invoked.size() == 1
                        ? CompletableFuture.failedFuture(new CloseConnectionException("refused"))
                        : CompletableFuture.completedFuture(new ApiVersionsResponseData());
            }
        };
        EmbeddedChannel channel = connection(new ApiRegistry().register(refusesTheFirst));
        channel.writeInbound(request(1));
        channel.writeInbound(request(2));
        channel.writeInbound(request(3));
        runAll(channel);
        assertThat(invoked).containsExactly(1);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void requestsReadBeforeAnUnparsableOneAreStillHandedOn() {
        ManualApiVersions handler = new ManualApiVersions();
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        channel.writeInbound(request(1));
        channel.writeInbound(ByteBuffer.wrap(new byte[]{0x7f, 0x7f, 0, 0, 0, 0, 0, 1, -1, -1}));
        assertThat(channel.isOpen()).isFalse();
        runAll(channel);
        assertThat(handler.contexts).extracting(c -> c.header().correlationId()).containsExactly(1);
    }

    /** A Produce handler answering each request with {@link #answer}, or failing with {@link #failure}. */
    private static final class StubProduce implements ApiHandler<ProduceRequest> {
        ProduceResponseData answer = new ProduceResponseData();
        RuntimeException failure;

        @Override
        public ApiKeys apiKey() {
            return ApiKeys.PRODUCE;
        }

        @Override
        public ApiVersionsResponseData.ApiVersion advertisedVersions() {
            return ApiHandler.versions(apiKey(), (short) 3, (short) 12);
        }

        @Override
        public CompletableFuture<? extends ApiMessage> handle(RequestContext context, ProduceRequest request) {
            if (failure != null) {
                throw failure;
            }
            return CompletableFuture.completedFuture(answer);
        }
    }

    private static ByteBuffer produceRequest(int correlationId, short acks) {
        ProduceRequest request = new ProduceRequest(new ProduceRequestData().setAcks(acks).setTimeoutMs(1000)
                .setTransactionalId("tx"), (short) 12);
        return request.serializeWithHeader(new RequestHeader(ApiKeys.PRODUCE, (short) 12, "c", correlationId));
    }

    @Test
    void anAcksZeroProduceIsNotAnsweredButItsThrottleTimeMutesTheConnection() {
        StubProduce handler = new StubProduce();
        handler.answer.setThrottleTimeMs(200);
        List<Long> recorded = new ArrayList<>();
        RequestTimeQuota quota = new RequestTimeQuota() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public int recordAndGetThrottleTimeMs(RequestContext context, long threadTimeNs) {
                recorded.add(threadTimeNs);
                return 5_000;
            }
        };
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler).requestTimeQuota(quota));
        channel.writeInbound(produceRequest(1, (short) 0));
        runAll(channel);

        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(recorded).as("acks=0 is exempt from the request quota, as in Kafka").isEmpty();
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.advanceTimeBy(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void anAcksZeroProduceWhoseErrorWouldBeItsResponseClosesTheConnection() {
        StubProduce handler = new StubProduce();
        handler.failure = new TransactionalIdAuthorizationException("Transactional Id authorization failed.");
        EmbeddedChannel channel = connection(new ApiRegistry().register(handler));
        channel.writeInbound(produceRequest(1, (short) 0));
        runAll(channel);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();

        EmbeddedChannel acks1 = connection(new ApiRegistry().register(handler));
        acks1.writeInbound(produceRequest(2, (short) 1));
        runAll(acks1);
        assertThat(correlationIdOf(acks1.readOutbound())).isEqualTo(2);
        assertThat(acks1.isOpen()).isTrue();
        acks1.finishAndReleaseAll();
    }

    private static ByteBuffer metadataRequest(int correlationId) {
        MetadataRequest request = new MetadataRequest(new MetadataRequestData(), (short) 12);
        return request.serializeWithHeader(new RequestHeader(ApiKeys.METADATA, (short) 12, "c", correlationId));
    }
}
