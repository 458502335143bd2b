package io.strand.metadata.image;

import io.strand.metadata.record.FeatureLevelRecord;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The features this build of Strand supports, with the level range of each (ApiVersions'
 * {@code supported_features}), and the levels a new cluster is created with (written by the quorum's
 * first leader with the cluster id, as Kafka's {@code kafka-storage format} bootstraps them).
 *
 * <table>
 *   <caption>Features</caption>
 *   <tr><th>feature</th><th>supported</th><th>bootstrap</th><th>meaning here</th></tr>
 *   <tr><td>{@code metadata.version}</td><td>7 (3.3-IV3) – 30 (4.3-IV0)</td><td>30</td>
 *       <td>Kafka 4.3's; Strand's own metadata log is versioned per record</td></tr>
 *   <tr><td>{@code group.version}</td><td>0 – 1</td><td>1</td><td>the consumer group protocol of
 *       KIP-848</td></tr>
 *   <tr><td>{@code transaction.version}</td><td>0 – 2</td><td>2</td><td>KIP-890: 1 writes flexible
 *       {@code __transaction_state} values, 2 adds partitions implicitly (Produce v12+, TxnOffsetCommit
 *       v5) and bumps the producer epoch at every EndTxn (v5)</td></tr>
 *   <tr><td>{@code share.version}</td><td>0 – 1</td><td>1</td><td>share groups (KIP-932):
 *       ShareGroupHeartbeat, ShareGroupDescribe, ShareFetch and ShareAcknowledge</td></tr>
 * </table>
 */
public final class SupportedFeatures {

    public static final String METADATA_VERSION = "metadata.version";
    public static final String GROUP_VERSION = "group.version";
    public static final String TRANSACTION_VERSION = "transaction.version";
    public static final String SHARE_VERSION = "share.version";

    /** A supported level range, both ends included. */
    public record Range(short minLevel, short maxLevel) {
    }

    /** Supported features and their ranges, in name order. */
    public static final Map<String, Range> SUPPORTED = Collections.unmodifiableMap(new TreeMap<>(Map.of(
            METADATA_VERSION, new Range((short) 7, (short) 30),
            GROUP_VERSION, new Range((short) 0, (short) 1),
            TRANSACTION_VERSION, new Range((short) 0, (short) 2),
            SHARE_VERSION, new Range((short) 0, (short) 1))));

    /** The levels a new cluster starts with. */
    public static final List<FeatureLevelRecord> BOOTSTRAP = List.of(
            new FeatureLevelRecord(METADATA_VERSION, (short) 30),
            new FeatureLevelRecord(GROUP_VERSION, (short) 1),
            new FeatureLevelRecord(TRANSACTION_VERSION, (short) 2),
            new FeatureLevelRecord(SHARE_VERSION, (short) 1));

    private SupportedFeatures() {
    }
}
