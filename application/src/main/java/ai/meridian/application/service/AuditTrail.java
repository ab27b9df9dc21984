package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ReadAuditLogUseCase;
import ai.meridian.application.port.out.AuditLogStore;
import ai.meridian.domain.audit.AuditEntry;
import ai.meridian.domain.tenancy.Action;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The audit log. Admin actions are written before the action is reported done; refused credentials, which
 * anyone can cause at any rate, are queued (bounded: beyond it they are counted, not stored) and written in
 * batches, so a flood of bad keys never becomes a flood of database writes on the request path.
 */
public final class AuditTrail implements ReadAuditLogUseCase {
    private static final System.Logger LOG = System.getLogger(AuditTrail.class.getName());

    private final AuditLogStore store;
    private final Clock clock;
    private final int maxQueued;
    private final ConcurrentLinkedQueue<AuditEntry> queued = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedCount = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    public AuditTrail(AuditLogStore store, Clock clock, int maxQueued) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxQueued = maxQueued;
    }

    /** Writes an admin action now; the action is reported done only once this has. */
    public CompletableFuture<Void> record(CallerContext caller, String tenant, String action, String target, String outcome, String detail) {
        return store.append(List.of(entry(caller, tenant, action, target, outcome, detail)));
    }

    /** Queues an entry for the next batch (refused credentials, denied admin calls). */
    public void recordLater(AuditEntry entry) {
        if (queuedCount.incrementAndGet() > maxQueued) {
            queuedCount.decrementAndGet();
            if (dropped.getAndIncrement() == 0) {
                LOG.log(Level.WARNING, "audit queue full ({0} entries): further refused-credential entries are counted, not stored", maxQueued);
            }
            return;
        }
        queued.add(entry);
    }

    public void recordLater(CallerContext caller, String tenant, String action, String target, String outcome, String detail) {
        recordLater(entry(caller, tenant, action, target, outcome, detail));
    }

    public AuditEntry entry(CallerContext caller, String tenant, String action, String target, String outcome, String detail) {
        return new AuditEntry(0, clock.instant(), tenant, caller.keyId(), action, target, outcome, caller.clientAddress(),
                caller.requestId(), detail);
    }

    /** Entries that could not be queued because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Writes what is queued (one batch); entries of a failed batch are queued again. */
    public CompletableFuture<Void> flush() {
        List<AuditEntry> batch = new ArrayList<>();
        AuditEntry next;
        while (batch.size() < 1000 && (next = queued.poll()) != null) {
            queuedCount.decrementAndGet();
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.append(batch).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.log(Level.WARNING, "could not write {0} audit entries; will retry: {1}", batch.size(), error.getMessage());
                batch.forEach(this::recordLater);
            }
        });
    }

    public void flushPeriodically(ScheduledExecutorService scheduler, Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> flush().exceptionally(e -> null), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<AuditPage> audit(CallerContext caller, AuditQuery query) {
        try {
            AccessDenied.require(caller, Action.ADMINISTER);
            if (query.limit() < 1 || query.limit() > AuditQuery.MAX_LIMIT) {
                throw ai.meridian.domain.error.GatewayException.invalid("limit", "Invalid 'limit': expected an integer from 1 to "
                        + AuditQuery.MAX_LIMIT + ".");
            }
            AuditQuery scoped = query;
            if (!caller.access().operator()) {
                if (query.tenant().isPresent() && !query.tenant().get().equals(caller.tenant())) {
                    throw AccessDenied.notFound("The tenant '" + query.tenant().get() + "' does not exist.");
                }
                scoped = new AuditQuery(Optional.of(caller.tenant()), query.actor(), query.action(), query.from(), query.to(),
                        query.limit(), query.before());
            }
            AuditQuery finalQuery = scoped;
            return flush().exceptionally(e -> null).thenCompose(v -> store.query(finalQuery));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
