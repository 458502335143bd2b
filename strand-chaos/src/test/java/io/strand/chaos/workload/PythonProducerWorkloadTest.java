package io.strand.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.strand.chaos.history.Send;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void aClientThatDiesOnItsOwnEndedEarlyWithItsLastWordsAndItsEpochBumpsCounted(@TempDir Path dir) throws Exception {
        Path errors = dir.resolve("py.err");
        // what librdkafka's eos log and a Python traceback leave on standard error, then an exit of its own
        Process process = new ProcessBuilder("/bin/sh", "-c", "echo '%7|1.2|DRAIN|py#producer-1| [thrd:b]: All partitions "
                + "drained, bumped epoch to PID{Id:1000,Epoch:1}' >&2; echo 'Traceback (most recent call last):' >&2; "
                + "echo 'cimpl.KafkaException: KafkaError{FATAL,code=OUT_OF_ORDER_SEQUENCE_NUMBER}' >&2; "
                + "echo '%7|1.3|DESTROY|py#producer-1| [thrd:app]: Terminating instance' >&2; exit 1")
                .redirectError(errors.toFile()).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        PythonProducerWorkload workload = new PythonProducerWorkload("py", process, errors);

        workload.stop();

        assertThat(workload.endedEarly()).isEqualTo("exited with code 1 before it was stopped: "
                + "cimpl.KafkaException: KafkaError{FATAL,code=OUT_OF_ORDER_SEQUENCE_NUMBER}");
        assertThat(workload.epochBumps()).isEqualTo(1);
    }

    @Test
    void aClientStoppedAsAskedDidNotEndEarly(@TempDir Path dir) throws Exception {
        Path errors = dir.resolve("py.err");
        Process process = new ProcessBuilder("/bin/sh", "-c", "cat > /dev/null").redirectError(errors.toFile()).start();
        PythonProducerWorkload workload = new PythonProducerWorkload("py", process, errors);

        workload.stop();

        assertThat(workload.endedEarly()).isNull();
        assertThat(workload.epochBumps()).isZero();
        assertThat(Files.exists(errors)).isTrue();
    }
}
