package io.strand.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.junit.jupiter.api.Test;

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
        live.shard.offsetOps().commit(OffsetOpsTest.commit("g1", a, 2, "t", 0, 10, "m0"));
        live.shard.offsetOps().commit(OffsetOpsTest.commit("g1", b, 2, "t", 1, 20, "m1"));
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
        live.shard.offsetOps().commit(OffsetOpsTest.commit("g3", "", -1, "u", 0, 7, ""));
        // A deleted group.
        live.shard.offsetOps().commit(OffsetOpsTest.commit("g4", "", -1, "u", 0, 1, ""));
        live.shard.adminOps().delete("g4");

        GroupShard replayed = new GroupShard(0, live.shard.config(), live.log, live.time, new Random(1));
        replayed.load();

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
        failover.shard.load();

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
        failover.shard.load();
        failover.advance(ShardHarness.SESSION_TIMEOUT_MS);

        assertThat(failover.group("g").state()).isEqualTo(GroupState.EMPTY);
        assertThat(failover.group("g").generationId()).isEqualTo(2);
    }
}
