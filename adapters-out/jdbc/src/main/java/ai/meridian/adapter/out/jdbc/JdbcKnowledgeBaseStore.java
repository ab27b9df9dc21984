package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.JobStatus;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import ai.meridian.domain.knowledge.MetadataCodec;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The knowledge-base catalog in the same database as conversations (tables from migration V2). An outage
 * is a 503 for the caller; deleting a base cascades to its documents and jobs.
 */
public final class JdbcKnowledgeBaseStore implements KnowledgeBaseStore {
    /** Job errors are stored joined by the ASCII record separator, which no error message contains. */
    private static final String ERROR_SEPARATOR = "\u001e";

    private final JdbcRunner runner;

    public JdbcKnowledgeBaseStore(TransactionOperations<Connection> transactions, Executor executor, int queryTimeoutSeconds) {
        this.runner = new JdbcRunner(transactions, executor, queryTimeoutSeconds, JdbcKnowledgeBaseStore::translate);
    }

    /** On the connections and threads of another store (the conversation store's), with this store's failures. */
    JdbcKnowledgeBaseStore(JdbcRunner shared) {
        this.runner = shared.translatingWith(JdbcKnowledgeBaseStore::translate);
    }

    private static RuntimeException translate(Throwable error) {
        RuntimeException translated = SqlFailures.translate(error);
        if (translated instanceof ConversationStoreUnavailableException) {
            return new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE,
                    "The knowledge-base catalog is unavailable; please retry.", null, null, Duration.ofSeconds(2)), translated);
        }
        return translated;
    }

    @Override
    public CompletableFuture<Boolean> createBase(KnowledgeBase base) {
        return runner.write(status -> {
            Connection c = status.getConnection();
            if (exists(c, "SELECT 1 FROM knowledge_base WHERE tenant = ? AND name = ?", base.tenant(), base.name())) {
                return false;
            }
            try (PreparedStatement insert = runner.prepare(c, "INSERT INTO knowledge_base (tenant, name, description, created_at) VALUES (?, ?, ?, ?)",
                    base.tenant(), base.name(), base.description(), JdbcRunner.timestamp(base.createdAt()))) {
                insert.executeUpdate();
            }
            return true;
        }).exceptionally(error -> {
            // Two creations of one name at once: the loser's insert hits the primary key (its transaction rolled back).
            if (duplicateKey(error)) {
                return false;
            }
            throw error instanceof java.util.concurrent.CompletionException completion ? completion
                    : new java.util.concurrent.CompletionException(error);
        });
    }

    private static boolean duplicateKey(Throwable error) {
        for (Throwable cause = error; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public CompletableFuture<Optional<KnowledgeBase>> findBase(String tenant, String name) {
        return runner.read(status -> {
            List<KnowledgeBase> found = bases(status.getConnection(), "WHERE tenant = ? AND name = ?", tenant, name);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        });
    }

    @Override
    public CompletableFuture<List<KnowledgeBase>> listBases(String tenant) {
        return runner.read(status -> bases(status.getConnection(), "WHERE tenant = ? ORDER BY name", tenant));
    }

    private List<KnowledgeBase> bases(Connection c, String where, Object... parameters) throws SQLException {
        List<KnowledgeBase> bases = new ArrayList<>();
        try (PreparedStatement select = runner.prepare(c, "SELECT tenant, name, description, created_at FROM knowledge_base " + where, parameters);
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                bases.add(new KnowledgeBase(rows.getString("tenant"), rows.getString("name"), rows.getString("description"),
                        JdbcRunner.instant(rows, "created_at")));
            }
        }
        return bases;
    }

    @Override
    public CompletableFuture<Boolean> deleteBase(String tenant, String name) {
        return runner.write(status -> {
            try (PreparedStatement delete = runner.prepare(status.getConnection(), "DELETE FROM knowledge_base WHERE tenant = ? AND name = ?",
                    tenant, name)) {
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public CompletableFuture<Void> saveDocument(KnowledgeDocument d) {
        return runner.write(status -> {
            try (PreparedStatement insert = runner.prepare(status.getConnection(), "INSERT INTO knowledge_document (tenant, knowledge_base, "
                    + "document_id, title, source, content_type, chunks, created_at, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    d.tenant(), d.knowledgeBase(), d.documentId(), d.title(), d.source(), d.contentType(), d.chunks(),
                    JdbcRunner.timestamp(d.createdAt()), MetadataCodec.encode(d.metadata()))) {
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<List<KnowledgeDocument>> listDocuments(String tenant, String knowledgeBase) {
        return runner.read(status -> {
            List<KnowledgeDocument> documents = new ArrayList<>();
            try (PreparedStatement select = runner.prepare(status.getConnection(), "SELECT document_id, title, source, content_type, chunks, "
                    + "created_at, metadata FROM knowledge_document WHERE tenant = ? AND knowledge_base = ? ORDER BY created_at, document_id",
                    tenant, knowledgeBase);
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    documents.add(new KnowledgeDocument(tenant, knowledgeBase, rows.getString("document_id"), rows.getString("title"),
                            rows.getString("source"), rows.getString("content_type"), rows.getInt("chunks"),
                            JdbcRunner.instant(rows, "created_at"), MetadataCodec.decode(rows.getString("metadata"))));
                }
            }
            return documents;
        });
    }

    @Override
    public CompletableFuture<Boolean> deleteDocument(String tenant, String knowledgeBase, String documentId) {
        return runner.write(status -> {
            try (PreparedStatement delete = runner.prepare(status.getConnection(),
                    "DELETE FROM knowledge_document WHERE tenant = ? AND knowledge_base = ? AND document_id = ?", tenant, knowledgeBase, documentId)) {
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public CompletableFuture<Void> saveJob(IngestionJob job) {
        return runner.write(status -> {
            Connection c = status.getConnection();
            String errors = String.join(ERROR_SEPARATOR, job.errors());
            int updated;
            try (PreparedStatement update = runner.prepare(c, "UPDATE ingestion_job SET status = ?, documents_total = ?, documents_done = ?, "
                    + "documents_failed = ?, chunks_total = ?, chunks_done = ?, errors = ?, updated_at = ? WHERE tenant = ? AND id = ?",
                    job.status().wireName(), job.documentsTotal(), job.documentsDone(), job.documentsFailed(), job.chunksTotal(),
                    job.chunksDone(), errors, JdbcRunner.timestamp(job.updatedAt()), job.tenant(), job.id())) {
                updated = update.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement insert = runner.prepare(c, "INSERT INTO ingestion_job (tenant, id, knowledge_base, status, "
                        + "documents_total, documents_done, documents_failed, chunks_total, chunks_done, errors, created_at, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        job.tenant(), job.id(), job.knowledgeBase(), job.status().wireName(), job.documentsTotal(), job.documentsDone(),
                        job.documentsFailed(), job.chunksTotal(), job.chunksDone(), errors, JdbcRunner.timestamp(job.createdAt()),
                        JdbcRunner.timestamp(job.updatedAt()))) {
                    insert.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Optional<IngestionJob>> findJob(String tenant, String jobId) {
        return runner.read(status -> {
            try (PreparedStatement select = runner.prepare(status.getConnection(), "SELECT knowledge_base, status, documents_total, "
                    + "documents_done, documents_failed, chunks_total, chunks_done, errors, created_at, updated_at FROM ingestion_job "
                    + "WHERE tenant = ? AND id = ?", tenant, jobId);
                 ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(job(rows, tenant, jobId));
            }
        });
    }

    @Override
    public CompletableFuture<List<IngestionJob>> staleJobs(Instant updatedBefore) {
        return runner.read(status -> {
            List<IngestionJob> stale = new ArrayList<>();
            try (PreparedStatement select = runner.prepare(status.getConnection(), "SELECT tenant, id, knowledge_base, status, "
                    + "documents_total, documents_done, documents_failed, chunks_total, chunks_done, errors, created_at, updated_at "
                    + "FROM ingestion_job WHERE status IN ('queued', 'running') AND updated_at < ? ORDER BY updated_at LIMIT 1000",
                    JdbcRunner.timestamp(updatedBefore));
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    stale.add(job(rows, rows.getString("tenant"), rows.getString("id")));
                }
            }
            return stale;
        });
    }

    private static IngestionJob job(ResultSet rows, String tenant, String jobId) throws SQLException {
        String errors = rows.getString("errors");
        return new IngestionJob(jobId, tenant, rows.getString("knowledge_base"),
                JobStatus.valueOf(rows.getString("status").toUpperCase(Locale.ROOT)), rows.getInt("documents_total"),
                rows.getInt("documents_done"), rows.getInt("documents_failed"), rows.getInt("chunks_total"), rows.getInt("chunks_done"),
                errors.isEmpty() ? List.of() : Arrays.asList(errors.split(ERROR_SEPARATOR, -1)),
                JdbcRunner.instant(rows, "created_at"), JdbcRunner.instant(rows, "updated_at"));
    }

    private boolean exists(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement select = runner.prepare(c, sql, parameters); ResultSet rows = select.executeQuery()) {
            return rows.next();
        }
    }
}
