package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NodeReadinessTest {

    @Test
    void readyOnlyWhileServingAndItsCheckPasses() {
        NodeReadiness readiness = new NodeReadiness();
        assertThat(readiness.status()).extracting(NodeReadiness.Status::ready, NodeReadiness.Status::phase)
                .containsExactly(false, NodeReadiness.Phase.STARTING);
        readiness.enter(NodeReadiness.Phase.CATCHING_UP);
        assertThat(readiness.status().reason()).contains("catching up");
        readiness.enter(NodeReadiness.Phase.REGISTERING);
        assertThat(readiness.status().ready()).isFalse();
        AtomicReference<Optional<String>> problem = new AtomicReference<>(Optional.empty());
        readiness.enterServing(problem::get);
        assertThat(readiness.status().ready()).isTrue();
        problem.set(Optional.of("the controller has fenced broker 1"));
        assertThat(readiness.status()).extracting(NodeReadiness.Status::ready, NodeReadiness.Status::reason)
                .containsExactly(false, "the controller has fenced broker 1");
        problem.set(Optional.empty());
        assertThat(readiness.status().ready()).isTrue();
        readiness.stopping();
        readiness.stopping();
        assertThat(readiness.status().phase()).isEqualTo(NodeReadiness.Phase.STOPPING);
        assertThat(readiness.status().ready()).isFalse();
    }

    @Test
    void phasesOnlyMoveForward() {
        NodeReadiness readiness = new NodeReadiness();
        readiness.enter(NodeReadiness.Phase.REGISTERING);
        assertThatThrownBy(() -> readiness.enter(NodeReadiness.Phase.CATCHING_UP))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("REGISTERING")
                .hasMessageContaining("CATCHING_UP");
    }
}
