package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditPage;
import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditQuery;
import ai.meridian.application.port.out.AuditLogStore;
import ai.meridian.domain.audit.AuditEntry;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** The audit log (migration V4): batches appended in one transaction, read newest first by id. */
public final class JdbcAuditLog implements AuditLogStore {
    private static final String COLUMNS = "occurred_at, tenant, actor, action, target, outcome, client_address, request_id, detail";

    private final JdbcRunner runner;

    JdbcAuditLog(JdbcRunner shared) {
        this.runner = shared.translatingWith(e -> StoreUnavailable.translate("audit log", e));
    }

    @Override
    public CompletableFuture<Void> append(List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return runner.write(status -> {
            try (PreparedStatement insert = runner.prepare(status.getConnection(), "INSERT INTO audit_log (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (AuditEntry e : entries) {
                    Object[] values = {JdbcRunner.timestamp(e.at()), e.tenant(), e.actor(), e.action(), e.target(), e.outcome(),
                            e.clientAddress(), e.requestId(), e.detail()};
                    for (int i = 0; i < values.length; i++) {
                        insert.setObject(i + 1, values[i]);
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<AuditPage> query(AuditQuery query) {
        return runner.read(status -> {
            StringBuilder sql = new StringBuilder("SELECT id, " + COLUMNS + " FROM audit_log WHERE 1 = 1");
            List<Object> parameters = new ArrayList<>();
            equal(sql, parameters, "tenant", query.tenant());
            equal(sql, parameters, "actor", query.actor());
            equal(sql, parameters, "action", query.action());
            query.from().ifPresent(from -> {
                sql.append(" AND occurred_at >= ?");
                parameters.add(JdbcRunner.timestamp(from));
            });
            query.to().ifPresent(to -> {
                sql.append(" AND occurred_at < ?");
                parameters.add(JdbcRunner.timestamp(to));
            });
            if (query.before().isPresent()) {
                sql.append(" AND id < ?");
                parameters.add(query.before().getAsLong());
            }
            sql.append(" ORDER BY id DESC LIMIT ?");
            parameters.add(query.limit() + 1);
            List<AuditEntry> entries = new ArrayList<>();
            try (PreparedStatement q = runner.prepare(status.getConnection(), sql.toString(), parameters.toArray());
                 ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    entries.add(entry(rows));
                }
            }
            boolean more = entries.size() > query.limit();
            List<AuditEntry> page = more ? entries.subList(0, query.limit()) : entries;
            return new AuditPage(page, more ? OptionalLong.of(page.get(page.size() - 1).id()) : OptionalLong.empty());
        });
    }

    private static void equal(StringBuilder sql, List<Object> parameters, String column, Optional<String> value) {
        value.ifPresent(v -> {
            sql.append(" AND ").append(column).append(" = ?");
            parameters.add(v);
        });
    }

    private static AuditEntry entry(ResultSet rows) throws SQLException {
        return new AuditEntry(rows.getLong("id"), JdbcRunner.instant(rows, "occurred_at"), rows.getString("tenant"), rows.getString("actor"),
                rows.getString("action"), rows.getString("target"), rows.getString("outcome"), rows.getString("client_address"),
                rows.getString("request_id"), rows.getString("detail"));
    }
}
