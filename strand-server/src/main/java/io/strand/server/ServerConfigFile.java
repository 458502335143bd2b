package io.strand.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Reads a Kafka-style {@code server.properties} file into property name → value, trimmed. */
final class ServerConfigFile {

    private ServerConfigFile() {
    }

    static Map<String, String> read(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            result.put(name.trim(), props.getProperty(name).trim());
        }
        return result;
    }
}
