package io.strand.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

class RaftSettingsTest {

    private static final QuorumOptions OPTIONS = QuorumOptions.defaults();

    @Test
    void groupIdIsTheNameBasedUuidExistingDataDirectoriesUse() {
        UUID named = UUID.nameUUIDFromBytes("strand-metadata".getBytes(StandardCharsets.UTF_8));
        assertThat(RaftSettings.GROUP_ID.getUuid()).isEqualTo(named);
    }

    @Test
    void aLoneVoterElectsItselfAfterTheShortFirstElectionTimeout() {
        RaftProperties p = properties(1);
        assertThat(firstElectionTimeoutMs(p, true)).isEqualTo(OPTIONS.firstElectionTimeoutMinMs());
        assertThat(firstElectionTimeoutMs(p, false)).isEqualTo(OPTIONS.firstElectionTimeoutMaxMs());
    }

    /**
     * Ratis waits for the votes of each election round as long as its election timeout, the first
     * one until the node has once become a follower again: a few milliseconds, and a restarted
     * voter of three ran rounds that all timed out before a vote came back, each raising the term.
     */
    @Test
    void withOtherVotersTheFirstElectionWaitsAsLongAsAnyOther() {
        RaftProperties p = properties(3);
        assertThat(firstElectionTimeoutMs(p, true)).isEqualTo(OPTIONS.electionTimeoutMinMs());
        assertThat(firstElectionTimeoutMs(p, false)).isEqualTo(OPTIONS.electionTimeoutMaxMs());
        assertThat(RaftServerConfigKeys.Rpc.timeoutMin(p).toLong(TimeUnit.MILLISECONDS))
                .isEqualTo(OPTIONS.electionTimeoutMinMs());
    }

    private static RaftProperties properties(int voterCount) {
        return RaftSettings.properties(Path.of("metadata"), OPTIONS, voterCount);
    }

    private static long firstElectionTimeoutMs(RaftProperties p, boolean min) {
        return (min ? RaftServerConfigKeys.Rpc.firstElectionTimeoutMin(p)
                : RaftServerConfigKeys.Rpc.firstElectionTimeoutMax(p)).toLong(TimeUnit.MILLISECONDS);
    }
}
