package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ReadUsageUseCase;
import ai.meridian.application.port.out.UsageLedgerStore;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Action;
import ai.meridian.domain.usage.UsageRecord;
import ai.meridian.domain.usage.UsageRecord.UsageKey;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The usage ledger: requests add to lines in memory (a map merge on the request path), and the lines are
 * added to the database's in one batch every flush interval and at shutdown, never a write per request. A
 * batch that fails stays in memory for the next flush. Reading flushes first, so an admin sees this replica's
 * latest usage.
 */
public final class UsageLedger implements ReadUsageUseCase {
    private static final System.Logger LOG = System.getLogger(UsageLedger.class.getName());

    private final UsageLedgerStore store;
    private final ConcurrentHashMap<UsageKey, UsageRecord> pending = new ConcurrentHashMap<>();
    private volatile boolean failing;

    public UsageLedger(UsageLedgerStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    public void record(UsageRecord record) {
        pending.merge(record.key(), record, UsageRecord::plus);
    }

    /** Adds what is pending to the database; lines of a failed batch go back to pending. */
    public CompletableFuture<Void> flush() {
        List<UsageRecord> batch = new ArrayList<>();
        for (UsageKey key : pending.keySet()) {
            UsageRecord taken = pending.remove(key);
            if (taken != null) {
                batch.add(taken);
            }
        }
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.add(batch).whenComplete((ok, error) -> {
            if (error != null) {
                batch.forEach(this::record);
                if (!failing) {
                    failing = true;
                    LOG.log(Level.WARNING, "could not write {0} usage lines; kept in memory for the next flush: {1}", batch.size(), error.getMessage());
                }
            } else if (failing) {
                failing = false;
                LOG.log(Level.INFO, "usage lines are written again");
            }
        });
    }

    public void flushPeriodically(ScheduledExecutorService scheduler, Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> flush().exceptionally(e -> null), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<UsagePage> usage(CallerContext caller, UsageQuery query) {
        try {
            AccessDenied.require(caller, Action.ADMINISTER);
            if (query.limit() < 1 || query.limit() > UsageQuery.MAX_LIMIT) {
                throw GatewayException.invalid("limit", "Invalid 'limit': expected an integer from 1 to " + UsageQuery.MAX_LIMIT + ".");
            }
            if (query.to().isBefore(query.from())) {
                throw GatewayException.invalid("to", "Invalid 'to': it is before 'from'.");
            }
            UsageQuery scoped = query;
            if (!caller.access().operator()) {
                if (query.tenant().isPresent() && !query.tenant().get().equals(caller.tenant())) {
                    throw AccessDenied.notFound("The tenant '" + query.tenant().get() + "' does not exist.");
                }
                scoped = new UsageQuery(Optional.of(caller.tenant()), query.keyId(), query.model(), query.backend(), query.from(),
                        query.to(), query.limit(), query.after());
            }
            UsageQuery finalQuery = scoped;
            return flush().exceptionally(e -> null).thenCompose(v -> store.query(finalQuery));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
