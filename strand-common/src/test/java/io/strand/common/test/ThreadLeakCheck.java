package io.strand.common.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Remembers the live threads when a test starts and, at its end, waits until every thread started
 * since has ended. Ratis' and Netty's event loops end up to a few seconds after their servers close,
 * so the check waits instead of looking once. JVM-wide helper threads, started on first use and never
 * stopped, are ignored. Shared by every module's tests through strand-common's test-jar.
 */
public final class ThreadLeakCheck {

    private static final List<String> SHARED_PREFIXES = List.of("ForkJoinPool.commonPool", "process reaper",
            "Attach Listener", "CompletableFutureDelayScheduler", "awaitility", "surefire", "junit",
            "Common-Cleaner", "Java2D", "JFR", "jqwik", "globalEventExecutor", "ObjectCleanerThread",
            // Ratis' process-wide TimeoutTimer (timer0, timer1 ...): started on first use, never stopped.
            "timer",
            // gRPC's process-wide pools (the metadata quorum over TLS runs on Ratis' gRPC transport): its
            // cached default executor, whose idle threads end after a minute, and its shared-resource timer.
            "grpc-default-executor", "grpc-shared-destroyer");

    private final Set<Thread> before;

    private ThreadLeakCheck(Set<Thread> before) {
        this.before = before;
    }

    public static ThreadLeakCheck start() {
        return new ThreadLeakCheck(Set.copyOf(Thread.getAllStackTraces().keySet()));
    }

    public void assertNoNewThreads() {
        await("threads started by the test end").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(newLiveThreads()).isEmpty());
    }

    public List<String> newLiveThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> !before.contains(t))
                .map(Thread::getName)
                .filter(name -> SHARED_PREFIXES.stream().noneMatch(name::startsWith))
                .sorted()
                .collect(Collectors.toList());
    }
}
