package io.strand.broker.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.metadata.quorum.LeaderRequestClient;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The channel's local path: a request to this node's own controller while it leads. */
class QuorumControllerChannelTest {

    private static final long TIMEOUT_MS = 200;

    private final CompletableFuture<ByteBuffer> neverAnswered = new CompletableFuture<>();
    private final QuorumControllerChannel channel = new QuorumControllerChannel(
            LeaderRequestClient.open("test", Map.of(1, new InetSocketAddress("127.0.0.1", 1)), TIMEOUT_MS, TIMEOUT_MS),
            new QuorumControllerChannel.LocalController(() -> true, (key, version, data) -> neverAnswered), TIMEOUT_MS);

    @AfterEach
    void close() {
        channel.close();
    }

    /**
     * A controller that lost its leadership while an ISR change waited on its append may never
     * answer; the request fails by the channel's timeout as a remote one would, so that the
     * partition may propose again.
     */
    @Test
    void aLocalControllerThatNeverAnswersFailsTheRequestByTheTimeout() {
        CompletableFuture<ApiMessage> answer = channel.send(ApiKeys.ALTER_PARTITION,
                new AlterPartitionRequestData().setBrokerId(1).setBrokerEpoch(5));

        assertThatThrownBy(() -> answer.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class)
                .hasMessageContaining("timeoutMs=" + TIMEOUT_MS);
        assertThat(neverAnswered).as("the controller's own future is left to the controller").isNotDone();
    }
}
