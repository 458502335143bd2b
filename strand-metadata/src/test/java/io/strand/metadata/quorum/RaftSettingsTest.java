package io.strand.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RaftSettingsTest {

    @Test
    void groupIdIsTheNameBasedUuidExistingDataDirectoriesUse() {
        UUID named = UUID.nameUUIDFromBytes("strand-metadata".getBytes(StandardCharsets.UTF_8));
        assertThat(RaftSettings.GROUP_ID.getUuid()).isEqualTo(named);
    }
}
