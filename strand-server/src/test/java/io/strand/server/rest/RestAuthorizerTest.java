package io.strand.server.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import io.strand.broker.auth.AclAuthorizer;
import io.strand.broker.auth.Authorization;
import io.strand.metadata.image.MetadataDelta;
import io.strand.metadata.image.MetadataImage;
import io.strand.metadata.record.AccessControlEntryRecord;
import io.strand.server.http.HttpCall;
import io.strand.server.http.HttpCaller;
import io.strand.server.http.HttpException;
import io.strand.server.http.HttpRouter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

/**
 * REST routes authorized with Kafka's operations and resource types ({@link RestAcls}), as the node's
 * authorizer decides: {@code User:alice} may READ and WRITE topic {@code orders} (which implies
 * DESCRIBE), CREATE topics prefixed {@code alice-}, DESCRIBE group {@code dashboards};
 * {@code User:admin} is a super user.
 */
class RestAuthorizerTest {

    private static final KafkaPrincipal ALICE = new KafkaPrincipal("User", "alice");
    private static final KafkaPrincipal ADMIN = new KafkaPrincipal("User", "admin");
    private static final String CLUSTER = "/v3/clusters/c1";

    private final MetadataImage image = image();
    private final RestAuthorizer authorizer = new RestAuthorizer(() -> new Authorization(
            new AclAuthorizer(image::acls, Set.of(ADMIN), false)));

    private static MetadataImage image() {
        MetadataDelta delta = new MetadataDelta(MetadataImage.EMPTY);
        allow(delta, ResourceType.TOPIC, "orders", PatternType.LITERAL, AclOperation.READ);
        allow(delta, ResourceType.TOPIC, "orders", PatternType.LITERAL, AclOperation.WRITE);
        allow(delta, ResourceType.TOPIC, "alice-", PatternType.PREFIXED, AclOperation.CREATE);
        allow(delta, ResourceType.GROUP, "dashboards", PatternType.LITERAL, AclOperation.DESCRIBE);
        return delta.apply(1);
    }

    private static void allow(MetadataDelta delta, ResourceType type, String name, PatternType pattern,
                              AclOperation operation) {
        delta.replay(new AccessControlEntryRecord(Uuid.randomUuid(), type, name, pattern, "User:alice", "*",
                operation, AclPermissionType.ALLOW));
    }

    /** A call of {@code method route} by {@code principal}, path parameters from {@code params}. */
    private static HttpCall call(KafkaPrincipal principal, HttpMethod method, String route, Map<String, String> params,
                                 String body) {
        Map<String, String> all = new HashMap<>(params);
        all.put("cluster_id", "c1");
        String path = route;
        for (Map.Entry<String, String> p : all.entrySet()) {
            path = path.replace("{" + p.getKey() + "}", p.getValue());
        }
        return new HttpCall(method, path, route, all, Map.of(), "localhost", body.getBytes(StandardCharsets.UTF_8),
                new HttpCaller(principal, InetAddress.getLoopbackAddress()));
    }

    private void allowed(KafkaPrincipal who, HttpMethod method, String route, Map<String, String> params, String body) {
        assertThatCode(() -> authorizer.beforeActing(call(who, method, route, params, body)))
                .as(method + " " + route + " " + params).doesNotThrowAnyException();
    }

    private void denied(KafkaPrincipal who, HttpMethod method, String route, Map<String, String> params, String body,
                        String error) {
        assertThatThrownBy(() -> authorizer.beforeActing(call(who, method, route, params, body)))
                .as(method + " " + route + " " + params)
                .isInstanceOfSatisfying(HttpException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).startsWith(error + ": User:" + who.getName() + " may not");
                });
    }

    @Test
    void topicRoutesNeedTheirOperationOnTheTopic() {
        String topic = RestAcls.TOPIC;
        Map<String, String> orders = Map.of("topic_name", "orders", "partition_id", "0", "name", "retention.ms");
        Map<String, String> other = Map.of("topic_name", "payments", "partition_id", "0", "name", "retention.ms");
        allowed(ALICE, HttpMethod.GET, topic, orders, "");                           // DESCRIBE, implied by READ
        allowed(ALICE, HttpMethod.GET, topic + "/partitions", orders, "");
        allowed(ALICE, HttpMethod.POST, topic + "/records", orders, "");             // WRITE
        allowed(ALICE, HttpMethod.GET, topic + "/partitions/{partition_id}/records", orders, ""); // READ
        allowed(ALICE, HttpMethod.GET, topic + "/tail", orders, "");
        denied(ALICE, HttpMethod.DELETE, topic, orders, "", "TOPIC_AUTHORIZATION_FAILED");
        denied(ALICE, HttpMethod.GET, topic + "/configs", orders, "", "TOPIC_AUTHORIZATION_FAILED");
        denied(ALICE, HttpMethod.PUT, topic + "/configs/{name}", orders, "", "TOPIC_AUTHORIZATION_FAILED");
        denied(ALICE, HttpMethod.POST, topic + "/configs:alter", orders, "", "TOPIC_AUTHORIZATION_FAILED");
        for (String route : List.of(topic, topic + "/partitions", topic + "/partitions/{partition_id}/records", topic + "/tail")) {
            denied(ALICE, HttpMethod.GET, route, other, "", "TOPIC_AUTHORIZATION_FAILED");
        }
        denied(ALICE, HttpMethod.POST, topic + "/records", other, "", "TOPIC_AUTHORIZATION_FAILED");
    }

    @Test
    void creatingATopicNeedsCreateOnTheClusterOrOnThatTopic() {
        allowed(ALICE, HttpMethod.POST, RestAcls.TOPICS, Map.of(), "{\"topic_name\":\"alice-events\"}");
        denied(ALICE, HttpMethod.POST, RestAcls.TOPICS, Map.of(), "{\"topic_name\":\"events\"}",
                "TOPIC_AUTHORIZATION_FAILED");
        allowed(ADMIN, HttpMethod.POST, RestAcls.TOPICS, Map.of(), "{\"topic_name\":\"events\"}");
    }

    @Test
    void groupRoutesNeedDescribeAndAResetNeedsRead() {
        Map<String, String> dashboards = Map.of("consumer_group_id", "dashboards");
        allowed(ALICE, HttpMethod.GET, RestAcls.GROUP, dashboards, "");
        allowed(ALICE, HttpMethod.GET, RestAcls.GROUP + "/lags", dashboards, "");
        denied(ALICE, HttpMethod.POST, RestAcls.GROUP + "/offsets:reset", dashboards, "", "GROUP_AUTHORIZATION_FAILED");
        denied(ALICE, HttpMethod.GET, RestAcls.GROUP + "/consumers", Map.of("consumer_group_id", "billing"), "",
                "GROUP_AUTHORIZATION_FAILED");
    }

    @Test
    void brokersNeedDescribeOnTheClusterWhileTheClusterItselfAndListingsNeedNothing() {
        denied(ALICE, HttpMethod.GET, RestAcls.CLUSTER + "/brokers", Map.of(), "", "CLUSTER_AUTHORIZATION_FAILED");
        allowed(ADMIN, HttpMethod.GET, RestAcls.CLUSTER + "/brokers/{broker_id}", Map.of("broker_id", "1"), "");
        allowed(ALICE, HttpMethod.GET, RestAcls.CLUSTERS, Map.of(), "");
        allowed(ALICE, HttpMethod.GET, RestAcls.CLUSTER, Map.of(), "");
        allowed(ALICE, HttpMethod.GET, RestAcls.TOPICS, Map.of(), "");
        allowed(ALICE, HttpMethod.GET, RestAcls.GROUPS, Map.of(), "");
    }

    @Test
    void listingsKeepWhatTheCallerMayDescribe() {
        HttpCall list = call(ALICE, HttpMethod.GET, RestAcls.TOPICS, Map.of(), "");
        assertThat(List.of("orders", "payments", "alice-events").stream()
                .filter(t -> authorizer.may(list, AclOperation.DESCRIBE, ResourceType.TOPIC, t)))
                .containsExactly("orders");
    }

    @Test
    void withoutAnAuthorizerEverythingPasses() {
        RestAuthorizer none = new RestAuthorizer(() -> Authorization.NONE);
        assertThatCode(() -> none.beforeActing(call(ALICE, HttpMethod.DELETE, RestAcls.TOPIC,
                Map.of("topic_name", "payments"), ""))).doesNotThrowAnyException();
    }

    @Test
    void everyRouteOfTheApiUnderClustersHasARuleAndAnUnknownRouteIsRefused() {
        HttpRouter router = RestApi.addTo(HttpRouter.builder(), new KafkaAccess(() -> null)).build();
        List<String> routes = router.routes().stream().filter(r -> r.contains(" /v3/clusters")).toList();
        assertThat(routes).hasSizeGreaterThan(20);
        for (String route : routes) {
            String[] methodAndPath = route.split(" ", 2);
            assertThat(RestAcls.rule(HttpMethod.valueOf(methodAndPath[0]), methodAndPath[1])).as(route).isPresent();
        }
        assertThatThrownBy(() -> authorizer.beforeActing(call(ADMIN, HttpMethod.GET, CLUSTER + "/acls", Map.of(), "")))
                .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.status()).isEqualTo(500));
    }
}
