package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.out.TenantDirectoryStore;
import ai.meridian.domain.tenancy.ApiKey;
import ai.meridian.domain.tenancy.KeyHash;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.KeyStatus;
import ai.meridian.domain.tenancy.Role;
import ai.meridian.domain.tenancy.Tenant;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Tenants and keys (migration V3). A write locks and raises the single directory revision row first, in the
 * write's own transaction: writes are serialised (they are rare) and every row carries the revision that wrote
 * it, so {@link #changesSince} never misses a committed change.
 */
public final class JdbcTenantDirectory implements TenantDirectoryStore {
    private static final String TENANT_COLUMNS = "id, name, enabled, cors_origins, created_at, updated_at, revision";
    private static final String KEY_COLUMNS = "id, tenant, name, role, allowed_models, allowed_knowledge_bases, requests_per_minute, "
            + "tokens_per_minute, daily_tokens, monthly_tokens, expires_at, status, salt, hash, previous_salt, previous_hash, "
            + "previous_valid_until, created_at, updated_at, revision";

    private final JdbcRunner runner;

    JdbcTenantDirectory(JdbcRunner shared) {
        this.runner = shared.translatingWith(e -> StoreUnavailable.translate("key directory", e));
    }

    @Override
    public CompletableFuture<DirectoryChanges> changesSince(long revision) {
        return runner.read(status -> {
            Connection c = status.getConnection();
            long current;
            try (PreparedStatement q = runner.prepare(c, "SELECT revision FROM directory_revision WHERE id = 1"); ResultSet rows = q.executeQuery()) {
                rows.next();
                current = rows.getLong(1);
            }
            if (current <= revision) {
                return new DirectoryChanges(current, List.of(), List.of());
            }
            long seen = current;
            List<Tenant> tenants = new ArrayList<>();
            try (PreparedStatement q = runner.prepare(c, "SELECT " + TENANT_COLUMNS + " FROM tenant WHERE revision > ?", revision);
                 ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    tenants.add(tenant(rows));
                    seen = Math.max(seen, rows.getLong("revision"));
                }
            }
            List<ApiKey> keys = new ArrayList<>();
            try (PreparedStatement q = runner.prepare(c, "SELECT " + KEY_COLUMNS + " FROM api_key WHERE revision > ?", revision);
                 ResultSet rows = q.executeQuery()) {
                while (rows.next()) {
                    keys.add(key(rows));
                    seen = Math.max(seen, rows.getLong("revision"));
                }
            }
            return new DirectoryChanges(seen, tenants, keys);
        });
    }

    /** Raises the directory revision (locking its row until commit) and returns the new value. */
    private long nextRevision(Connection c) throws SQLException {
        try (PreparedStatement u = runner.prepare(c, "UPDATE directory_revision SET revision = revision + 1 WHERE id = 1")) {
            u.executeUpdate();
        }
        try (PreparedStatement q = runner.prepare(c, "SELECT revision FROM directory_revision WHERE id = 1"); ResultSet rows = q.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Override
    public CompletableFuture<Boolean> createTenant(Tenant t) {
        return runner.write(status -> {
            Connection c = status.getConnection();
            long revision = nextRevision(c);
            if (exists(c, "SELECT 1 FROM tenant WHERE id = ?", t.id())) {
                return false;
            }
            try (PreparedStatement insert = runner.prepare(c, "INSERT INTO tenant (" + TENANT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)",
                    t.id(), t.name(), t.enabled(), join(t.corsOrigins()), JdbcRunner.timestamp(t.createdAt()),
                    JdbcRunner.timestamp(t.updatedAt()), revision)) {
                insert.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public CompletableFuture<Boolean> updateTenant(Tenant t) {
        return runner.write(status -> {
            Connection c = status.getConnection();
            long revision = nextRevision(c);
            try (PreparedStatement update = runner.prepare(c, "UPDATE tenant SET name = ?, enabled = ?, cors_origins = ?, updated_at = ?, "
                    + "revision = ? WHERE id = ?", t.name(), t.enabled(), join(t.corsOrigins()), JdbcRunner.timestamp(t.updatedAt()),
                    revision, t.id())) {
                return update.executeUpdate() == 1;
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> createKey(ApiKey k) {
        return runner.write(status -> {
            Connection c = status.getConnection();
            long revision = nextRevision(c);
            if (exists(c, "SELECT 1 FROM api_key WHERE id = ?", k.id())) {
                return false;
            }
            try (PreparedStatement insert = runner.prepare(c, "INSERT INTO api_key (" + KEY_COLUMNS + ") VALUES "
                    + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", keyValues(k, revision))) {
                insert.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public CompletableFuture<Boolean> updateKey(ApiKey k) {
        return runner.write(status -> {
            Connection c = status.getConnection();
            long revision = nextRevision(c);
            Object[] values = keyValues(k, revision);
            // every column but id and tenant (which never change), then the key to find the row by
            Object[] parameters = new Object[values.length];
            System.arraycopy(values, 2, parameters, 0, values.length - 2);
            parameters[values.length - 2] = k.id();
            parameters[values.length - 1] = k.tenant();
            try (PreparedStatement update = runner.prepare(c, "UPDATE api_key SET name = ?, role = ?, allowed_models = ?, "
                    + "allowed_knowledge_bases = ?, requests_per_minute = ?, tokens_per_minute = ?, daily_tokens = ?, monthly_tokens = ?, "
                    + "expires_at = ?, status = ?, salt = ?, hash = ?, previous_salt = ?, previous_hash = ?, previous_valid_until = ?, "
                    + "created_at = ?, updated_at = ?, revision = ? WHERE id = ? AND tenant = ?", parameters)) {
                return update.executeUpdate() == 1;
            }
        });
    }

    private static Object[] keyValues(ApiKey k, long revision) {
        KeyLimits l = k.limits();
        return new Object[] {k.id(), k.tenant(), k.name(), k.role().wireName(), join(k.allowedModels()), join(k.allowedKnowledgeBases()),
                l.requestsPerMinute(), l.tokensPerMinute(), l.dailyTokens(), l.monthlyTokens(),
                k.expiresAt().map(JdbcRunner::timestamp).orElse(null), k.status().wireName(), k.hash().salt(), k.hash().hash(),
                k.previousHash().map(KeyHash::salt).orElse(null), k.previousHash().map(KeyHash::hash).orElse(null),
                k.previousValidUntil().map(JdbcRunner::timestamp).orElse(null), JdbcRunner.timestamp(k.createdAt()),
                JdbcRunner.timestamp(k.updatedAt()), revision};
    }

    private boolean exists(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement q = runner.prepare(c, sql, parameters); ResultSet rows = q.executeQuery()) {
            return rows.next();
        }
    }

    private static Tenant tenant(ResultSet rows) throws SQLException {
        return new Tenant(rows.getString("id"), rows.getString("name"), rows.getBoolean("enabled"), split(rows.getString("cors_origins")),
                JdbcRunner.instant(rows, "created_at"), JdbcRunner.instant(rows, "updated_at"));
    }

    private static ApiKey key(ResultSet rows) throws SQLException {
        String previousSalt = rows.getString("previous_salt");
        String previousHash = rows.getString("previous_hash");
        return new ApiKey(rows.getString("id"), rows.getString("tenant"), rows.getString("name"),
                Role.fromWire(rows.getString("role")).orElseThrow(), split(rows.getString("allowed_models")),
                split(rows.getString("allowed_knowledge_bases")),
                new KeyLimits(nullableLong(rows, "requests_per_minute"), nullableLong(rows, "tokens_per_minute"),
                        nullableLong(rows, "daily_tokens"), nullableLong(rows, "monthly_tokens")),
                optionalInstant(rows, "expires_at"), KeyStatus.valueOf(rows.getString("status").toUpperCase(Locale.ROOT)),
                new KeyHash(rows.getString("salt"), rows.getString("hash")),
                previousSalt == null || previousHash == null ? Optional.empty() : Optional.of(new KeyHash(previousSalt, previousHash)),
                optionalInstant(rows, "previous_valid_until"), JdbcRunner.instant(rows, "created_at"), JdbcRunner.instant(rows, "updated_at"));
    }

    private static Long nullableLong(ResultSet rows, String column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? null : value;
    }

    private static Optional<Instant> optionalInstant(ResultSet rows, String column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? Optional.empty() : Optional.of(value.toInstant());
    }

    /** Lists are stored one entry a line: no model id, knowledge-base name or origin has a line break. */
    private static String join(List<String> values) {
        return String.join("\n", values);
    }

    private static List<String> split(String stored) {
        return stored == null || stored.isEmpty() ? List.of() : Arrays.asList(stored.split("\n"));
    }
}
