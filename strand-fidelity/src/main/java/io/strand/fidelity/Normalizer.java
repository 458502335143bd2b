package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes out of an answer what may legitimately differ between two brokers, so that what is left can be
 * compared field by field.
 *
 * <p>Masked (replaced by {@code "<masked>"} whatever their value, null included): identities one
 * broker draws at random or from its own configuration ({@link #MASKED}: cluster and topic ids, member
 * ids, producer ids, fetch session ids, hosts and ports of endpoints (a {@code host} beside a {@code port}; an ACL's
 * host is compared), log directories and their disks' total and
 * usable bytes, the metadata offset of the finalized features), throttle times, and free-text error messages, which clients show but do not parse. Record bytes are decoded ({@link RecordsJson#decode}). Arrays
 * of objects that name their elements (by {@link #ELEMENT_KEYS}) are sorted by that name, elements of one
 * name by their normalised content: no client depends on the order of topics or partitions in an answer; client quota entries are sorted by their entity
 * and an entity's parts by type (Kafka answers both in hash order; the admin client reads them into maps);
 * a group's members and topics named only by id by their normalised content ({@link #MEMBER_ID},
 * {@link #TOPIC_ID}), ACLs and ACL resources by theirs ({@link #PRINCIPAL}, {@link #PATTERN_TYPE}). Arrays of
 * records keep their order.
 *
 * <p>Stateless and thread-safe; works on a copy.
 */
final class Normalizer {

    static final String MASK = "<masked>";
    /** Field names whose values are masked wherever they appear. */
    static final Set<String> MASKED = Set.of("throttleTimeMs", "clusterId", "topicId", "memberId", "leader",
            "producerId", "sessionId", "host", "port", "errorMessage", "batchIndexErrorMessage", "finalizedFeaturesEpoch", "logDir",
            "totalBytes", "usableBytes");
    /** Element names arrays are sorted by, the first one every element has. */
    static final List<String> ELEMENT_KEYS = List.of("name", "topic", "topicName", "groupId", "resourceName",
            "partitionIndex", "partition", "index", "apiKey", "nodeId", "brokerId", "key", "user", "entityType");
    /**
     * The field naming a client quota entry (AlterClientQuotas, DescribeClientQuotas): arrays of such entries
     * are sorted by their (normalised) entity, as Kafka's admin client reads them into a map.
     */
    static final String ENTITY = "entity";
    /**
     * The field of a group member (its id masked): arrays of members are sorted by their whole normalised
     * content, as Kafka lists a group's members in its hash map's order of member ids (random ones, for
     * clients that let the coordinator choose) and the admin client keeps no order of them.
     */
    static final String MEMBER_ID = "memberId";
    /**
     * The field of a topic named only by its id (masked), as in ConsumerGroupHeartbeat's and
     * ShareGroupHeartbeat's assignments: arrays of such topics are sorted by their whole normalised
     * content, as Kafka lists them in its hash map's order of topic ids, which each cluster draws at random.
     */
    static final String TOPIC_ID = "topicId";

    /**
     * Fields of an ACL (DescribeAcls' entries of a resource, DeleteAcls' matching ACLs): arrays of ACLs are
     * sorted by their whole content, as Kafka lists them in the order of its hash maps (by the ACLs' random
     * ids for DeleteAcls) and the admin client keeps no order of them.
     */
    static final String PRINCIPAL = "principal";
    static final String PERMISSION_TYPE = "permissionType";
    /**
     * The field of a resource pattern (DescribeAcls' resources): such arrays are sorted by their whole content
     * too, as a topic and a group of one name are two resources Kafka lists in its hash map's order.
     */
    static final String PATTERN_TYPE = "patternType";
    private static final String HOST = "host";
    private static final String PORT = "port";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Normalizer() {
    }

    /** A normalised copy of {@code answer}. */
    static JsonNode normalize(JsonNode answer) {
        return walk(answer, null);
    }

    private static JsonNode walk(JsonNode node, String fieldName) {
        if (fieldName != null && MASKED.contains(fieldName) && !node.isContainerNode()) {
            return NODES.textNode(MASK);
        }
        if ("records".equals(fieldName) && node.isTextual()) {
            return RecordsJson.decode(node.asText());
        }
        if (node.isObject()) {
            ObjectNode copy = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            // A host is a broker's own address only beside its port (an endpoint); elsewhere (an ACL's
            // host) it is what a client wrote, compared.
            boolean endpoint = node.has(PORT);
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                boolean kept = field.getKey().equals(HOST) && !endpoint;
                copy.set(field.getKey(), kept ? field.getValue().deepCopy() : walk(field.getValue(), field.getKey()));
            }
            return copy;
        }
        if (node.isArray()) {
            List<JsonNode> elements = new ArrayList<>();
            node.forEach(element -> elements.add(walk(element, null)));
            String key = elementKey(elements);
            if (!elements.isEmpty() && elements.stream().allMatch(e -> e.isObject() && (e.has(PRINCIPAL)
                    && e.has(PERMISSION_TYPE) || e.has(PATTERN_TYPE) && e.has("resourceName")))) {
                elements.sort(Comparator.comparing(JsonNode::toString));
            } else if (key != null) {
                // Elements of one name (a topic named twice) by their normalised content: Kafka's
                // controller shuffles DeleteTopics' answers, so their order is not the request's.
                elements.sort(Comparator.<JsonNode, String>comparing(e -> e.get(key).asText())
                        .thenComparing(JsonNode::toString));
            } else if (!elements.isEmpty() && elements.stream().allMatch(e -> e.isObject() && e.path(ENTITY).isArray())) {
                elements.sort(Comparator.comparing(e -> e.get(ENTITY).toString()));
            } else if (!elements.isEmpty() && elements.stream().allMatch(e -> e.isObject()
                    && (e.has(MEMBER_ID) || e.has(TOPIC_ID)))) {
                elements.sort(Comparator.comparing(JsonNode::toString));
            }
            ArrayNode copy = NODES.arrayNode();
            elements.forEach(copy::add);
            return copy;
        }
        return node.deepCopy();
    }

    /** The name every element of {@code elements} has, if they are objects with one; else null. */
    static String elementKey(List<JsonNode> elements) {
        if (elements.isEmpty() || !elements.stream().allMatch(JsonNode::isObject)) {
            return null;
        }
        // Decoded records (with an offset) keep their order: their "key" is data, not a name.
        boolean records = elements.stream().anyMatch(e -> e.has("offset"));
        for (String key : ELEMENT_KEYS) {
            if (records && key.equals("key")) {
                continue;
            }
            if (elements.stream().allMatch(e -> e.has(key) && e.get(key).isValueNode())) {
                return key;
            }
        }
        return null;
    }
}
