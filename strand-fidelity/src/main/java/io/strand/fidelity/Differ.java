package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares two normalised answers field by field.
 *
 * <p>Contract: {@link #diff} lists every leaf where the two differ, with its path ({@code /topics[events]/
 * partitions[0]/errorCode}: array elements named by their {@link Normalizer#ELEMENT_KEYS} value where
 * they have one, {@code [name#2]} for a second element of the same name, else by position) and both values as JSON text ({@code absent} where one side lacks
 * the field or element). Identical trees give an empty list. Stateless and thread-safe.
 */
final class Differ {

    static final String ABSENT = "absent";

    /** One field that differs: where, and what each broker answered. */
    record Delta(String path, String kafka, String strand) {
    }

    private Differ() {
    }

    static List<Delta> diff(JsonNode kafka, JsonNode strand) {
        List<Delta> out = new ArrayList<>();
        walk("", kafka, strand, out);
        return out;
    }

    private static void walk(String path, JsonNode kafka, JsonNode strand, List<Delta> out) {
        if (kafka == null || strand == null) {
            out.add(new Delta(path.isEmpty() ? "/" : path, text(kafka), text(strand)));
            return;
        }
        if (kafka.isObject() && strand.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            kafka.fieldNames().forEachRemaining(names::add);
            strand.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                walk(path + "/" + name, kafka.get(name), strand.get(name), out);
            }
            return;
        }
        if (kafka.isArray() && strand.isArray()) {
            walkArray(path, kafka, strand, out);
            return;
        }
        if (!kafka.equals(strand)) {
            out.add(new Delta(path.isEmpty() ? "/" : path, text(kafka), text(strand)));
        }
    }

    private static void walkArray(String path, JsonNode kafka, JsonNode strand, List<Delta> out) {
        List<JsonNode> k = list(kafka);
        List<JsonNode> s = list(strand);
        List<JsonNode> both = new ArrayList<>(k);
        both.addAll(s);
        String key = Normalizer.elementKey(both);
        if (key == null) {
            for (int i = 0; i < Math.max(k.size(), s.size()); i++) {
                walk(path + "[" + i + "]", i < k.size() ? k.get(i) : null, i < s.size() ? s.get(i) : null, out);
            }
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        both.forEach(e -> names.add(e.get(key).asText()));
        for (String name : names) {
            List<JsonNode> inKafka = named(k, key, name);
            List<JsonNode> inStrand = named(s, key, name);
            // An element named twice is compared occurrence by occurrence: one answer naming a topic twice
            // where the other merges it shows as the second occurrence missing.
            for (int i = 0; i < Math.max(inKafka.size(), inStrand.size()); i++) {
                walk(path + "[" + name + (i == 0 ? "" : "#" + (i + 1)) + "]", i < inKafka.size() ? inKafka.get(i) : null,
                        i < inStrand.size() ? inStrand.get(i) : null, out);
            }
        }
    }

    private static List<JsonNode> named(List<JsonNode> elements, String key, String name) {
        return elements.stream().filter(e -> e.get(key).asText().equals(name)).toList();
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        Iterator<JsonNode> it = array.elements();
        it.forEachRemaining(out::add);
        return out;
    }

    private static String text(JsonNode node) {
        return node == null ? ABSENT : node.toString();
    }
}
