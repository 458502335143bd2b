package io.strand.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

class DifferentialRunTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    void anUntilValueMatchesANumberOfAnyTypeByValue() {
        assertThat(DifferentialRun.holds(NODES.numberNode((short) 31), NODES.numberNode(31))).as("int16 error code")
                .isTrue();
        assertThat(DifferentialRun.holds(NODES.numberNode(1024.0), NODES.numberNode(1024))).isTrue();
        assertThat(DifferentialRun.holds(NODES.numberNode((short) 0), NODES.numberNode(31))).isFalse();
        assertThat(DifferentialRun.holds(NODES.textNode("31"), NODES.numberNode(31))).as("text is not a number")
                .isFalse();
        assertThat(DifferentialRun.holds(NODES.arrayNode(), NODES.arrayNode())).isTrue();
        assertThat(DifferentialRun.holds(NODES.missingNode(), NODES.nullNode())).isFalse();
    }
}
