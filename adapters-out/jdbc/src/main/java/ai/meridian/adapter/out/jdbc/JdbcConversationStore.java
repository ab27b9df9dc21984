package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.out.ConversationStore;
import ai.meridian.application.port.out.PoolGauge;
import ai.meridian.application.port.out.UnknownConversationException;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationHistory;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.ConversationTranscript;
import ai.meridian.domain.conversation.RunningSummary;
import ai.meridian.domain.conversation.StoredTurn;
import ai.meridian.domain.conversation.Turn;
import ai.meridian.domain.retrieval.Citation;
import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.transaction.TransactionCallback;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;

/**
 * Conversations in a relational database (H2 or PostgreSQL, same SQL), through micronaut-data's JDBC
 * transaction manager. Each call runs on {@code executor}, never on the caller's thread, in its own
 * transaction. Appends lock the conversation's row first ({@code UPDATE ... turn_count = turn_count + n}),
 * so concurrent appends to one conversation queue behind each other and each gets an unbroken run of
 * sequence numbers; the primary key (tenant, conversation, seq) would refuse a duplicate anyway.
 */
public final class JdbcConversationStore implements ConversationStore, AutoCloseable {
    private static final String TURN_COLUMNS =
            "seq, role, content, reasoning, model, backend, prompt_tokens, completion_tokens, finish_reason, created_at, message_detail";
    private static final String CONVERSATION_COLUMNS = "id, tenant, title, turn_count, created_at, updated_at";

    private final JdbcRunner runner;
    private ExecutorService owned;
    private PoolGauge gauge;

    /**
     * Migrates the schema, then opens a store whose blocking work runs on virtual threads (Java 21+) or on
     * one platform thread per pooled connection; closing the store stops those threads.
     */
    public static JdbcConversationStore open(DataSource dataSource, TransactionOperations<Connection> transactions,
                                             int queryTimeoutSeconds) {
        ConversationSchema.migrate(dataSource);
        int connections = poolSize(dataSource);
        ExecutorService executor = BlockingExecutors.forJdbc(connections, 64 * connections);
        JdbcConversationStore store = new JdbcConversationStore(transactions, executor, queryTimeoutSeconds);
        store.owned = executor;
        store.gauge = new JdbcPoolGauge(dataSource, executor, connections);
        return store;
    }

    /** How busy the connection pool (and, on Java 17, its worker threads) is, for readiness. */
    public PoolGauge poolGauge() {
        if (gauge == null) {
            throw new IllegalStateException("only a store opened on a data source reports its pool");
        }
        return gauge;
    }

    private static int poolSize(DataSource dataSource) {
        try {
            return DelegatingDataSource.unwrapDataSource(dataSource).unwrap(HikariDataSource.class).getMaximumPoolSize();
        } catch (SQLException e) {
            return PoolSizing.forHost();
        }
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.shutdown();
        }
    }

    /** {@code queryTimeoutSeconds} bounds every statement, so a hung database frees the caller. */
    public JdbcConversationStore(TransactionOperations<Connection> transactions, Executor executor, int queryTimeoutSeconds) {
        this.runner = new JdbcRunner(transactions, executor, queryTimeoutSeconds, SqlFailures::translate);
    }

    /** Stored responses (the Responses API) in the same database, on the same connections and threads. */
    public JdbcResponseStore responses() {
        return new JdbcResponseStore(runner);
    }

    /** The knowledge-base catalog in the same database, on the same connections and threads. */
    public JdbcKnowledgeBaseStore knowledgeBases() {
        return new JdbcKnowledgeBaseStore(runner);
    }

    /** Tenants and keys in the same database, on the same connections and threads. */
    public JdbcTenantDirectory tenantDirectory() {
        return new JdbcTenantDirectory(runner);
    }

    /** The usage ledger in the same database. */
    public JdbcUsageLedger usageLedger() {
        return new JdbcUsageLedger(runner);
    }

    /** The audit log in the same database. */
    public JdbcAuditLog auditLog() {
        return new JdbcAuditLog(runner);
    }

    private <T> CompletableFuture<T> write(TransactionCallback<Connection, T> work) {
        return runner.write(work);
    }

    private <T> CompletableFuture<T> read(TransactionCallback<Connection, T> work) {
        return runner.read(work);
    }

    private PreparedStatement prepare(Connection connection, String sql, Object... parameters) throws SQLException {
        return runner.prepare(connection, sql, parameters);
    }

    private static OffsetDateTime timestamp(Instant at) {
        return JdbcRunner.timestamp(at);
    }

    private static Instant instant(ResultSet rows, String column) throws SQLException {
        return JdbcRunner.instant(rows, column);
    }

    @Override
    public CompletableFuture<Optional<ConversationHistory>> loadHistory(String tenant, ConversationId id, int maxRecentTurns) {
        return read(status -> {
            Connection c = status.getConnection();
            Optional<ConversationRow> row = conversation(c, tenant, id);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            int through = row.get().summary().map(RunningSummary::throughSeq).orElse(0);
            List<StoredTurn> system = turns(c, tenant, id,
                    "role = 'system' ORDER BY seq", List.of());
            List<StoredTurn> recent = new ArrayList<>(turns(c, tenant, id,
                    "role <> 'system' AND seq > ? ORDER BY seq DESC LIMIT ?", List.of(through, maxRecentTurns)));
            Collections.reverse(recent);
            int from = recent.isEmpty() ? Integer.MAX_VALUE : recent.get(0).seq();
            List<StoredTurn> withSources = withCitations(c, tenant, id, recent, from);
            return Optional.of(new ConversationHistory(row.get().conversation(), system, row.get().summary(), withSources));
        });
    }

    @Override
    public CompletableFuture<List<StoredTurn>> append(String tenant, ConversationId id, Optional<String> createWithTitle,
                                                      List<Turn> turns, Instant at) {
        if (turns.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("nothing to append"));
        }
        return write(status -> {
            Connection c = status.getConnection();
            OffsetDateTime now = timestamp(at);
            int locked;
            try (PreparedStatement update = prepare(c,
                    "UPDATE conversation SET turn_count = turn_count + ?, updated_at = ? WHERE tenant = ? AND id = ?",
                    turns.size(), now, tenant, id.value())) {
                locked = update.executeUpdate();
            }
            if (locked == 0) {
                if (createWithTitle.isEmpty()) {
                    throw new UnknownConversationException(id);
                }
                try (PreparedStatement insert = prepare(c, "INSERT INTO conversation (tenant, id, title, turn_count, summary, "
                        + "summary_through, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, 0, ?, ?)",
                        tenant, id.value(), createWithTitle.get(), turns.size(), now, now)) {
                    insert.executeUpdate();
                }
            }
            int last;
            try (PreparedStatement count = prepare(c, "SELECT turn_count FROM conversation WHERE tenant = ? AND id = ?", tenant, id.value());
                 ResultSet rows = count.executeQuery()) {
                rows.next();
                last = rows.getInt(1);
            }
            List<StoredTurn> stored = new ArrayList<>(turns.size());
            for (int i = 0; i < turns.size(); i++) {
                stored.add(new StoredTurn(last - turns.size() + 1 + i, turns.get(i)));
            }
            insertTurns(c, tenant, id, stored);
            return stored;
        });
    }

    private void insertTurns(Connection c, String tenant, ConversationId id, List<StoredTurn> stored) throws SQLException {
        try (PreparedStatement insert = prepare(c, "INSERT INTO conversation_turn (tenant, conversation_id, " + TURN_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (StoredTurn s : stored) {
                Turn t = s.turn();
                Object[] values = {tenant, id.value(), s.seq(), t.role().wireName(), t.content(), t.reasoning(), t.model(),
                        t.backend(), t.usage().promptTokens(), t.usage().completionTokens(),
                        t.finishReason().map(FinishReason::wireName).orElse(null), timestamp(t.createdAt()),
                        MessageDetail.write(t.message())};
                for (int i = 0; i < values.length; i++) {
                    insert.setObject(i + 1, values[i]);
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
        boolean anySources = stored.stream().anyMatch(s -> !s.turn().citations().isEmpty());
        if (!anySources) {
            return;
        }
        try (PreparedStatement insert = prepare(c, "INSERT INTO conversation_citation (tenant, conversation_id, seq, citation_number, "
                + "title, url, published, snippet, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (StoredTurn s : stored) {
                for (Citation citation : s.turn().citations()) {
                    Object[] values = {tenant, id.value(), s.seq(), citation.number(), citation.title(), citation.url(),
                            citation.date(), citation.snippet(), citation.source()};
                    for (int i = 0; i < values.length; i++) {
                        insert.setObject(i + 1, values[i]);
                    }
                    insert.addBatch();
                }
            }
            insert.executeBatch();
        }
    }

    @Override
    public CompletableFuture<Boolean> saveSummary(String tenant, ConversationId id, RunningSummary summary) {
        return write(status -> {
            try (PreparedStatement update = prepare(status.getConnection(),
                    "UPDATE conversation SET summary = ?, summary_through = ? WHERE tenant = ? AND id = ? AND summary_through < ?",
                    summary.text(), summary.throughSeq(), tenant, id.value(), summary.throughSeq())) {
                return update.executeUpdate() == 1;
            }
        });
    }

    @Override
    public CompletableFuture<ConversationPage> list(String tenant, int limit, Optional<ConversationId> after) {
        return read(status -> {
            Connection c = status.getConnection();
            PreparedStatement query;
            if (after.isPresent()) {
                OffsetDateTime cursorTime;
                try (PreparedStatement cursor = prepare(c, "SELECT updated_at FROM conversation WHERE tenant = ? AND id = ?",
                        tenant, after.get().value()); ResultSet rows = cursor.executeQuery()) {
                    if (!rows.next()) {
                        throw new UnknownConversationException(after.get());
                    }
                    cursorTime = rows.getObject(1, OffsetDateTime.class);
                }
                query = prepare(c, "SELECT " + CONVERSATION_COLUMNS + " FROM conversation WHERE tenant = ? "
                                + "AND (updated_at < ? OR (updated_at = ? AND id < ?)) ORDER BY updated_at DESC, id DESC LIMIT ?",
                        tenant, cursorTime, cursorTime, after.get().value(), limit + 1);
            } else {
                query = prepare(c, "SELECT " + CONVERSATION_COLUMNS + " FROM conversation WHERE tenant = ? "
                        + "ORDER BY updated_at DESC, id DESC LIMIT ?", tenant, limit + 1);
            }
            List<Conversation> found = new ArrayList<>();
            try (query; ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    found.add(conversationOf(rows));
                }
            }
            boolean more = found.size() > limit;
            return new ConversationPage(more ? found.subList(0, limit) : found, more);
        });
    }

    @Override
    public CompletableFuture<Optional<ConversationTranscript>> read(String tenant, ConversationId id) {
        return read(status -> {
            Connection c = status.getConnection();
            Optional<ConversationRow> row = conversation(c, tenant, id);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            List<StoredTurn> turns = withCitations(c, tenant, id, turns(c, tenant, id, "1 = 1 ORDER BY seq", List.of()), 1);
            return Optional.of(new ConversationTranscript(row.get().conversation(), row.get().summary(), turns));
        });
    }

    @Override
    public CompletableFuture<Optional<Conversation>> rename(String tenant, ConversationId id, String title, Instant at) {
        return write(status -> {
            Connection c = status.getConnection();
            try (PreparedStatement update = prepare(c, "UPDATE conversation SET title = ?, updated_at = ? WHERE tenant = ? AND id = ?",
                    title, timestamp(at), tenant, id.value())) {
                if (update.executeUpdate() == 0) {
                    return Optional.empty();
                }
            }
            return conversation(c, tenant, id).map(ConversationRow::conversation);
        });
    }

    @Override
    public CompletableFuture<Boolean> delete(String tenant, ConversationId id) {
        return write(status -> {
            try (PreparedStatement delete = prepare(status.getConnection(), "DELETE FROM conversation WHERE tenant = ? AND id = ?",
                    tenant, id.value())) {
                return delete.executeUpdate() == 1;
            }
        });
    }

    private record ConversationRow(Conversation conversation, Optional<RunningSummary> summary) {
    }

    private Optional<ConversationRow> conversation(Connection c, String tenant, ConversationId id) throws SQLException {
        try (PreparedStatement query = prepare(c, "SELECT " + CONVERSATION_COLUMNS + ", summary, summary_through FROM conversation "
                + "WHERE tenant = ? AND id = ?", tenant, id.value()); ResultSet rows = query.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            String summary = rows.getString("summary");
            int through = rows.getInt("summary_through");
            Optional<RunningSummary> running = summary == null || summary.isBlank() || through < 1
                    ? Optional.empty() : Optional.of(new RunningSummary(summary, through));
            return Optional.of(new ConversationRow(conversationOf(rows), running));
        }
    }

    private static Conversation conversationOf(ResultSet rows) throws SQLException {
        return new Conversation(new ConversationId(rows.getString("id")), rows.getString("tenant"), rows.getString("title"),
                rows.getInt("turn_count"), instant(rows, "created_at"), instant(rows, "updated_at"));
    }

    /** Turns of one conversation matching {@code condition} (SQL after the tenant and conversation filter). */
    private List<StoredTurn> turns(Connection c, String tenant, ConversationId id, String condition, List<Object> parameters) throws SQLException {
        List<Object> all = new ArrayList<>(List.of(tenant, id.value()));
        all.addAll(parameters);
        List<StoredTurn> turns = new ArrayList<>();
        try (PreparedStatement query = prepare(c, "SELECT " + TURN_COLUMNS + " FROM conversation_turn WHERE tenant = ? "
                + "AND conversation_id = ? AND " + condition, all.toArray()); ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                Role role = Role.fromWire(rows.getString("role")).orElseThrow();
                String finish = rows.getString("finish_reason");
                ChatMessage message = MessageDetail.read(role, rows.getString("content"), rows.getString("reasoning"),
                        rows.getString("message_detail"));
                turns.add(new StoredTurn(rows.getInt("seq"), new Turn(message, rows.getString("model"), rows.getString("backend"),
                        new TokenUsage(rows.getInt("prompt_tokens"), rows.getInt("completion_tokens")), List.of(),
                        Optional.ofNullable(finish).map(JdbcConversationStore::finishReason), instant(rows, "created_at"))));
            }
        }
        return turns;
    }

    private static FinishReason finishReason(String wire) {
        return FinishReason.fromWire(wire);
    }

    /** Adds the stored citations of assistant turns with {@code seq >= fromSeq}. */
    private List<StoredTurn> withCitations(Connection c, String tenant, ConversationId id, List<StoredTurn> turns, int fromSeq) throws SQLException {
        if (turns.isEmpty()) {
            return turns;
        }
        Map<Integer, List<Citation>> bySeq = new HashMap<>();
        try (PreparedStatement query = prepare(c, "SELECT seq, citation_number, title, url, published, snippet, source "
                + "FROM conversation_citation WHERE tenant = ? AND conversation_id = ? AND seq >= ? ORDER BY seq, citation_number",
                tenant, id.value(), fromSeq); ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                bySeq.computeIfAbsent(rows.getInt("seq"), k -> new ArrayList<>()).add(new Citation(rows.getInt("citation_number"),
                        rows.getString("title"), rows.getString("url"), rows.getString("published"), rows.getString("snippet"),
                        rows.getString("source")));
            }
        }
        if (bySeq.isEmpty()) {
            return turns;
        }
        List<StoredTurn> result = new ArrayList<>(turns.size());
        for (StoredTurn s : turns) {
            List<Citation> citations = bySeq.get(s.seq());
            Turn t = s.turn();
            result.add(citations == null ? s : new StoredTurn(s.seq(), t.withCitations(citations)));
        }
        return result;
    }
}
