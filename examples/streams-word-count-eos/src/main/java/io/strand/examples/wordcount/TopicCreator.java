package io.strand.examples.wordcount;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the application's input and output topics when they are missing, so that the example runs
 * against a fresh broker with no tool but itself. A topic that exists already is left as it is (its
 * partition count is whatever it was created with); so is one another instance creates at the same
 * moment ({@code TOPIC_ALREADY_EXISTS} is not an error here).
 *
 * <p>Stateless; each call uses the {@link Admin} it is given and does not close it.
 */
final class TopicCreator {

    private TopicCreator() {
    }

    /**
     * Creates each of {@code topics} that does not exist, with {@code partitions} partitions and
     * {@code replicationFactor} replicas (the broker's {@code default.replication.factor} when empty),
     * and prints a line for each one created.
     *
     * @return the topics this call created
     * @throws IllegalStateException when the broker refuses a topic for another reason, or does not
     *     answer within {@code timeout}, naming the topic and the cause
     */
    static List<String> createMissing(Admin admin, List<String> topics, int partitions,
                                      Optional<Short> replicationFactor, Duration timeout) throws InterruptedException {
        List<NewTopic> requested = topics.stream().distinct()
                .map(name -> new NewTopic(name, Optional.of(partitions), replicationFactor))
                .toList();
        Map<String, KafkaFuture<Void>> results = admin.createTopics(requested).values();
        List<String> created = new ArrayList<>();
        for (NewTopic topic : requested) {
            try {
                results.get(topic.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(topic.name());
                System.out.println("TOPIC " + topic.name() + " created with " + partitions + " partitions");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic=" + topic.name() + " partitions="
                            + partitions + ": " + e.getCause(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("no answer creating topic=" + topic.name() + " within timeoutMs="
                        + timeout.toMillis() + "; is a broker listening at bootstrap.servers?", e);
            }
        }
        return created;
    }
}
