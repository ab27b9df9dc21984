package ai.meridian.application.port.out;

import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditPage;
import ai.meridian.application.port.in.ReadAuditLogUseCase.AuditQuery;
import ai.meridian.domain.audit.AuditEntry;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The audit log in the database: appended to, never changed. */
public interface AuditLogStore {

    CompletableFuture<Void> append(List<AuditEntry> entries);

    CompletableFuture<AuditPage> query(AuditQuery query);
}
