package dev.outreach2day.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** GroupCommit without a database: callers' items written together, each caller with its own result or failure. */
class GroupCommitTest {

    /** A write of a group holding {@code item} says it started and waits until released. */
    private static void holdIfItHolds(List<Integer> group, int item, CountDownLatch started, CountDownLatch release) {
        if (!group.contains(item)) return;
        started.countDown();
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aCallerAloneWritesAtOnce() {
        var groups = Collections.synchronizedList(new ArrayList<List<Integer>>());
        var commit = new GroupCommit<Integer, String>(8, g -> {
            groups.add(g);
            return g.stream().map(i -> "#" + i).toList();
        });
        assertThat(commit.submit(7)).isEqualTo("#7");
        assertThat(groups).containsExactly(List.of(7));
    }

    /** Items queued while a group is being written go in the next group, never above maxGroup; every caller gets its own result. */
    @Test
    void concurrentCallersShareWritesAndEachGetsItsOwnResult() throws Exception {
        var groups = Collections.synchronizedList(new ArrayList<List<Integer>>());
        var firstWriteStarted = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var commit = new GroupCommit<Integer, String>(4, g -> {
            groups.add(g);
            holdIfItHolds(g, 0, firstWriteStarted, release); // the first write waits while the others queue
            return g.stream().map(i -> "#" + i).toList();
        });
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> commit.submit(0));
            assertThat(firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
            var rest = new ArrayList<Future<String>>();
            for (int i = 1; i <= 10; i++) {
                int item = i;
                rest.add(pool.submit(() -> commit.submit(item)));
            }
            Thread.sleep(200); // let them queue behind the lock
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("#0");
            for (int i = 1; i <= 10; i++) assertThat(rest.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo("#" + i);
        }
        assertThat(groups).allSatisfy(g -> assertThat(g).hasSizeBetween(1, 4));
        assertThat(groups.stream().mapToInt(List::size).sum()).isEqualTo(11);
        assertThat(groups.size()).isLessThan(11); // the ten that queued shared writes
    }

    /** A group's failed write wrote nothing: its items are written alone, and only the bad one's caller fails. */
    @Test
    void aBadItemFailsOnlyItsOwnCaller() throws Exception {
        var writes = new AtomicInteger();
        var release = new CountDownLatch(1);
        var firstWriteStarted = new CountDownLatch(1);
        var commit = new GroupCommit<Integer, String>(16, g -> {
            writes.incrementAndGet();
            holdIfItHolds(g, 0, firstWriteStarted, release);
            if (g.contains(13)) throw new IllegalArgumentException("thirteen");
            return g.stream().map(i -> "#" + i).toList();
        });
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> commit.submit(0));
            assertThat(firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
            var rest = new ArrayList<Future<String>>();
            for (int i = 10; i <= 15; i++) {
                int item = i;
                rest.add(pool.submit(() -> commit.submit(item)));
            }
            Thread.sleep(200);
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("#0");
            for (int i = 10; i <= 15; i++) {
                Future<String> f = rest.get(i - 10);
                if (i == 13) {
                    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IllegalArgumentException.class)
                            .hasRootCauseMessage("thirteen");
                } else {
                    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("#" + i);
                }
            }
        }
        assertThat(writes.get()).isGreaterThan(2); // the failed group, then its items one by one
    }
}
