package ai.meridian.adapter.out.jdbc;

import io.micronaut.transaction.TransactionCallback;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How the stores talk to the database: each call in its own transaction, on the blocking executor (never
 * the caller's thread), every statement bounded by the query timeout, failures translated for the store's
 * port.
 */
final class JdbcRunner {
    private final TransactionOperations<Connection> transactions;
    private final Executor executor;
    private final int queryTimeoutSeconds;
    private final Function<Throwable, RuntimeException> translate;

    JdbcRunner(TransactionOperations<Connection> transactions, Executor executor, int queryTimeoutSeconds,
               Function<Throwable, RuntimeException> translate) {
        this.transactions = Objects.requireNonNull(transactions, "transactions");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.translate = Objects.requireNonNull(translate, "translate");
    }

    /** The same database access, with failures translated another way. */
    JdbcRunner translatingWith(Function<Throwable, RuntimeException> other) {
        return new JdbcRunner(transactions, executor, queryTimeoutSeconds, other);
    }

    <T> CompletableFuture<T> write(TransactionCallback<Connection, T> work) {
        return run(() -> transactions.executeWrite(work));
    }

    <T> CompletableFuture<T> read(TransactionCallback<Connection, T> work) {
        return run(() -> transactions.executeRead(work));
    }

    private <T> CompletableFuture<T> run(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(work.get());
                } catch (Throwable e) {
                    result.completeExceptionally(translate.apply(e));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(translate.apply(e));
        }
        return result;
    }

    PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(queryTimeoutSeconds);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }

    /** Both databases keep microseconds; cutting here keeps keyset paging exact. */
    static OffsetDateTime timestamp(Instant at) {
        return OffsetDateTime.ofInstant(at.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rows, String column) throws SQLException {
        return rows.getObject(column, OffsetDateTime.class).toInstant();
    }
}
