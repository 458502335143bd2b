package io.strand.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestHandlerPoolTest {

    @Test
    void runsAsManyRequestsAtOnceAsItHasNamedThreads() throws InterruptedException {
        try (RequestHandlerPool pool = new RequestHandlerPool(3)) {
            assertThat(pool.threads()).isEqualTo(3);
            CountDownLatch allRunning = new CountDownLatch(3);
            CountDownLatch release = new CountDownLatch(1);
            Set<String> names = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 3; i++) {
                pool.execute(() -> {
                    names.add(Thread.currentThread().getName());
                    allRunning.countDown();
                    await(release);
                });
            }
            // Each task holds its thread until all three run: three threads exist and serve at once.
            assertThat(allRunning.await(30, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            assertThat(names).containsExactlyInAnyOrder(
                    "strand-request-handler-0", "strand-request-handler-1", "strand-request-handler-2");
        }
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(RequestHandlerPool.THREAD_NAME_PREFIX)) {
                thread.join(30_000);
                assertThat(thread.isAlive()).as("%s after close", thread.getName()).isFalse();
            }
        }
    }

    @Test
    void refusesWorkOnceClosed() {
        RequestHandlerPool pool = new RequestHandlerPool(1);
        pool.close();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void needsAtLeastOneThread() {
        assertThatThrownBy(() -> new RequestHandlerPool(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RequestHandlerPool(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
