package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.in.ReadUsageUseCase.UsagePage;
import ai.meridian.application.port.in.ReadUsageUseCase.UsageQuery;
import ai.meridian.application.port.out.UsageLedgerStore;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.usage.UsageRecord;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The usage ledger (migration V4). A batch adds to its lines in one transaction: on PostgreSQL with
 * {@code INSERT ... ON CONFLICT DO UPDATE} (replicas adding to the same line at once both count); elsewhere (H2,
 * one process) by update, then insert where there was no line. Pages are keyset-paged in key order.
 */
public final class JdbcUsageLedger implements UsageLedgerStore {
    private static final String KEY = "usage_day, tenant, key_id, model, backend";
    private static final String COLUMNS = KEY + ", requests, input_tokens, output_tokens, cached_tokens";

    private final JdbcRunner runner;
    private volatile Boolean postgres;

    JdbcUsageLedger(JdbcRunner shared) {
        this.runner = shared.translatingWith(e -> StoreUnavailable.translate("usage ledger", e));
    }

    private boolean postgres(Connection c) throws SQLException {
        Boolean known = postgres;
        if (known == null) {
            known = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
            postgres = known;
        }
        return known;
    }

    @Override
    public CompletableFuture<Void> add(List<UsageRecord> records) {
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return runner.write(status -> {
            Connection c = status.getConnection();
            if (postgres(c)) {
                try (PreparedStatement upsert = runner.prepare(c, "INSERT INTO usage_daily (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (" + KEY + ") DO UPDATE SET requests = usage_daily.requests + EXCLUDED.requests, "
                        + "input_tokens = usage_daily.input_tokens + EXCLUDED.input_tokens, "
                        + "output_tokens = usage_daily.output_tokens + EXCLUDED.output_tokens, "
                        + "cached_tokens = usage_daily.cached_tokens + EXCLUDED.cached_tokens")) {
                    for (UsageRecord r : records) {
                        bind(upsert, r);
                        upsert.addBatch();
                    }
                    upsert.executeBatch();
                }
                return null;
            }
            for (UsageRecord r : records) {
                int updated;
                try (PreparedStatement update = runner.prepare(c, "UPDATE usage_daily SET requests = requests + ?, input_tokens = input_tokens + ?, "
                        + "output_tokens = output_tokens + ?, cached_tokens = cached_tokens + ? WHERE usage_day = ? AND tenant = ? AND key_id = ? "
                        + "AND model = ? AND backend = ?", r.requests(), r.inputTokens(), r.outputTokens(), r.cachedTokens(), r.day(),
                        r.tenant(), r.keyId(), r.model(), r.backend())) {
                    updated = update.executeUpdate();
                }
                if (updated == 0) {
                    try (PreparedStatement insert = runner.prepare(c, "INSERT INTO usage_daily (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                        bind(insert, r);
                        insert.executeUpdate();
                    }
                }
            }
            return null;
        });
    }

    private static void bind(PreparedStatement statement, UsageRecord r) throws SQLException {
        Object[] values = {r.day(), r.tenant(), r.keyId(), r.model(), r.backend(), r.requests(), r.inputTokens(), r.outputTokens(),
                r.cachedTokens()};
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
    }

    @Override
    public CompletableFuture<UsagePage> query(UsageQuery query) {
        Optional<String[]> cursor;
        try {
            cursor = query.after().map(JdbcUsageLedger::decode);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        return runner.read(status -> {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM usage_daily WHERE usage_day >= ? AND usage_day <= ?");
            List<Object> parameters = new ArrayList<>(List.of(query.from(), query.to()));
            filter(sql, parameters, "tenant", query.tenant());
            filter(sql, parameters, "key_id", query.keyId());
            filter(sql, parameters, "model", query.model());
            filter(sql, parameters, "backend", query.backend());
            if (cursor.isPresent()) {
                String[] k = cursor.get();
                LocalDate day = LocalDate.parse(k[0]);
                sql.append(" AND (usage_day > ? OR (usage_day = ? AND (tenant > ? OR (tenant = ? AND (key_id > ? OR (key_id = ? AND "
                        + "(model > ? OR (model = ? AND backend > ?))))))))");
                parameters.addAll(List.of(day, day, k[1], k[1], k[2], k[2], k[3], k[3], k[4]));
            }
            sql.append(" ORDER BY usage_day, tenant, key_id, model, backend LIMIT ?");
            parameters.add(query.limit() + 1);
            List<UsageRecord> lines = new ArrayList<>();
            try (PreparedStatement q = runner.prepare(status.getConnection(), sql.toString(), parameters.toArray());
                 ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    lines.add(new UsageRecord(rows.getObject("usage_day", LocalDate.class), rows.getString("tenant"), rows.getString("key_id"),
                            rows.getString("model"), rows.getString("backend"), rows.getLong("requests"), rows.getLong("input_tokens"),
                            rows.getLong("output_tokens"), rows.getLong("cached_tokens")));
                }
            }
            boolean more = lines.size() > query.limit();
            List<UsageRecord> page = more ? lines.subList(0, query.limit()) : lines;
            Optional<String> next = more ? Optional.of(encode(page.get(page.size() - 1))) : Optional.empty();
            return new UsagePage(page, next);
        });
    }

    private static void filter(StringBuilder sql, List<Object> parameters, String column, Optional<String> value) {
        value.ifPresent(v -> {
            sql.append(" AND ").append(column).append(" = ?");
            parameters.add(v);
        });
    }

    static String encode(UsageRecord last) {
        String joined = String.join("\u001f", last.day().toString(), last.tenant(), last.keyId(), last.model(), last.backend());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(joined.getBytes(StandardCharsets.UTF_8));
    }

    static String[] decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\u001f", -1);
            if (parts.length != 5) {
                throw new IllegalArgumentException("parts");
            }
            LocalDate.parse(parts[0]);
            return parts;
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw GatewayException.invalid("after", "Invalid 'after': not a cursor this endpoint gave out.");
        }
    }

    @Override
    public CompletableFuture<Map<String, SpentTokens>> spentSince(LocalDate day, LocalDate monthStart) {
        return runner.read(status -> {
            Map<String, SpentTokens> spent = new HashMap<>();
            try (PreparedStatement q = runner.prepare(status.getConnection(), "SELECT key_id, "
                    + "SUM(CASE WHEN usage_day = ? THEN input_tokens + output_tokens ELSE 0 END) AS spent_day, "
                    + "SUM(input_tokens + output_tokens) AS spent_month FROM usage_daily WHERE usage_day >= ? AND usage_day <= ? GROUP BY key_id",
                    day, monthStart, day); ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    spent.put(rows.getString("key_id"), new SpentTokens(rows.getLong("spent_day"), rows.getLong("spent_month")));
                }
            }
            return spent;
        });
    }
}
