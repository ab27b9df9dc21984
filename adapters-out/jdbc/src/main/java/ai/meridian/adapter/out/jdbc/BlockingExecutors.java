package ai.meridian.adapter.out.jdbc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where blocking JDBC calls run, never on a Netty event loop. On Java 21+ a virtual thread per call (the
 * connection pool is then the only bound); on Java 17 a fixed pool with one thread per connection and a
 * bounded queue, so an overloaded or hanging database rejects work instead of piling it up.
 */
public final class BlockingExecutors {
    private BlockingExecutors() {
    }

    /** Virtual threads when the JVM has them, else {@code threads} platform threads with {@code queue} waiting calls. */
    public static ExecutorService forJdbc(int threads, int queue) {
        ExecutorService virtual = virtualThreadsIfAvailable();
        return virtual != null ? virtual : bounded(threads, queue);
    }

    static ExecutorService bounded(int threads, int queue) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "meridian-jdbc-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), factory,
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Looked up reflectively: the jar is compiled for Java 17, where the method does not exist. */
    static ExecutorService virtualThreadsIfAvailable() {
        try {
            MethodHandle factory = MethodHandles.publicLookup().findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
                    MethodType.methodType(ExecutorService.class));
            return (ExecutorService) factory.invoke();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        } catch (Throwable e) {
            throw new IllegalStateException("could not create virtual threads", e);
        }
    }
}
