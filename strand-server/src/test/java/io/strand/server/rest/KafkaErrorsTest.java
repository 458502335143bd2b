package io.strand.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.server.http.HttpException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class KafkaErrorsTest {

    private static HttpException http(Throwable failure) {
        return KafkaErrors.toHttp(new CompletionException(new ExecutionException(failure)));
    }

    @Test
    void kafkaErrorsGetRestProxyStatusesAndTheirNames() {
        assertThat(http(new UnknownTopicOrPartitionException("no t")).status()).isEqualTo(404);
        assertThat(http(new UnknownTopicOrPartitionException("no t"))).hasMessage("UNKNOWN_TOPIC_OR_PARTITION: no t");
        assertThat(http(new TopicExistsException("t")).status()).isEqualTo(409);
        assertThat(http(new TopicExistsException("t"))).hasMessageStartingWith("TOPIC_ALREADY_EXISTS: ");
        assertThat(http(new GroupNotEmptyException("g")).status()).isEqualTo(409);
        assertThat(http(new GroupNotEmptyException("g"))).hasMessageStartingWith("NON_EMPTY_GROUP: ");
        assertThat(http(new InvalidConfigurationException("x")).status()).isEqualTo(400);
        assertThat(http(new InvalidPartitionsException("x")).status()).isEqualTo(400);
        assertThat(http(new TopicAuthorizationException("x")).status()).isEqualTo(403);
    }

    @Test
    void httpExceptionsPassAndOtherFailuresAre5xx() {
        HttpException bad = Json.badRequest("'x' is required");
        assertThat(http(bad)).isSameAs(bad);
        assertThat(http(new RejectedExecutionException()).status()).isEqualTo(503);
        assertThat(http(new IllegalStateException("boom")).status()).isEqualTo(500);
        assertThat(http(new IllegalStateException("boom"))).hasMessageContaining("boom");
    }
}
