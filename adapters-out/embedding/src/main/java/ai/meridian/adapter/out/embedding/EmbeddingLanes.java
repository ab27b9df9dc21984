package ai.meridian.adapter.out.embedding;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The embedding threads, with two lanes. Queries (a question being grounded, a knowledge-base search) are
 * interactive and short: they go first, and one thread is kept for them whenever there are two or more, so
 * a query never waits behind bulk work (documents being ingested, a 2,048-input {@code /v1/embeddings}
 * call) for longer than nothing at all. Bulk work runs on the other threads in arrival order. At most
 * {@code capacity} runs wait; more are refused, so a flood degrades instead of queueing without end.
 * {@link #close()} lets the running runs finish and waits for them: the model and tokenizer they use may be
 * released only after that.
 */
final class EmbeddingLanes implements AutoCloseable {
    /** A run that can also be told it will never run. */
    interface Run extends Runnable {
        void abandon();
    }

    private final ArrayDeque<Run> queries = new ArrayDeque<>();
    private final ArrayDeque<Run> bulk = new ArrayDeque<>();
    private final int bulkThreads;
    private final int capacity;
    private final List<Thread> threads = new ArrayList<>();
    private int runningBulk;
    private int running;
    private boolean closed;

    EmbeddingLanes(int threads, int capacity, String name) {
        this.bulkThreads = threads > 1 ? threads - 1 : 1;
        this.capacity = capacity;
        for (int i = 1; i <= threads; i++) {
            Thread thread = new Thread(this::work, name + "-" + i);
            thread.setDaemon(true);
            this.threads.add(thread);
        }
        this.threads.forEach(Thread::start);
    }

    /** Queues a run; throws {@link RejectedExecutionException} when the lanes are full or closed. */
    synchronized void submit(Run run, boolean query) {
        if (closed) {
            throw new RejectedExecutionException("the embedding model is shutting down");
        }
        if (queries.size() + bulk.size() >= capacity) {
            throw new RejectedExecutionException("the embedding queue is full");
        }
        (query ? queries : bulk).addLast(run);
        notifyAll();
    }

    /** Runs waiting, runs running and the number of threads, for readiness. */
    synchronized int[] load() {
        return new int[] {queries.size() + bulk.size(), running, threads.size()};
    }

    private void work() {
        while (true) {
            Run next;
            boolean isBulk;
            synchronized (this) {
                while (true) {
                    if (!queries.isEmpty()) {
                        next = queries.pollFirst();
                        isBulk = false;
                        break;
                    }
                    if (!bulk.isEmpty() && runningBulk < bulkThreads) {
                        next = bulk.pollFirst();
                        isBulk = true;
                        break;
                    }
                    if (closed) {
                        return;
                    }
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                running++;
                if (isBulk) {
                    runningBulk++;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                // A run reports its own failure through its future; the thread lives on.
            } finally {
                synchronized (this) {
                    running--;
                    if (isBulk) {
                        runningBulk--;
                    }
                    notifyAll();
                }
            }
        }
    }

    /**
     * Refuses new runs, abandons the waiting ones, and waits up to {@code timeout} for the running ones to
     * finish. True when every thread has stopped.
     */
    boolean close(long timeout, TimeUnit unit) {
        List<Run> dropped = new ArrayList<>();
        synchronized (this) {
            closed = true;
            dropped.addAll(queries);
            dropped.addAll(bulk);
            queries.clear();
            bulk.clear();
            notifyAll();
        }
        dropped.forEach(Run::abandon);
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return threads.stream().noneMatch(Thread::isAlive);
    }

    @Override
    public void close() {
        close(30, TimeUnit.SECONDS);
    }
}
