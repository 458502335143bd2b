package io.strand.fidelity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The differences Strand keeps on purpose, each with its reason, read from a JSON file (the module's
 * {@code declared.json}; docs/FIDELITY.md lists them for readers):
 * <pre>{@code
 * [{"api": "ApiVersions", "path": "/apiKeys", "reason": "..."},
 *  {"api": "*", "scenario": "some-scenario", "path": "/topics", "reason": "..."}]
 * }</pre>
 * A finding is declared when an entry's {@code api} is its API's name (or {@code *}), its optional
 * {@code scenario} is the finding's scenario, and its {@code path} is a prefix of the finding's path, where
 * {@code [*]} in the entry's path stands for any one element name ({@code /results[*]/configs[*]/documentation}).
 * Immutable and thread-safe.
 */
final class DeclaredDifferences {

    /** One declared difference. */
    record Entry(String api, String scenario, String path, String reason) {
        boolean covers(DifferentialRun.Finding finding) {
            return (api.equals("*") || api.equals(finding.api().name))
                    && (scenario == null || scenario.equals(finding.scenario()))
                    && pathCovers(path, finding.path());
        }

        /** Whether {@code declared} is a prefix of {@code found}, each {@code [*]} of it matching one element name. */
        static boolean pathCovers(String declared, String found) {
            if (!declared.contains("[*]")) {
                return found.startsWith(declared);
            }
            StringBuilder regex = new StringBuilder();
            String[] literals = declared.split("\\[\\*]", -1);
            for (int i = 0; i < literals.length; i++) {
                if (i > 0) {
                    regex.append("\\[[^\\]]*]");
                }
                regex.append(Pattern.quote(literals[i]));
            }
            return Pattern.compile(regex.toString()).matcher(found).lookingAt();
        }
    }

    private final List<Entry> entries;

    DeclaredDifferences(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    static DeclaredDifferences load(Path file) {
        try {
            JsonNode json = new ObjectMapper().readTree(Files.readAllBytes(file));
            List<Entry> entries = new ArrayList<>();
            for (JsonNode e : json) {
                String reason = e.path("reason").asText("");
                if (reason.isBlank()) {
                    throw new IllegalArgumentException(file + ": every declared difference needs a reason: " + e);
                }
                entries.add(new Entry(e.path("api").asText("*"), e.hasNonNull("scenario") ? e.get("scenario").asText()
                        : null, e.path("path").asText("/"), reason));
            }
            return new DeclaredDifferences(entries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read declared differences file=" + file, e);
        }
    }

    /** The entry that declares {@code finding}, if one does. */
    Optional<Entry> declaring(DifferentialRun.Finding finding) {
        return entries.stream().filter(e -> e.covers(finding)).findFirst();
    }
}
