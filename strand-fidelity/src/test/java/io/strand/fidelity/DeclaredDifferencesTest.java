package io.strand.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class DeclaredDifferencesTest {

    private static DifferentialRun.Finding finding(String path) {
        return new DifferentialRun.Finding("s", 1, ApiKeys.DESCRIBE_CONFIGS, (short) 4, path, "a", "b", "{}");
    }

    private static boolean declared(String declaredPath, String foundPath) {
        DeclaredDifferences declared = new DeclaredDifferences(
                List.of(new DeclaredDifferences.Entry("DescribeConfigs", null, declaredPath, "why")));
        return declared.declaring(finding(foundPath)).isPresent();
    }

    @Test
    void aPathIsAPrefix() {
        assertThat(declared("/results[t]", "/results[t]/configs[a]/value")).isTrue();
        assertThat(declared("/results[t]", "/results[u]/configs[a]/value")).isFalse();
    }

    @Test
    void aStarElementMatchesAnyOneElementName() {
        String declaredPath = "/results[*]/configs[*]/documentation";
        assertThat(declared(declaredPath, "/results[fid-cfg]/configs[retention.ms]/documentation")).isTrue();
        assertThat(declared(declaredPath, "/results[]/configs[a.b#2]/documentation")).as("empty and repeated names")
                .isTrue();
        assertThat(declared(declaredPath, "/results[fid-cfg]/configs[retention.ms]/value")).isFalse();
        assertThat(declared(declaredPath, "/results[a]/x/configs[b]/documentation")).as("one element, not a path")
                .isFalse();
        assertThat(declared("/topics[*]/configs[min.insync.replicas]", "/topics[t]/configs[min.insync.replicas]/source"))
                .isTrue();
        assertThat(declared("/topics[*]/configs[min.insync.replicas]", "/topics[t]/configs[min.cleanable]")).isFalse();
    }
}
