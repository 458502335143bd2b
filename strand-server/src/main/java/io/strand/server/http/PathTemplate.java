package io.strand.server.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A route's path: literal segments and {@code {name}} parameters, each a whole segment, e.g.
 * {@code /v3/clusters/{cluster_id}/topics/{topic_name}/configs:alter}. A parameter matches one
 * non-empty segment and is URL-decoded ({@code %2F} gives a '/' inside the value; '+' stays '+', as
 * in a path). Literal segments compare exactly, so {@code configs:alter} is simply a literal. A
 * template without parameters is an exact path. A path may end in '/' (its last segment is then the
 * empty literal): {@code /ui/} matches only {@code /ui/}, and {@code /ui} only {@code /ui}; no other
 * segment may be empty, and a parameter never matches the trailing empty one.
 *
 * <p>Immutable, thread-safe.
 */
final class PathTemplate {

    private final String text;
    private final List<String> segments;

    private PathTemplate(String text, List<String> segments) {
        this.text = text;
        this.segments = segments;
    }

    /**
     * Parses {@code template}.
     *
     * @throws IllegalArgumentException if it does not start with '/', has an empty segment other than
     *                                  after a trailing '/', or a
     *                                  parameter that is unnamed, not a whole segment, or named twice
     */
    static PathTemplate parse(String template) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': path=" + template);
        }
        List<String> segments = split(template);
        List<String> names = new ArrayList<>();
        for (String segment : segments) {
            boolean open = segment.indexOf('{') >= 0;
            boolean close = segment.indexOf('}') >= 0;
            if (!open && !close) {
                continue;
            }
            if (!isParameter(segment) || segment.length() == 2) {
                throw new IllegalArgumentException("a parameter must be a whole segment {name}: path=" + template
                        + " segment=" + segment);
            }
            String name = segment.substring(1, segment.length() - 1);
            if (names.contains(name)) {
                throw new IllegalArgumentException("parameter named twice: path=" + template + " name=" + name);
            }
            names.add(name);
        }
        return new PathTemplate(template, List.copyOf(segments));
    }

    /** The path parameters when {@code path} matches, by name in template order; else empty. */
    Optional<Map<String, String>> match(String path) {
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        List<String> actual;
        try {
            actual = split(path);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (actual.size() != segments.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String expected = segments.get(i);
            String segment = actual.get(i);
            if (isParameter(expected)) {
                if (segment.isEmpty()) {
                    return Optional.empty();
                }
                String value;
                try {
                    value = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return Optional.empty(); // a malformed %-escape
                }
                params.put(expected.substring(1, expected.length() - 1), value);
            } else if (!expected.equals(segment)) {
                return Optional.empty();
            }
        }
        return Optional.of(Collections.unmodifiableMap(params));
    }

    private static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}") && segment.indexOf('{', 1) < 0
                && segment.indexOf('}') == segment.length() - 1;
    }

    private static List<String> split(String path) {
        List<String> segments = new ArrayList<>();
        if (path.equals("/")) {
            return segments;
        }
        String[] parts = path.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            boolean trailing = i == parts.length - 1 && i > 0;
            if (parts[i].isEmpty() && !trailing) {
                throw new IllegalArgumentException("empty segment: path=" + path);
            }
            segments.add(parts[i]);
        }
        return segments;
    }

    @Override
    public String toString() {
        return text;
    }
}
