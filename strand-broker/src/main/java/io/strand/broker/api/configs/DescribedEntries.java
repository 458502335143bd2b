package io.strand.broker.api.configs;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * What one DescribeConfigs resource asks for — which keys (null or empty: all), whether synonyms
 * and documentation are wanted — and the entries built to that measure. An entry's source is that
 * of its first synonym (DEFAULT_CONFIG if it has none), whether or not the synonyms are returned.
 * Immutable.
 */
record DescribedEntries(List<String> keys, boolean includeSynonyms, boolean includeDocumentation) {

    boolean wanted(String name) {
        return keys == null || keys.isEmpty() || keys.contains(name);
    }

    DescribeConfigsResourceResult entry(ConfigDef.ConfigKey key, String value, boolean readOnly,
                                        List<DescribeConfigsSynonym> synonyms) {
        return new DescribeConfigsResourceResult()
                .setName(key.name)
                .setValue(value)
                .setReadOnly(readOnly)
                .setIsSensitive(key.type.isSensitive())
                .setConfigSource(source(synonyms))
                .setSynonyms(includeSynonyms ? synonyms : new ArrayList<>())
                .setConfigType(configType(key.type).id())
                .setDocumentation(includeDocumentation ? key.documentation : null);
    }

    /** A property no config definition knows: Kafka reports it read-only and sensitive, without a value. */
    DescribeConfigsResourceResult unknownEntry(String name, List<DescribeConfigsSynonym> synonyms) {
        return new DescribeConfigsResourceResult()
                .setName(name)
                .setValue(null)
                .setReadOnly(true)
                .setIsSensitive(true)
                .setConfigSource(source(synonyms))
                .setSynonyms(includeSynonyms ? synonyms : new ArrayList<>())
                .setConfigType(ConfigType.UNKNOWN.id())
                .setDocumentation(null);
    }

    /** The value as Kafka prints it after parsing (trimmed, lists joined by ","); as given if it does not parse. */
    static String normalize(ConfigDef.ConfigKey key, String value) {
        try {
            return ConfigDef.convertToString(ConfigDef.parseType(key.name, value, key.type), key.type);
        } catch (ConfigException e) {
            return value;
        }
    }

    static ConfigType configType(ConfigDef.Type type) {
        return switch (type) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case INT -> ConfigType.INT;
            case SHORT -> ConfigType.SHORT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case LIST -> ConfigType.LIST;
            case CLASS -> ConfigType.CLASS;
            case PASSWORD -> ConfigType.PASSWORD;
        };
    }

    private static byte source(List<DescribeConfigsSynonym> synonyms) {
        return synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG.id() : synonyms.get(0).source();
    }
}
