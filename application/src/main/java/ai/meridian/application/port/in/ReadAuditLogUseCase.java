package ai.meridian.application.port.in;

import ai.meridian.domain.audit.AuditEntry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * An operator or a tenant's admin wants to see who did what, when and from where: admin actions and refused
 * credentials, newest first. A tenant's admin sees its own tenant's entries only.
 */
public interface ReadAuditLogUseCase {

    CompletableFuture<AuditPage> audit(CallerContext caller, AuditQuery query);

    record AuditQuery(Optional<String> tenant, Optional<String> actor, Optional<String> action, Optional<Instant> from,
                      Optional<Instant> to, int limit, OptionalLong before) {
        public static final int MAX_LIMIT = 1000;

        public AuditQuery {
            tenant = tenant == null ? Optional.empty() : tenant;
            actor = actor == null ? Optional.empty() : actor;
            action = action == null ? Optional.empty() : action;
            from = from == null ? Optional.empty() : from;
            to = to == null ? Optional.empty() : to;
            before = before == null ? OptionalLong.empty() : before;
        }
    }

    /** Entries newest first; {@code next} is the {@code before} of the next page. */
    record AuditPage(List<AuditEntry> entries, OptionalLong next) {
        public AuditPage {
            entries = List.copyOf(entries);
        }
    }
}
