package io.strand.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.broker.BrokerServer;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunTest {

    @TempDir
    Path dataDir;

    @Test
    void producesConsumesCommitsAndReadsTheHttpListenerOfTheNode() throws Exception {
        StrandServer node = StrandServer.start(BrokerServer.config(Map.of(
                "strand.http.listener", "http://127.0.0.1:0",
                "listeners", "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
                "controller.quorum.voters", "1@127.0.0.1:0",
                "group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "1",
                "offsets.topic.replication.factor", "1",
                "log.dirs", dataDir.toString())), Time.SYSTEM);
        BrokerServer server = node.broker();
        try {
            // Throws unless every step, the HTTP ones included, succeeds.
            TrainingRun.run(server.clientAddress(), node.httpAddress());
            assertThat(node.httpAddress()).isPresent();
            String bootstrap = server.clientAddress().getHostString() + ":" + server.clientAddress().getPort();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(TrainingRun.TOPIC)
                        .partitionsToOffsetAndMetadata().get();
                long total = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
                assertThat(total).isEqualTo(TrainingRun.RECORDS);
            }
        } finally {
            node.close();
        }
    }
}
