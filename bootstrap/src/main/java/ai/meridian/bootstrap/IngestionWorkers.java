package ai.meridian.bootstrap;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool ingestion's CPU work runs on: document text extraction (PDF parsing), chunking and the
 * tokenizing it does. Its own few threads with a bounded queue, never the database's threads or an event
 * loop: a long document keeps a thread busy for seconds, and on the database's threads that froze every
 * endpoint that needs the database. Work beyond the queue is refused (the document fails with the reason).
 */
final class IngestionWorkers implements Executor, AutoCloseable {
    private final ThreadPoolExecutor executor;

    IngestionWorkers(int threads, int queueCapacity) {
        if (threads < 1) {
            throw new IllegalArgumentException("meridian.ingestion.threads must be at least 1");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("meridian.ingestion.queue-capacity must be at least 1");
        }
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueCapacity), r -> {
            Thread thread = new Thread(r, "meridian-ingest-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Half the cores (at least one): ingestion never takes the whole machine from requests. */
    static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    @Override
    public void execute(Runnable command) {
        executor.execute(command);
    }

    int busy() {
        return executor.getActiveCount();
    }

    int size() {
        return executor.getMaximumPoolSize();
    }

    int waiting() {
        return executor.getQueue().size();
    }

    /** Stops taking work and waits up to {@code timeoutMillis} for the work under way. True when it all finished. */
    boolean drain(long timeoutMillis) {
        executor.shutdown();
        try {
            return executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * At shutdown: work not started is dropped (its jobs were stopped and recorded by the drain), the work
     * under way gets 10 s to end.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
