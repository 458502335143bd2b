package io.strand.server.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpRouter;
import java.util.Collection;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/**
 * Clusters and brokers, REST Proxy v3 shapes ({@code KafkaCluster}, {@code KafkaBroker}) from the
 * Admin client's DescribeCluster:
 * <ul>
 *   <li>{@code GET /v3/clusters}: a list holding the one cluster this node belongs to;</li>
 *   <li>{@code GET /v3/clusters/{cluster_id}}: the cluster, {@code controller} a link to the broker
 *       DescribeCluster names as controller and (Strand) {@code controller_id};</li>
 *   <li>{@code GET .../brokers}, {@code .../brokers/{broker_id}}: the registered brokers with their
 *       advertised host, port and rack; an unknown id is 404, a malformed one 400.</li>
 * </ul>
 * Stateless.
 */
final class ClustersResource {

    private final KafkaAccess access;

    ClustersResource(KafkaAccess access) {
        this.access = access;
    }

    void addTo(HttpRouter.Builder routes) {
        routes.async(HttpMethod.GET, "/v3/clusters", call -> Endpoints.guard(() -> {
            access.authorizer().beforeActing(call);
            return access.clusterId().thenCompose(id -> describe().thenApply(cluster -> {
                    Links links = Links.of(call, id);
                    ObjectNode list = Json.object().put("kind", "KafkaClusterList");
                    list.set("metadata", Json.object().put("self", "http://" + host(call) + "/v3/clusters").putNull("next"));
                    list.putArray("data").add(cluster(links, id, cluster));
                    return Json.reply(200, list);
                }));
        }));
        routes.async(HttpMethod.GET, "/v3/clusters/{cluster_id}", Endpoints.inCluster(access, (call, links) ->
                describe().thenApply(cluster -> Json.reply(200, cluster(links, call.param("cluster_id"), cluster)))));
        routes.async(HttpMethod.GET, "/v3/clusters/{cluster_id}/brokers", Endpoints.inCluster(access, (call, links) ->
                describe().thenApply(cluster -> {
                    ObjectNode list = Json.object().put("kind", "KafkaBrokerList");
                    list.set("metadata", links.listMetadata("/brokers"));
                    ArrayNode data = list.putArray("data");
                    cluster.nodes.stream().sorted(Comparator.comparingInt(Node::id))
                            .forEach(node -> data.add(broker(links, cluster.id, node)));
                    return Json.reply(200, list);
                })));
        routes.async(HttpMethod.GET, "/v3/clusters/{cluster_id}/brokers/{broker_id}", Endpoints.inCluster(access, (call, links) -> {
            int brokerId = Json.pathInt(call, "broker_id");
            return describe().thenApply(cluster -> cluster.nodes.stream().filter(node -> node.id() == brokerId).findFirst()
                    .map(node -> Json.reply(200, broker(links, cluster.id, node)))
                    .orElseThrow(() -> new HttpException(404, "BROKER_NOT_AVAILABLE: no broker " + brokerId
                            + " is registered")));
        }));
    }

    private static String host(io.strand.server.http.HttpCall call) {
        return call.host().isEmpty() ? "localhost" : call.host();
    }

    private record Cluster(String id, Node controller, Collection<Node> nodes) {
    }

    private CompletableFuture<Cluster> describe() {
        DescribeClusterResult result = access.admin().describeCluster();
        CompletableFuture<Node> controller = Endpoints.cf(result.controller());
        CompletableFuture<Collection<Node>> nodes = Endpoints.cf(result.nodes());
        return Endpoints.cf(result.clusterId()).thenCompose(id -> controller.thenCombine(nodes,
                (active, all) -> new Cluster(id, active, all)));
    }

    private static ObjectNode cluster(Links links, String id, Cluster cluster) {
        ObjectNode node = Json.object().put("kind", "KafkaCluster");
        node.set("metadata", links.metadata("", ""));
        node.put("cluster_id", id);
        boolean known = cluster.controller != null && !cluster.controller.isEmpty();
        if (known) {
            node.set("controller", links.related("/brokers/" + cluster.controller.id()));
        } else {
            node.putNull("controller");
        }
        node.put("controller_id", known ? cluster.controller.id() : -1);
        node.set("acls", links.related("/acls"));
        node.set("brokers", links.related("/brokers"));
        node.set("broker_configs", links.related("/broker-configs"));
        node.set("consumer_groups", links.related("/consumer-groups"));
        node.set("topics", links.related("/topics"));
        node.set("partition_reassignments", links.related("/topics/-/partitions/-/reassignment"));
        return node;
    }

    private static ObjectNode broker(Links links, String clusterId, Node broker) {
        ObjectNode node = Json.object().put("kind", "KafkaBroker");
        node.set("metadata", links.metadata("/brokers/" + broker.id(), "/broker=" + broker.id()));
        node.put("cluster_id", clusterId);
        node.put("broker_id", broker.id());
        node.put("host", broker.host());
        node.put("port", broker.port());
        if (broker.hasRack()) {
            node.put("rack", broker.rack());
        } else {
            node.putNull("rack");
        }
        node.set("configs", links.related("/brokers/" + broker.id() + "/configs"));
        node.set("partition_replicas", links.related("/brokers/" + broker.id() + "/partition-replicas"));
        return node;
    }
}
