package dev.outreach2day.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Group commit: each caller queues its item and takes the lock in turn; the first to get it writes
 * every queued item in one call (up to {@code maxGroup}), the others find theirs written and go on.
 * While one group is being written the next one gathers, so the number of writes falls as the load
 * rises, and a caller alone writes its item at once. Every caller returns with its own result, as
 * if it had written alone. {@code write} must write a group all or nothing (one transaction): when a
 * group's write fails, each of its items is written again alone, so a bad item fails only its own
 * caller.
 *
 * @param <T> what a caller writes
 * @param <R> what it gets back
 */
final class GroupCommit<T, R> {

    private record Pending<T, R>(T item, CompletableFuture<R> done) {}

    private final int maxGroup;
    private final Function<List<T>, List<R>> write;
    private final ConcurrentLinkedQueue<Pending<T, R>> queued = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();

    /** {@code write} takes a group and returns one result per item, in the group's order. */
    GroupCommit(int maxGroup, Function<List<T>, List<R>> write) {
        if (maxGroup < 1) throw new IllegalArgumentException("maxGroup must be at least 1");
        this.maxGroup = maxGroup;
        this.write = write;
    }

    /** Writes {@code item} (alone or with others queued at the same time) and returns its result. */
    R submit(T item) {
        var p = new Pending<T, R>(item, new CompletableFuture<>());
        queued.add(p);
        writing.lock();
        try {
            while (!p.done().isDone()) writeQueued();
        } finally {
            writing.unlock();
        }
        try {
            return p.done().join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    private void writeQueued() {
        var group = new ArrayList<Pending<T, R>>();
        for (Pending<T, R> p; group.size() < maxGroup && (p = queued.poll()) != null; ) group.add(p);
        if (group.isEmpty()) return;
        try {
            List<R> results = write.apply(group.stream().map(Pending::item).toList());
            if (results.size() != group.size()) {
                throw new IllegalStateException("a group of " + group.size() + " got " + results.size() + " results");
            }
            for (int i = 0; i < group.size(); i++) group.get(i).done().complete(results.get(i));
        } catch (RuntimeException e) {
            if (group.size() == 1) {
                group.getFirst().done().completeExceptionally(e);
                return;
            }
            // a failed write wrote nothing (one transaction): each item alone, so one bad item fails only its own caller
            for (Pending<T, R> p : group) {
                try {
                    p.done().complete(write.apply(List.of(p.item())).getFirst());
                } catch (RuntimeException alone) {
                    p.done().completeExceptionally(alone);
                }
            }
        } catch (Error e) {
            for (Pending<T, R> p : group) p.done().completeExceptionally(e);
            throw e;
        }
    }
}
