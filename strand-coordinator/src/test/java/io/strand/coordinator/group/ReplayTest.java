package io.strand.coordinator.group;

import io.strand.coordinator.group.classic.GroupState;
import io.strand.coordinator.group.record.CoordinatorRecord;
import io.strand.coordinator.group.record.CoordinatorRecordSerde;
import io.strand.coordinator.group.record.TopicIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class ReplayTest {

    @Test
    void replayingTheLogRebuildsExactlyTheStateAppliedLive() {
        ShardHarness live = ShardHarness.withoutInitialDelay();
        // A stable two-member group with assignments and offsets.
        String a = live.newMemberId("g1");
        live.join("g1", a).join();
        live.sync("g1", a, 1, Map.of(a, new byte[] {1})).join();
        String b = live.newMemberId("g1");
        var joinB = live.join("g1", b);
        live.join("g1", a).join();
        joinB.join();
        live.sync("g1", a, 2, Map.of(a, new byte[] {1}, b, new byte[] {2})).join();
        live.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g1", a, 2, "t", 0, 10, "m0")));
        live.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g1", b, 2, "t", 1, 20, "m1")));
        // A static member that rejoined under a new id.
        String s1 = live.joinStatic("g2", "", "i-1").join().memberId();
        live.sync("g2", s1, 1, Map.of(s1, new byte[] {9})).join();
        live.time.sleep(1000);
        live.joinStatic("g2", "", "i-1").join();
        // A group whose members all left, with a simple commit.
        String c = live.newMemberId("g3");
        live.join("g3", c).join();
        live.sync("g3", c, 1, Map.of()).join();
        live.leave("g3", new MemberIdentity().setMemberId(c));
        live.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g3", "", -1, "u", 0, 7, "")));
        // A deleted group.
        live.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g4", "", -1, "u", 0, 1, "")));
        live.run(s -> s.adminOps().delete("g4"));

        GroupShard replayed = ShardHarness.load(new GroupShard(0, live.shard.config(), live.time, new Random(1)), live.log, live.time);

        assertThat(replayed.snapshot()).isEqualTo(live.shard.snapshot());
        assertThat(replayed.snapshot().keySet()).containsExactly("g1", "g2", "g3");
        assertThat(replayed.snapshot().get("g1").state()).isEqualTo(GroupState.STABLE);
        assertThat(replayed.snapshot().get("g3").state()).isEqualTo(GroupState.EMPTY);
    }

    @Test
    void loadedStableGroupKeepsServingItsMembers() {
        ShardHarness live = ShardHarness.withoutInitialDelay();
        String a = live.newMemberId("g");
        live.join("g", a).join();
        live.sync("g", a, 1, Map.of(a, new byte[] {5})).join();

        ShardHarness failover = new ShardHarness(Map.of(GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0"),
                live.log);

        assertThat(failover.heartbeat("g", a, 1).errorCode()).isZero();
        assertThat(failover.sync("g", a, 1, Map.of()).join().assignment()).containsExactly(5);
        assertThat(List.copyOf(failover.group("g").members())).hasSize(1);
    }

    @Test
    void memberOfALoadedGroupThatNeverHeartbeatsAgainExpires() {
        ShardHarness live = ShardHarness.withoutInitialDelay();
        String a = live.newMemberId("g");
        live.join("g", a).join();
        live.sync("g", a, 1, Map.of()).join();

        ShardHarness failover = new ShardHarness(Map.of(GroupCoordinatorConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0"),
                live.log);
        failover.advance(ShardHarness.SESSION_TIMEOUT_MS);

        assertThat(failover.group("g").state()).isEqualTo(GroupState.EMPTY);
        assertThat(failover.group("g").generationId()).isEqualTo(2);
    }

    @Test
    void loadSkipsRecordsItCannotReadAndKeepsEveryValidGroupAndOffset() {
        ShardHarness live = ShardHarness.withoutInitialDelay();
        String a = live.newMemberId("g1");
        live.join("g1", a).join();
        live.sync("g1", a, 1, Map.of(a, new byte[] {1})).join();
        live.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g1", a, 1, "t", 0, 10, "m0")));
        // Written straight into the log, as a broken or hostile writer would: none of these can be read.
        live.log.append(0, MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(key(99, "g1"), new byte[] {0, 0, 1}),
                new SimpleRecord(key(99, "g1"), null),
                new SimpleRecord(CoordinatorRecordSerde.serializeKey(
                        new CoordinatorRecord.OffsetKey("g1", "t", 0)), version(7)),
                new SimpleRecord(new byte[] {1}, new byte[] {0, 0}),
                new SimpleRecord(nullTopicOffsetKey("g1"), CoordinatorRecordSerde.serializeValue(
                        new CoordinatorRecord.OffsetValue(99, -1, "", 0, -1), TopicIds.NONE)),
                new SimpleRecord(key(CoordinatorRecordSerde.GROUP_KEY_TYPE, "g1"), new byte[] {0, 0, 0, 0, 0}),
                new SimpleRecord(null, new byte[] {0, 0}),
                new SimpleRecord(key(CoordinatorRecordSerde.CONSUMER_MEMBER_ASSIGNMENT_KEY_TYPE, "g5", "m"),
                        new byte[] {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 42})));
        live.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g1", a, 1, "t", 1, 11, "m1")));
        live.run(s -> s.offsetOps().commit(OffsetOpsTest.commit("g2", "", -1, "u", 0, 7, "")));

        GroupShard replayed = ShardHarness.load(new GroupShard(0, live.shard.config(), live.time, new Random(1)), live.log, live.time);

        assertThat(replayed.snapshot()).isEqualTo(live.shard.snapshot());
        assertThat(replayed.snapshot().keySet()).containsExactlyInAnyOrder("g1", "g2");
        assertThat(replayed.group("g1").state()).isEqualTo(GroupState.STABLE);
        assertThat(replayed.offsets("g1")).containsOnlyKeys(new TopicPartition("t", 0), new TopicPartition("t", 1));
        assertThat(replayed.offsets("g1").get(new TopicPartition("t", 0)).committedOffset()).isEqualTo(10);
        assertThat(replayed.offsets("g1").get(new TopicPartition("t", 1)).committedOffset()).isEqualTo(11);
        assertThat(replayed.offsets("g2").get(new TopicPartition("u", 0)).committedOffset()).isEqualTo(7);
    }

    /** A key of {@code keyType} followed by {@code strings}, in the serde's layout. */
    private static byte[] key(int keyType, String... strings) {
        ByteBuffer buf = ByteBuffer.allocate(256);
        buf.putShort((short) keyType);
        for (String s : strings) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            buf.putShort((short) bytes.length).put(bytes);
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    private static byte[] nullTopicOffsetKey(String groupId) {
        byte[] group = groupId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 2 + group.length + 2 + 4).putShort(CoordinatorRecordSerde.OFFSET_KEY_TYPE)
                .putShort((short) group.length).put(group).putShort((short) -1).putInt(3).array();
    }

    /** A value that is only a version field followed by zeros. */
    private static byte[] version(int version) {
        return ByteBuffer.allocate(40).putShort((short) version).array();
    }
}
