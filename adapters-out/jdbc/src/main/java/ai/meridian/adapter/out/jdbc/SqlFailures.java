package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.application.port.out.UnknownConversationException;
import java.sql.SQLException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sorts database failures: the database being unreachable, restarting, overloaded or timing out is an
 * outage the client may retry (503); a constraint or syntax error is a bug and stays an error.
 */
final class SqlFailures {
    private SqlFailures() {
    }

    static RuntimeException translate(Throwable error) {
        if (error instanceof UnknownConversationException unknown) {
            return unknown;
        }
        if (error instanceof RejectedExecutionException) {
            return new ConversationStoreUnavailableException("too many database calls are waiting", error);
        }
        SQLException sql = find(error);
        if (sql != null && !isBug(sql)) {
            return new ConversationStoreUnavailableException("database unavailable: " + sql.getMessage(), error);
        }
        if (sql == null && error instanceof RuntimeException runtime && !(error instanceof IllegalStateException)) {
            // Pools and transaction managers wrap connection failures in their own unchecked exceptions.
            return new ConversationStoreUnavailableException("database unavailable: " + error.getMessage(), error);
        }
        return new IllegalStateException("conversation store failed: " + error.getMessage(), error);
    }

    private static SQLException find(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    /** SQLSTATE classes 22 (data), 23 (integrity) and 42 (syntax, access rule) are the code's fault, not the database's state. */
    private static boolean isBug(SQLException sql) {
        String state = sql.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("42"));
    }
}
