package io.strand.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.chaos.history.Send;
import org.junit.jupiter.api.Test;

/** The script's lines (as {@code produce.py} prints them) become the history the checker reads. */
class PythonProducerWorkloadTest {

    @Test
    void sendAndOutcomeLinesBecomeSends() {
        PythonProducerWorkload workload = new PythonProducerWorkload("py", null, null);
        workload.onLine("{\"event\": \"send\", \"seq\": 0, \"partition\": 2, \"atMs\": 1000}");
        workload.onLine("{\"event\": \"send\", \"seq\": 1, \"partition\": 0, \"atMs\": 1001}");
        workload.onLine("{\"event\": \"send\", \"seq\": 2, \"partition\": 1, \"atMs\": 1002}");
        workload.onLine("{\"event\": \"ack\", \"seq\": 0, \"offset\": 41, \"atMs\": 1010}");
        workload.onLine("{\"event\": \"fail\", \"seq\": 1, \"error\": \"KafkaError{code=_MSG_TIMED_OUT}\", \"atMs\": 1011}");
        workload.onLine("{\"event\": \"done\"}");

        assertThat(workload.sends()).containsExactly(
                new Send("py", 0, 2, "py#0", 1000, Send.Outcome.ACKED, 41, 1010, null),
                new Send("py", 1, 0, "py#1", 1001, Send.Outcome.FAILED, -1, 1011, "KafkaError{code=_MSG_TIMED_OUT}"),
                new Send("py", 2, 1, "py#2", 1002, Send.Outcome.UNKNOWN, -1, -1, null));
        assertThat(workload.acked()).isEqualTo(1);
    }
}
