package ai.meridian.application.port.in;

import ai.meridian.domain.usage.UsageRecord;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An operator or a tenant's admin wants to know who spent what: the usage ledger (requests, input, output and
 * cached tokens per tenant, key, model, backend and day), filtered and paged. A tenant's admin sees its own
 * tenant only. Lines still in memory (not yet flushed to the database) are included.
 */
public interface ReadUsageUseCase {

    CompletableFuture<UsagePage> usage(CallerContext caller, UsageQuery query);

    /** Filters (empty: any), a day range (inclusive), and a page: {@code limit} lines after the cursor {@code after}. */
    record UsageQuery(Optional<String> tenant, Optional<String> keyId, Optional<String> model, Optional<String> backend,
                      LocalDate from, LocalDate to, int limit, Optional<String> after) {
        public static final int MAX_LIMIT = 1000;

        public UsageQuery {
            tenant = tenant == null ? Optional.empty() : tenant;
            keyId = keyId == null ? Optional.empty() : keyId;
            model = model == null ? Optional.empty() : model;
            backend = backend == null ? Optional.empty() : backend;
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            after = after == null ? Optional.empty() : after;
        }
    }

    /** Lines in (day, tenant, key, model, backend) order, and the cursor of the next page if there is one. */
    record UsagePage(List<UsageRecord> lines, Optional<String> next) {
        public UsagePage {
            lines = List.copyOf(lines);
            next = next == null ? Optional.empty() : next;
        }
    }
}
