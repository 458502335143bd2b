package io.strand.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics a test needs through the Java admin client, so that each test exercises
 * its third-party client on the produce and consume paths only. Stateless.
 */
final class Topics {

    private static final long TIMEOUT_MS = 30_000;

    private Topics() {
    }

    /** Creates {@code name} with replication factor 1 and waits until the broker confirms it. */
    static void create(String bootstrapServers, String name, int partitions, Map<String, String> configs) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MS))) {
            NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            // the broker learns of the topic from the metadata log a moment after the controller
            await("leaders of " + name).atMost(Duration.ofMillis(TIMEOUT_MS)).until(() -> {
                TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
                        .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(name);
                return description.partitions().size() == partitions
                        && description.partitions().stream().allMatch(p -> p.leader() != null);
            });
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("cannot create topic=" + name + " partitions=" + partitions, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted creating topic=" + name, e);
        }
    }

    /** How long a broker's metadata may lag a topic's creation before {@link #describe} gives up. */
    private static final Duration METADATA_CATCH_UP = Duration.ofSeconds(10);

    /**
     * {@code topic} as the cluster describes it. Each describe may go to another broker, and one whose
     * metadata has not yet caught up with the topic's creation answers UNKNOWN_TOPIC_OR_PARTITION, as a
     * Kafka broker does: that is asked again, as a client would, for up to {@link #METADATA_CATCH_UP}.
     * Any other failure is thrown at once.
     */
    static TopicDescription describe(Admin admin, String topic) {
        return await("a broker that knows " + topic).atMost(METADATA_CATCH_UP).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsMatching(e -> e.getCause() instanceof UnknownTopicOrPartitionException)
                .until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic),
                        description -> description != null);
    }

    static void create(String bootstrapServers, String name, int partitions) {
        create(bootstrapServers, name, partitions, Map.of());
    }

    /**
     * Creates {@code name} on a cluster with one replica on each of {@code replicas} brokers and
     * waits until every partition has a leader and a full ISR. A broker may be unregistered or fenced
     * for a moment (start-up, a restart, a heartbeat late on a loaded machine): the controller then
     * refuses the replication factor, and the creation is asked again until {@code within} has passed.
     */
    static void createReplicated(Admin admin, String name, int partitions, int replicas, Map<String, String> configs,
            Duration within) {
        NewTopic topic = new NewTopic(name, partitions, (short) replicas).configs(configs);
        await("create " + name).atMost(within).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                admin.createTopics(List.of(topic)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                return true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    return true;
                }
                if (e.getCause() instanceof InvalidReplicationFactorException) {
                    return false;
                }
                throw e;
            }
        });
        await("every ISR of " + name + " full").atMost(within).pollInterval(Duration.ofMillis(300)).until(() -> {
            TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(name);
            return description.partitions().size() == partitions && description.partitions().stream()
                    .allMatch(p -> p.leader() != null && p.isr().size() == replicas);
        });
    }
}
