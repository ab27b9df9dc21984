package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.out.ResponseStore;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.response.ResponseId;
import ai.meridian.domain.response.ResponseStatus;
import ai.meridian.domain.response.StoredResponse;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Stored responses in the conversation database (table {@code model_response}, migration V6), on the same
 * connections and threads. A chain is read in one query, a recursive walk along {@code previous_id} within the
 * tenant (the same SQL on H2 and PostgreSQL), bounded in length.
 */
public final class JdbcResponseStore implements ResponseStore {
    private static final String COLUMNS = "id, previous_id, model, status, created_at, input_messages, output_message, finish_reason, "
            + "prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, usage_details, citations, notices, failure_code, failure_message, "
            + "attributes";
    /** Retention deletes at most this many rows per statement, so one pass never holds a long lock. */
    private static final int PURGE_BATCH = 1000;

    private final JdbcRunner runner;

    public JdbcResponseStore(TransactionOperations<Connection> transactions, Executor executor, int queryTimeoutSeconds) {
        this(new JdbcRunner(transactions, executor, queryTimeoutSeconds, SqlFailures::translate));
    }

    JdbcResponseStore(JdbcRunner runner) {
        this.runner = runner;
    }

    @Override
    public CompletableFuture<Void> save(String tenant, StoredResponse r) {
        return runner.write(status -> {
            TokenUsage u = r.usage();
            try (PreparedStatement insert = runner.prepare(status.getConnection(), "INSERT INTO model_response (tenant, " + COLUMNS
                            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    tenant, r.id().value(), r.previous().map(ResponseId::value).orElse(null), r.model(), r.status().wireName(),
                    JdbcRunner.timestamp(r.createdAt()), ResponseDocuments.messages(r.input()),
                    r.output().map(ResponseDocuments::message).orElse(null), r.finishReason().map(FinishReason::wireName).orElse(null),
                    u.promptTokens(), u.completionTokens(), u.cachedPromptTokens(), u.reasoningTokens(), ResponseDocuments.details(u.details()),
                    ResponseDocuments.citations(r.citations()), ResponseDocuments.notices(r.notices()), r.failure().map(StoredResponse.Failure::code).orElse(null),
                    r.failure().map(StoredResponse.Failure::message).orElse(null), r.attributes())) {
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Optional<StoredResponse>> find(String tenant, ResponseId id) {
        return runner.read(status -> {
            try (PreparedStatement select = runner.prepare(status.getConnection(),
                    "SELECT " + COLUMNS + " FROM model_response WHERE tenant = ? AND id = ?", tenant, id.value());
                 ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(row(rows)) : Optional.empty();
            }
        });
    }

    @Override
    public CompletableFuture<List<StoredResponse>> chain(String tenant, ResponseId id, int maxResponses) {
        if (maxResponses < 1) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("a chain has at least one response"));
        }
        return runner.read(status -> {
            // Walks back from the newest; depth counts from it, so the oldest comes first when sorted descending.
            String sql = "WITH RECURSIVE chain (id, previous_id, depth) AS ("
                    + " SELECT id, previous_id, 0 FROM model_response WHERE tenant = ? AND id = ?"
                    + " UNION ALL"
                    + " SELECT r.id, r.previous_id, c.depth + 1 FROM model_response r JOIN chain c ON r.id = c.previous_id"
                    + " WHERE r.tenant = ? AND c.depth + 1 < ?)"
                    + " SELECT " + prefixed("r.") + ", c.depth FROM chain c JOIN model_response r ON r.tenant = ? AND r.id = c.id"
                    + " ORDER BY c.depth DESC";
            List<StoredResponse> chain = new ArrayList<>();
            try (PreparedStatement select = runner.prepare(status.getConnection(), sql, tenant, id.value(), tenant, maxResponses, tenant);
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    chain.add(row(rows));
                }
            }
            return Collections.unmodifiableList(chain);
        });
    }

    @Override
    public CompletableFuture<Boolean> delete(String tenant, ResponseId id) {
        return runner.write(status -> {
            try (PreparedStatement delete = runner.prepare(status.getConnection(),
                    "DELETE FROM model_response WHERE tenant = ? AND id = ?", tenant, id.value())) {
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public CompletableFuture<Integer> deleteCreatedBefore(Instant cutoff) {
        return runner.write(status -> {
            int deleted = 0;
            while (true) {
                int batch;
                try (PreparedStatement delete = runner.prepare(status.getConnection(), "DELETE FROM model_response WHERE (tenant, id) IN ("
                        + "SELECT tenant, id FROM model_response WHERE created_at < ? ORDER BY created_at LIMIT ?)",
                        JdbcRunner.timestamp(cutoff), PURGE_BATCH)) {
                    batch = delete.executeUpdate();
                }
                deleted += batch;
                if (batch < PURGE_BATCH) {
                    return deleted;
                }
            }
        });
    }

    private static String prefixed(String alias) {
        StringBuilder columns = new StringBuilder();
        for (String column : COLUMNS.split(",\\s*")) {
            if (columns.length() > 0) {
                columns.append(", ");
            }
            columns.append(alias).append(column);
        }
        return columns.toString();
    }

    private static StoredResponse row(ResultSet rows) throws SQLException {
        String output = rows.getString("output_message");
        String finish = rows.getString("finish_reason");
        String failureCode = rows.getString("failure_code");
        String previous = rows.getString("previous_id");
        TokenUsage usage = new TokenUsage(rows.getInt("prompt_tokens"), rows.getInt("completion_tokens"), rows.getInt("cached_tokens"),
                rows.getInt("reasoning_tokens"), ResponseDocuments.readDetails(rows.getString("usage_details")));
        return new StoredResponse(new ResponseId(rows.getString("id")), Optional.ofNullable(previous).map(ResponseId::new),
                rows.getString("model"),
                JdbcRunner.instant(rows, "created_at"),
                ResponseStatus.fromWire(rows.getString("status")).orElseThrow(() -> new SQLException("unknown response status")),
                ResponseDocuments.readMessages(rows.getString("input_messages")),
                output == null ? Optional.empty() : Optional.of(ResponseDocuments.readMessage(output)),
                finish == null ? Optional.empty() : Optional.of(FinishReason.fromWire(finish)),
                usage,
                ResponseDocuments.readCitations(rows.getString("citations")),
                ResponseDocuments.readNotices(rows.getString("notices")),
                failureCode == null ? Optional.empty() : Optional.of(new StoredResponse.Failure(failureCode, rows.getString("failure_message"))),
                rows.getString("attributes"));
    }
}
