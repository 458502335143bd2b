package io.strand.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One request frame as a real client sent it (size prefix stripped: request header, then body),
 * loaded from the fixtures under {@code src/test/resources/requests} (see the README there).
 * Immutable.
 *
 * @param name      where it came from, {@code <client>/<key>-<Api>-v<version>[-<variant>].bin}
 * @param frame     header and body
 * @param headerEnd where the body starts
 */
record GoldenRequest(String name, byte[] frame, int headerEnd) {

    static final String RESOURCE_DIR = "/requests/";

    static GoldenRequest of(String name, byte[] frame) {
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        RequestHeader.parse(buffer);
        return new GoldenRequest(name, frame, buffer.position());
    }

    ApiKeys apiKey() {
        return ApiKeys.forId(ByteBuffer.wrap(frame).getShort(0));
    }

    short version() {
        return ByteBuffer.wrap(frame).getShort(2);
    }

    byte[] body() {
        byte[] body = new byte[frame.length - headerEnd];
        System.arraycopy(frame, headerEnd, body, 0, body.length);
        return body;
    }

    /** Every fixture listed in {@code manifest.tsv}. */
    static List<GoldenRequest> loadAll() {
        List<GoldenRequest> requests = new ArrayList<>();
        for (String[] row : table("manifest.tsv")) {
            requests.add(of(row[0], resource(row[0])));
        }
        return requests;
    }

    /** Topic name to its id at capture time, from {@code topics.tsv}. */
    static Map<String, Uuid> capturedTopicIds() {
        Map<String, Uuid> ids = new LinkedHashMap<>();
        for (String[] row : table("topics.tsv")) {
            ids.put(row[0], Uuid.fromString(row[2]));
        }
        return ids;
    }

    /**
     * This request with every occurrence of a captured topic id replaced by the id the topic of the
     * same name has now; ids are 16 random bytes, so a false match does not happen in practice.
     */
    GoldenRequest withTopicIds(Map<Uuid, Uuid> capturedToCurrent) {
        byte[] copy = frame.clone();
        capturedToCurrent.forEach((from, to) -> replaceAll(copy, bytes(from), bytes(to)));
        return new GoldenRequest(name, copy, headerEnd);
    }

    static byte[] bytes(Uuid id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }

    private static void replaceAll(byte[] in, byte[] from, byte[] to) {
        outer:
        for (int i = 0; i + from.length <= in.length; i++) {
            for (int j = 0; j < from.length; j++) {
                if (in[i + j] != from[j]) {
                    continue outer;
                }
            }
            System.arraycopy(to, 0, in, i, to.length);
        }
    }

    private static List<String[]> table(String file) {
        String text = new String(resource(file), StandardCharsets.UTF_8);
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new java.io.StringReader(text))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    rows.add(line.split("\t"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static byte[] resource(String name) {
        try (InputStream in = GoldenRequest.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE_DIR + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + frame.length + " bytes)";
    }
}
