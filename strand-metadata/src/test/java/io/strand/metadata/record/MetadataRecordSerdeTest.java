package io.strand.metadata.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strand.common.DirectoryId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
    void featureLevelRecordHasTheDocumentedBytesAndRoundTrips() {
        FeatureLevelRecord record = new FeatureLevelRecord("tv", (short) 2);
        byte[] bytes = MetadataRecordSerde.serialize(record);
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0a00" + "00000002" + "7476" + "0002");
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(bytes))).isEqualTo(record);
    }

    @Test
    void clientQuotaRecordHasTheDocumentedLayoutWithNullForTheDefault() {
        Map<String, String> entity = new HashMap<>();
        entity.put("user", null);
        entity.put("client-id", "c");
        ClientQuotaRecord record = ClientQuotaRecord.set(entity, "k", 1.0);
        byte[] bytes = MetadataRecordSerde.serialize(record);
        // type 15; two parts in type order: "client-id"="c", "user"=null; key "k"; not removed; 1.0
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0f00" + "00000002"
                + "00000009" + "636c69656e742d6964" + "00000001" + "63"
                + "00000004" + "75736572" + "ffffffff"
                + "00000001" + "6b" + "00" + "3ff0000000000000");
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(bytes))).isEqualTo(record);
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(MetadataRecordSerde.serialize(
                ClientQuotaRecord.removal(entity, "k"))))).isEqualTo(new ClientQuotaRecord(entity, "k", 0.0, true));
    }

    @Test
    void scramRecordsHaveTheDocumentedBytes() {
        byte[] credential = MetadataRecordSerde.serialize(new UserScramCredentialRecord("al", (byte) 1,
                new byte[] {9}, new byte[] {8, 7}, new byte[0], 4096));
        assertThat(credential).containsExactly(11, 0, 0, 0, 0, 2, 'a', 'l', 1, 0, 0, 0, 1, 9, 0, 0, 0, 2, 8, 7,
                0, 0, 0, 0, 0, 0, 0x10, 0);
        byte[] removal = MetadataRecordSerde.serialize(new RemoveUserScramCredentialRecord("al", (byte) 2));
        assertThat(removal).containsExactly(12, 0, 0, 0, 0, 2, 'a', 'l', 2);
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
    void aPartitionWithKnownDirectoriesIsWrittenAtVersionTwoAndOlderVersionsReadAsNoneKnown() {
        PartitionRecord idle = new PartitionRecord(new Uuid(1, 2), 0, List.of(1, 2), List.of(1), 1, 3, 4);
        PartitionRecord placed = new PartitionRecord(new Uuid(1, 2), 0, List.of(1, 2), List.of(1), 1, 3, 4,
                List.of(), List.of(), List.of(new Uuid(7, 1000), DirectoryId.UNASSIGNED));

        byte[] idleBytes = MetadataRecordSerde.serialize(idle);
        byte[] placedBytes = MetadataRecordSerde.serialize(placed);

        assertThat(placedBytes[MetadataRecordSerde.VERSION_OFFSET]).isEqualTo((byte) 2);
        assertThat(placedBytes).hasSize(idleBytes.length + 4 + 4 + 4 + 2 * 16);
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(placedBytes))).isEqualTo(placed);
        PartitionRecord read = (PartitionRecord) MetadataRecordSerde.deserialize(ByteBuffer.wrap(idleBytes));
        assertThat(read.directories()).isEmpty();
        PartitionRecord allUnassigned = new PartitionRecord(new Uuid(1, 2), 0, List.of(1, 2), List.of(1), 1, 3, 4,
                List.of(), List.of(), DirectoryId.unassigned(2));
        assertThat(MetadataRecordSerde.serialize(allUnassigned)).isEqualTo(idleBytes);
    }

    @Test
    void aPartitionWithDirectoriesForAnotherReplicaCountIsRefused() {
        byte[] bytes = MetadataRecordSerde.serialize(new PartitionRecord(new Uuid(1, 2), 0, List.of(1, 2), List.of(1),
                1, 3, 4, List.of(), List.of(), List.of(new Uuid(7, 1000), new Uuid(7, 1001))));
        // the replicas list's count (after type, version, uuid and four int32s): claim one replica only
        int replicasCount = MetadataRecordSerde.BODY_OFFSET + 16 + 4 * 4;
        byte[] oneReplica = new byte[bytes.length - 4];
        System.arraycopy(bytes, 0, oneReplica, 0, replicasCount);
        ByteBuffer.wrap(oneReplica).putInt(replicasCount, 1);
        ByteBuffer.wrap(oneReplica).putInt(replicasCount + 4, 1);
        System.arraycopy(bytes, replicasCount + 12, oneReplica, replicasCount + 8, bytes.length - replicasCount - 12);

        assertThatThrownBy(() -> MetadataRecordSerde.deserialize(ByteBuffer.wrap(oneReplica)))
                .isInstanceOf(MetadataFormatException.class)
                .hasMessageContaining("directories=2");
    }

    /** Version 1 bytes, as written before directory ids existed, still load: no log directory named. */
    @Test
    void brokerRegistrationWithLogDirsIsWrittenAtVersionTwoAndVersionOneStillReads() {
        RegisterBrokerRecord withoutDirs = new RegisterBrokerRecord(7, new Uuid(1, 2), List.of(), null, 42L, true,
                false);
        RegisterBrokerRecord withDirs = new RegisterBrokerRecord(7, new Uuid(1, 2), List.of(), null, 42L, true,
                false, List.of(new Uuid(5, 500), new Uuid(6, 600)));
        String versionOne = "0501" + "00000007" + "0000000000000001" + "0000000000000002" + "ffffffff"
                + "00000000" + "000000000000002a" + "01" + "00";

        byte[] bytes = MetadataRecordSerde.serialize(withDirs);

        assertThat(HexFormat.of().formatHex(MetadataRecordSerde.serialize(withoutDirs))).isEqualTo(versionOne);
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(HexFormat.of().parseHex(versionOne))))
                .isEqualTo(withoutDirs);
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0502" + versionOne.substring(4) + "00000002"
                + "0000000000000005" + "00000000000001f4" + "0000000000000006" + "0000000000000258");
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(bytes))).isEqualTo(withDirs);
    }

    @Test
    void registrationChangeNamesOnlineDirsAtVersionOneOnly() {
        BrokerRegistrationChangeRecord fence = new BrokerRegistrationChangeRecord(3, 9L, true, false);
        BrokerRegistrationChangeRecord dirs = new BrokerRegistrationChangeRecord(3, 9L, false, false,
                List.of(new Uuid(5, 500)));
        String versionZero = "0800" + "00000003" + "0000000000000009" + "01" + "00";

        assertThat(HexFormat.of().formatHex(MetadataRecordSerde.serialize(fence))).isEqualTo(versionZero);
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(HexFormat.of().parseHex(versionZero))))
                .isEqualTo(fence);
        byte[] bytes = MetadataRecordSerde.serialize(dirs);
        assertThat(bytes[MetadataRecordSerde.VERSION_OFFSET]).isEqualTo((byte) 1);
        assertThat(MetadataRecordSerde.deserialize(ByteBuffer.wrap(bytes))).isEqualTo(dirs);
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
        Arbitrary<MetadataRecord> placed = Combinators.combine(reassigning, uuids).as((p, dir) -> {
            PartitionRecord r = (PartitionRecord) p;
            List<Uuid> directories = r.replicas().stream()
                    .map(replica -> replica % 2 == 0 ? dir : DirectoryId.UNASSIGNED).toList();
            return new PartitionRecord(r.topicId(), r.partitionId(), r.replicas(), r.isr(), r.leader(),
                    r.leaderEpoch(), r.partitionEpoch(), r.addingReplicas(), r.removingReplicas(), directories);
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
        Arbitrary<MetadataRecord> brokerWithDirs = Combinators.combine(broker, uuids.list().ofMaxSize(3))
                .as((b, dirs) -> {
                    RegisterBrokerRecord r = (RegisterBrokerRecord) b;
                    return new RegisterBrokerRecord(r.brokerId(), r.incarnationId(), r.endpoints(), r.rack(),
                            r.brokerEpoch(), r.fenced(), r.inControlledShutdown(), dirs);
                });
        Arbitrary<MetadataRecord> changeWithDirs = Combinators.combine(change, uuids.list().ofMaxSize(3))
                .as((c, dirs) -> {
                    BrokerRegistrationChangeRecord r = (BrokerRegistrationChangeRecord) c;
                    return new BrokerRegistrationChangeRecord(r.brokerId(), r.brokerEpoch(), r.fenced(),
                            r.inControlledShutdown(), dirs);
                });
        Arbitrary<MetadataRecord> unregister = Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
                .as(UnregisterBrokerRecord::new);
        Arbitrary<MetadataRecord> producerIds = Combinators.combine(Arbitraries.integers(), Arbitraries.longs())
                .as(ProducerIdsRecord::new);
        Arbitrary<MetadataRecord> clusterId = strings.map(ClusterIdRecord::new);
        Arbitrary<MetadataRecord> featureLevel = Combinators.combine(strings,
                Arbitraries.shorts().between((short) 0, Short.MAX_VALUE)).as(FeatureLevelRecord::new);
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<MetadataRecord> scram = Combinators.combine(strings, Arbitraries.of((byte) 1, (byte) 2), bytes, bytes,
                bytes, Arbitraries.integers()).as(UserScramCredentialRecord::new);
        Arbitrary<MetadataRecord> removeScram = Combinators.combine(strings, Arbitraries.of((byte) 1, (byte) 2))
                .as(RemoveUserScramCredentialRecord::new);
        Arbitrary<Map<String, String>> entities = Arbitraries.maps(Arbitraries.of("user", "client-id", "ip"),
                strings.injectNull(0.3)).ofMinSize(1).ofMaxSize(3);
        Arbitrary<MetadataRecord> clientQuota = Combinators.combine(entities, strings,
                Arbitraries.of(0.5, 12.5, 1024.0, 1e12), Arbitraries.of(true, false)).as(ClientQuotaRecord::new);
        List<Arbitrary<MetadataRecord>> all = new ArrayList<>(List.of(topic, partition, remove, config, broker,
                producerIds, clusterId, legacyBroker, change, unregister, reassigning, placed, brokerWithDirs,
                changeWithDirs, featureLevel, scram, removeScram, clientQuota));
        return Arbitraries.oneOf(all);
    }
}
