package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.out.PoolGauge;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import javax.sql.DataSource;

/**
 * The database pool's load: connections in use out of the pool's size, and calls waiting, either for a
 * connection (HikariCP's own count) or, on Java 17, for one of the worker threads (one per connection).
 * Saturated when anything waits: every connection is busy and the next request will queue.
 */
final class JdbcPoolGauge implements PoolGauge {
    private final HikariDataSource hikari;
    private final ExecutorService executor;
    private final int connections;

    JdbcPoolGauge(DataSource dataSource, ExecutorService executor, int connections) {
        this.hikari = hikari(dataSource);
        this.executor = executor;
        this.connections = connections;
    }

    private static HikariDataSource hikari(DataSource dataSource) {
        try {
            return DelegatingDataSource.unwrapDataSource(dataSource).unwrap(HikariDataSource.class);
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public boolean essential() {
        return true;
    }

    @Override
    public Load load() {
        int busy = 0;
        int awaiting = 0;
        HikariPoolMXBean pool = hikari == null ? null : hikari.getHikariPoolMXBean();
        if (pool != null) {
            busy = pool.getActiveConnections();
            awaiting = pool.getThreadsAwaitingConnection();
        }
        int queued = executor instanceof ThreadPoolExecutor threads ? threads.getQueue().size() : 0;
        int waiting = awaiting + queued;
        return new Load(busy, connections, waiting, waiting > 0);
    }
}
