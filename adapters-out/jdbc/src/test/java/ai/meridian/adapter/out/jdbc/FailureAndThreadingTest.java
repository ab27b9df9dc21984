package ai.meridian.adapter.out.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.application.port.out.UnknownConversationException;
import ai.meridian.domain.conversation.ConversationId;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FailureAndThreadingTest {

    @Test
    void anUnreachableOrOverloadedDatabaseIsAnOutageAndABrokenStatementIsABug() {
        assertThat(SqlFailures.translate(new SQLTransientConnectionException("pool timed out", "08001")))
                .isInstanceOf(ConversationStoreUnavailableException.class);
        assertThat(SqlFailures.translate(new RuntimeException("tx failed", new SQLException("terminating connection", "57P01"))))
                .isInstanceOf(ConversationStoreUnavailableException.class);
        assertThat(SqlFailures.translate(new RejectedExecutionException("queue full")))
                .isInstanceOf(ConversationStoreUnavailableException.class);
        assertThat(SqlFailures.translate(new SQLException("duplicate key", "23505"))).isInstanceOf(IllegalStateException.class);
        assertThat(SqlFailures.translate(new SQLException("syntax error", "42601"))).isInstanceOf(IllegalStateException.class);
        UnknownConversationException unknown = new UnknownConversationException(new ConversationId("c"));
        assertThat(SqlFailures.translate(unknown)).isSameAs(unknown);
    }

    @Test
    void onJava17TheBoundedPoolRejectsWorkBeyondItsQueue() throws Exception {
        ExecutorService pool = BlockingExecutors.bounded(1, 1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pool.execute(() -> { });
            assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        } finally {
            release.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void virtualThreadsAreUsedExactlyWhenTheJvmHasThem() throws Exception {
        boolean hasVirtualThreads = Runtime.version().feature() >= 21;
        ExecutorService executor = BlockingExecutors.virtualThreadsIfAvailable();
        assertThat(executor != null).isEqualTo(hasVirtualThreads);
        ExecutorService chosen = BlockingExecutors.forJdbc(2, 4);
        try {
            String threadName = chosen.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
            if (!hasVirtualThreads) {
                assertThat(threadName).startsWith("meridian-jdbc-");
            }
        } finally {
            chosen.shutdown();
            if (executor != null) {
                executor.shutdown();
            }
        }
    }
}
