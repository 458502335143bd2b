package io.strand.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeLifecycleTest {

    private final List<String> events = new ArrayList<>();

    @Test
    void startsInOrderAndClosesInReverse() throws Exception {
        NodeLifecycle lifecycle = NodeLifecycle.startAll(List.of(component("shared"), component("controller"),
                component("broker")));
        lifecycle.close();
        lifecycle.close();
        assertThat(events).containsExactly("start shared", "start controller", "start broker",
                "close broker", "close controller", "close shared");
    }

    @Test
    void aFailedStartClosesWhatStartedTheFailingOneToo() {
        IllegalStateException failure = new IllegalStateException("port in use");
        assertThatThrownBy(() -> NodeLifecycle.startAll(List.of(component("shared"),
                failingStart("controller", failure), component("broker"))))
                .isSameAs(failure);
        assertThat(events).containsExactly("start shared", "start controller", "close controller", "close shared");
    }

    @Test
    void closeFailuresDuringAFailedStartAreSuppressedAndDoNotStopTheOthers() {
        IllegalStateException failure = new IllegalStateException("cannot lock");
        IllegalStateException closeFailure = new IllegalStateException("close failed");
        assertThatThrownBy(() -> NodeLifecycle.startAll(List.of(component("shared"),
                failingClose("controller", closeFailure), failingStart("broker", failure))))
                .isSameAs(failure)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(closeFailure));
        assertThat(events).containsExactly("start shared", "start controller", "start broker",
                "close broker", "close controller", "close shared");
    }

    private NodeComponent component(String name) {
        return new Recording(name, null, null);
    }

    private NodeComponent failingStart(String name, RuntimeException failure) {
        return new Recording(name, failure, null);
    }

    private NodeComponent failingClose(String name, RuntimeException failure) {
        return new Recording(name, null, failure);
    }

    private final class Recording implements NodeComponent {
        private final String name;
        private final RuntimeException startFailure;
        private final RuntimeException closeFailure;

        Recording(String name, RuntimeException startFailure, RuntimeException closeFailure) {
            this.name = name;
            this.startFailure = startFailure;
            this.closeFailure = closeFailure;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start() {
            events.add("start " + name);
            if (startFailure != null) {
                throw startFailure;
            }
        }

        @Override
        public void close() {
            events.add("close " + name);
            if (closeFailure != null) {
                throw closeFailure;
            }
        }
    }
}
