package io.strand.server.rest;

import io.netty.handler.codec.http.HttpMethod;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Which ACL each REST route needs before it acts, with Kafka's operations and resource types: what
 * Kafka's broker checks for the requests the route stands for. The one table of it; the
 * {@link RestAuthorizer} applies it and the resources narrow their answers where Kafka does.
 *
 * <table>
 *   <caption>Routes under {@code /v3/clusters/{cluster_id}} and what they need</caption>
 *   <tr><th>Route</th><th>Needs</th><th>As Kafka's</th></tr>
 *   <tr><td>{@code GET /v3/clusters}, {@code GET /v3/clusters/{cluster_id}}</td><td>authentication only</td>
 *       <td>Metadata: cluster id and controller for any client</td></tr>
 *   <tr><td>{@code GET brokers}, {@code brokers/{broker_id}}</td><td>DESCRIBE CLUSTER</td><td>DescribeCluster</td></tr>
 *   <tr><td>{@code GET topics}</td><td>none; lists only the topics the caller may DESCRIBE</td><td>Metadata (all topics)</td></tr>
 *   <tr><td>{@code POST topics}</td><td>CREATE CLUSTER, else CREATE TOPIC on the topic named</td><td>CreateTopics</td></tr>
 *   <tr><td>{@code GET topics/{t}}, partitions</td><td>DESCRIBE TOPIC</td><td>Metadata, ListOffsets</td></tr>
 *   <tr><td>{@code DELETE topics/{t}}</td><td>DELETE TOPIC</td><td>DeleteTopics</td></tr>
 *   <tr><td>{@code GET} configs</td><td>DESCRIBE_CONFIGS TOPIC</td><td>DescribeConfigs</td></tr>
 *   <tr><td>{@code POST configs:alter}, {@code PUT}/{@code DELETE} a config</td><td>ALTER_CONFIGS TOPIC</td>
 *       <td>IncrementalAlterConfigs</td></tr>
 *   <tr><td>{@code POST topics/{t}/records}</td><td>WRITE TOPIC</td><td>Produce</td></tr>
 *   <tr><td>{@code GET} records of a partition, {@code tail}</td><td>READ TOPIC</td><td>Fetch</td></tr>
 *   <tr><td>{@code GET consumer-groups}</td><td>none; lists the groups the caller may DESCRIBE (all with
 *       DESCRIBE CLUSTER)</td><td>ListGroups</td></tr>
 *   <tr><td>a group, its consumers, lags, lag summary</td><td>DESCRIBE GROUP; lags leave out topics the
 *       caller may not DESCRIBE</td><td>DescribeGroups, OffsetFetch</td></tr>
 *   <tr><td>{@code POST offsets:reset}</td><td>READ GROUP, and READ TOPIC on every topic reset</td><td>OffsetCommit</td></tr>
 * </table>
 *
 * A route missing here is refused (500) rather than served unchecked. Stateless.
 */
final class RestAcls {

    /** What a route needs. */
    enum Kind {
        /** An authenticated caller; nothing more. */
        AUTHENTICATED,
        /** The operation on the cluster. */
        CLUSTER,
        /** The operation on the topic of {@code {topic_name}}. */
        TOPIC,
        /** The operation on the group of {@code {consumer_group_id}}. */
        GROUP,
        /** CREATE on the cluster, or else on the topic the body names. */
        CREATE_TOPIC,
        /** A listing: nothing before, the answer narrowed to what the caller may see. */
        LISTING
    }

    /** A route's need: its kind and, for a resource, the operation. */
    record Rule(Kind kind, AclOperation operation) {
        /** The resource type a denial names. */
        ResourceType resourceType() {
            return switch (kind) {
                case CLUSTER, AUTHENTICATED -> ResourceType.CLUSTER;
                case TOPIC, CREATE_TOPIC -> ResourceType.TOPIC;
                case GROUP -> ResourceType.GROUP;
                case LISTING -> ResourceType.ANY;
            };
        }
    }

    static final String CLUSTERS = "/v3/clusters";
    static final String CLUSTER = CLUSTERS + "/{cluster_id}";
    static final String TOPICS = CLUSTER + "/topics";
    static final String TOPIC = TOPICS + "/{topic_name}";
    static final String GROUPS = CLUSTER + "/consumer-groups";
    static final String GROUP = GROUPS + "/{consumer_group_id}";

    private static final Map<String, Rule> RULES = new HashMap<>();

    static {
        add(HttpMethod.GET, CLUSTERS, Kind.AUTHENTICATED, null);
        add(HttpMethod.GET, CLUSTER, Kind.AUTHENTICATED, null);
        add(HttpMethod.GET, CLUSTER + "/brokers", Kind.CLUSTER, AclOperation.DESCRIBE);
        add(HttpMethod.GET, CLUSTER + "/brokers/{broker_id}", Kind.CLUSTER, AclOperation.DESCRIBE);
        add(HttpMethod.GET, TOPICS, Kind.LISTING, AclOperation.DESCRIBE);
        add(HttpMethod.POST, TOPICS, Kind.CREATE_TOPIC, AclOperation.CREATE);
        add(HttpMethod.GET, TOPIC, Kind.TOPIC, AclOperation.DESCRIBE);
        add(HttpMethod.DELETE, TOPIC, Kind.TOPIC, AclOperation.DELETE);
        add(HttpMethod.GET, TOPIC + "/configs", Kind.TOPIC, AclOperation.DESCRIBE_CONFIGS);
        add(HttpMethod.POST, TOPIC + "/configs:alter", Kind.TOPIC, AclOperation.ALTER_CONFIGS);
        add(HttpMethod.GET, TOPIC + "/configs/{name}", Kind.TOPIC, AclOperation.DESCRIBE_CONFIGS);
        add(HttpMethod.PUT, TOPIC + "/configs/{name}", Kind.TOPIC, AclOperation.ALTER_CONFIGS);
        add(HttpMethod.DELETE, TOPIC + "/configs/{name}", Kind.TOPIC, AclOperation.ALTER_CONFIGS);
        add(HttpMethod.GET, TOPIC + "/partitions", Kind.TOPIC, AclOperation.DESCRIBE);
        add(HttpMethod.GET, TOPIC + "/partitions/{partition_id}", Kind.TOPIC, AclOperation.DESCRIBE);
        add(HttpMethod.POST, TOPIC + "/records", Kind.TOPIC, AclOperation.WRITE);
        add(HttpMethod.GET, TOPIC + "/partitions/{partition_id}/records", Kind.TOPIC, AclOperation.READ);
        add(HttpMethod.GET, TOPIC + "/tail", Kind.TOPIC, AclOperation.READ);
        add(HttpMethod.GET, GROUPS, Kind.LISTING, AclOperation.DESCRIBE);
        add(HttpMethod.GET, GROUP, Kind.GROUP, AclOperation.DESCRIBE);
        add(HttpMethod.GET, GROUP + "/consumers", Kind.GROUP, AclOperation.DESCRIBE);
        add(HttpMethod.GET, GROUP + "/lags", Kind.GROUP, AclOperation.DESCRIBE);
        add(HttpMethod.GET, GROUP + "/lag-summary", Kind.GROUP, AclOperation.DESCRIBE);
        add(HttpMethod.POST, GROUP + "/offsets:reset", Kind.GROUP, AclOperation.READ);
    }

    private RestAcls() {
    }

    private static void add(HttpMethod method, String route, Kind kind, AclOperation operation) {
        RULES.put(method.name() + " " + route, new Rule(kind, operation));
    }

    /** The rule of {@code method route}, or empty for a route this table does not know. */
    static Optional<Rule> rule(HttpMethod method, String route) {
        return Optional.ofNullable(RULES.get(method.name() + " " + route));
    }
}
