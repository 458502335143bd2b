package io.strand.metadata.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class MetadataRecordSerdeTest {

    @Property
    void everyRecordRoundTrips(@ForAll("records") MetadataRecord record) {
        byte[] bytes = MetadataRecordSerde.serialize(record);
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(bytes))).isEqualTo(record);
    }

    @Property
    void batchesRoundTripInOrder(@ForAll("batches") List<MetadataRecord> batch) {
        byte[] bytes = MetadataRecordSerde.serializeBatch(batch);
        assertThat(MetadataRecordSerde.deserializeBatch(ByteBuffer.wrap(bytes))).containsExactlyElementsOf(batch);
    }

    @Property
    void truncatedBatchIsRefusedNotMisread(@ForAll("batches") List<MetadataRecord> batch,
                                           @ForAll("cuts") int cut) {
        byte[] bytes = MetadataRecordSerde.serializeBatch(batch);
        int length = Math.max(0, bytes.length - 1 - (cut % bytes.length));
        ByteBuffer truncated = ByteBuffer.wrap(Arrays.copyOf(bytes, length));
        assertThatThrownBy(() -> MetadataRecordSerde.deserializeBatch(truncated))
                .isInstanceOf(MetadataFormatException.class);
    }

    @Test
    void clusterIdBatchHasTheDocumentedBytes() {
        byte[] bytes = MetadataRecordSerde.serializeBatch(List.of(new ClusterIdRecord("ab")));
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("00" + "00000001" + "00000008" + "0700" + "00000002" + "6162");
    }

    @Test
    void topicRecordStartsWithTypeAndVersion() {
        byte[] bytes = MetadataRecordSerde.serialize(new TopicRecord("t", new Uuid(1, 2)));
        assertThat(bytes[MetadataRecordSerde.TYPE_OFFSET]).isEqualTo(MetadataRecordSerde.TOPIC);
        assertThat(bytes[MetadataRecordSerde.VERSION_OFFSET]).isZero();
        assertThat(ByteBuffer.wrap(bytes, MetadataRecordSerde.BODY_OFFSET, 16).getLong()).isEqualTo(1L);
    }

    /** Registrations written before broker epochs existed (version 0) still load: no session, unfenced. */
    @Test
    void versionZeroBrokerRegistrationDecodesUnfencedWithoutEpoch() {
        String hex = "0500" + "00000007" + "0000000000000001" + "0000000000000002" + "00000002" + "7231"
                + "00000001" + "00000009" + "504c41494e54455854" + "00000001" + "68" + "00002384"
                + "00000009" + "504c41494e54455854";
        MetadataRecord record = MetadataRecordSerde.deserialize(ByteBuffer.wrap(HexFormat.of().parseHex(hex)));
        assertThat(record).isEqualTo(new RegisterBrokerRecord(7, new Uuid(1, 2),
                List.of(new Endpoint("PLAINTEXT", "h", 9092, "PLAINTEXT")), "r1", 0L, false, false));
    }

    @Test
    void brokerRegistrationIsWrittenAtVersionOneWithItsSession() {
        byte[] bytes = MetadataRecordSerde.serialize(new RegisterBrokerRecord(7, new Uuid(1, 2), List.of(), null,
                42L, true, false));
        assertThat(bytes[MetadataRecordSerde.VERSION_OFFSET]).isEqualTo((byte) 1);
        assertThat(HexFormat.of().formatHex(bytes)).endsWith("ffffffff" + "00000000" + "000000000000002a" + "01" + "00");
    }

    @Test
    void aPartitionIsWrittenAtVersionOneOnlyWhileItIsReassigned() {
        PartitionRecord idle = new PartitionRecord(new Uuid(1, 2), 0, List.of(1, 2), List.of(1), 1, 3, 4);
        PartitionRecord moving = new PartitionRecord(new Uuid(1, 2), 0, List.of(2, 3, 1), List.of(1, 2), 1, 3, 5,
                List.of(3), List.of(1));

        byte[] idleBytes = MetadataRecordSerde.serialize(idle);
        byte[] movingBytes = MetadataRecordSerde.serialize(moving);

        assertThat(idleBytes[MetadataRecordSerde.VERSION_OFFSET]).isZero();
        assertThat(movingBytes[MetadataRecordSerde.VERSION_OFFSET]).isEqualTo((byte) 1);
        assertThat(movingBytes).hasSize(idleBytes.length + 4 + 4 + (4 + 4) + (4 + 4));
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(movingBytes))).isEqualTo(moving);
    }

    @Test
    void unknownTypeIsRefused() {
        byte[] bytes = {99, 0};
        assertThatThrownBy(() -> MetadataRecordSerde.deserialize(ByteBuffer.wrap(bytes)))
                .isInstanceOf(MetadataFormatException.class)
                .hasMessageContaining("type=99");
    }

    @Test
    void newerVersionIsRefused() {
        byte[] bytes = MetadataRecordSerde.serialize(new RemoveTopicRecord(new Uuid(3, 4)));
        bytes[MetadataRecordSerde.VERSION_OFFSET] = 1;
        assertThatThrownBy(() -> MetadataRecordSerde.deserialize(ByteBuffer.wrap(bytes)))
                .isInstanceOf(MetadataFormatException.class)
                .hasMessageContaining("version=1");
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] record = MetadataRecordSerde.serialize(new ClusterIdRecord("x"));
        byte[] longer = Arrays.copyOf(record, record.length + 1);
        assertThatThrownBy(() -> MetadataRecordSerde.deserialize(ByteBuffer.wrap(longer)))
                .isInstanceOf(MetadataFormatException.class);
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, 10_000);
    }

    @Provide
    Arbitrary<List<MetadataRecord>> batches() {
        return records().list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<MetadataRecord> records() {
        Arbitrary<Uuid> uuids = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Uuid::new);
        Arbitrary<String> strings = Arbitraries.strings().ofMaxLength(20);
        Arbitrary<List<Integer>> ints = Arbitraries.integers().list().ofMaxSize(5);
        Arbitrary<MetadataRecord> topic = Combinators.combine(strings, uuids).as(TopicRecord::new);
        Arbitrary<MetadataRecord> partition = Combinators.combine(uuids, Arbitraries.integers(), ints, ints,
                Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers()).as(PartitionRecord::new);
        Arbitrary<MetadataRecord> reassigning = Combinators.combine(partition, ints, ints).as((p, adding, removing) -> {
            PartitionRecord r = (PartitionRecord) p;
            return new PartitionRecord(r.topicId(), r.partitionId(), r.replicas(), r.isr(), r.leader(),
                    r.leaderEpoch(), r.partitionEpoch(), adding, removing);
        });
        Arbitrary<MetadataRecord> remove = uuids.map(RemoveTopicRecord::new);
        Arbitrary<MetadataRecord> config = Combinators.combine(
                Arbitraries.of(ConfigResource.Type.TOPIC, ConfigResource.Type.BROKER), strings, strings,
                strings.injectNull(0.3)).as(ConfigRecord::new);
        Arbitrary<Endpoint> endpoint = Combinators.combine(strings, strings, Arbitraries.integers().between(0, 65535),
                Arbitraries.of("PLAINTEXT", "SSL", "SASL_SSL")).as(Endpoint::new);
        Arbitrary<MetadataRecord> legacyBroker = Combinators.combine(Arbitraries.integers(), uuids,
                endpoint.list().ofMaxSize(3), strings.injectNull(0.5)).as(RegisterBrokerRecord::new);
        Arbitrary<MetadataRecord> broker = Combinators.combine(Arbitraries.integers(), uuids,
                endpoint.list().ofMaxSize(3), strings.injectNull(0.5), Arbitraries.longs(), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as(RegisterBrokerRecord::new);
        Arbitrary<MetadataRecord> change = Combinators.combine(Arbitraries.integers(), Arbitraries.longs(),
                Arbitraries.of(true, false), Arbitraries.of(true, false)).as(BrokerRegistrationChangeRecord::new);
        Arbitrary<MetadataRecord> unregister = Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
                .as(UnregisterBrokerRecord::new);
        Arbitrary<MetadataRecord> producerIds = Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
                .as(ProducerIdsRecord::new);
        Arbitrary<MetadataRecord> clusterId = strings.map(ClusterIdRecord::new);
        List<Arbitrary<MetadataRecord>> all = new ArrayList<>(List.of(topic, partition, remove, config, broker,
                producerIds, clusterId, legacyBroker, change, unregister, reassigning));
        return Arbitraries.oneOf(all);
    }
}
