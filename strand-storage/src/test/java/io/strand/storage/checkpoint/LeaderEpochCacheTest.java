package io.strand.storage.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {

    @TempDir
    Path tmp;

    @Test
    void persistsEachNewEpochInKafkasCheckpointFormat() throws Exception {
        LeaderEpochCache cache = LeaderEpochCache.load(tmp);
        cache.assign(3, 0);
        cache.assign(3, 10);
        cache.assign(5, 1200);
        cache.assign(4, 1300);

        assertThat(Files.readAllLines(tmp.resolve("leader-epoch-checkpoint"))).containsExactly("0", "2", "3 0", "5 1200");
        assertThat(LeaderEpochCache.load(tmp).entries()).isEqualTo(cache.entries());
    }

    @Test
    void truncatesFromBothEnds() throws Exception {
        LeaderEpochCache cache = LeaderEpochCache.load(tmp);
        cache.assign(1, 0);
        cache.assign(2, 10);
        cache.assign(4, 20);

        cache.truncateFromEnd(20);
        assertThat(cache.latestEpoch()).isEqualTo(2);
        cache.truncateFromStart(15);
        assertThat(cache.entries()).containsExactly(new LeaderEpochCache.Entry(2, 15));
        assertThat(LeaderEpochCache.load(tmp).entries()).containsExactly(new LeaderEpochCache.Entry(2, 15));
    }

    @Test
    void anUnreadableCheckpointGivesAnEmptyCache() throws Exception {
        Files.writeString(tmp.resolve("leader-epoch-checkpoint"), "0\n2\n5 100\n3 200\n");

        assertThat(LeaderEpochCache.load(tmp).entries()).isEmpty();
    }
}
