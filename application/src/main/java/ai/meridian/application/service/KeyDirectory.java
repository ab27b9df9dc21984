package ai.meridian.application.service;

import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.CheckOriginUseCase;
import ai.meridian.application.port.out.TenantDirectoryStore;
import ai.meridian.application.port.out.TenantDirectoryStore.DirectoryChanges;
import ai.meridian.domain.audit.AuditEntry;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.ApiKey;
import ai.meridian.domain.tenancy.KeySecret;
import ai.meridian.domain.tenancy.KeyStatus;
import ai.meridian.domain.tenancy.Tenant;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every tenant and key, held in memory and answered from there: authenticating a request is a map lookup and
 * one HMAC, never a database read, whatever key is presented (unknown ones included). The directory follows
 * the store by revision: {@link #refresh()} reads what changed since the revision it knows, which is called
 * every refresh interval (and at once after a change made here, or when another replica says it changed
 * something), so a revocation reaches every replica within the interval.
 *
 * <p>The master key acts for tenant {@code default} as the operator. Without a master key the gateway is open:
 * a caller without a Meridian key is the operator, a caller presenting one is checked like any other.
 */
public final class KeyDirectory implements AuthenticateCallerUseCase, CheckOriginUseCase {
    private static final System.Logger LOG = System.getLogger(KeyDirectory.class.getName());
    public static final String MASTER = "master";
    public static final String ANONYMOUS = "anonymous";

    private final TenantDirectoryStore store;
    private final byte[] masterKey;
    private final byte[] pepper;
    private final Clock clock;
    private final AuditTrail audit;
    private final boolean corsEnabled;
    private final List<String> corsOrigins;
    private volatile Snapshot snapshot = new Snapshot(0, Map.of(), Map.of());
    private CompletableFuture<Void> refreshing = CompletableFuture.completedFuture(null);
    private volatile boolean storeFailing;
    private volatile Optional<OidcCallers> oidc = Optional.empty();

    /** Directory state at one revision. Maps are never changed once published. */
    private record Snapshot(long revision, Map<String, Tenant> tenants, Map<String, ApiKey> keys) {
    }

    public KeyDirectory(TenantDirectoryStore store, String masterKey, byte[] pepper, Clock clock, AuditTrail audit,
                        boolean corsEnabled, List<String> corsOrigins) {
        this.store = Objects.requireNonNull(store, "store");
        this.masterKey = masterKey == null || masterKey.isBlank() ? null : masterKey.trim().getBytes(StandardCharsets.UTF_8);
        this.pepper = pepper == null ? new byte[0] : pepper.clone();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.corsEnabled = corsEnabled;
        this.corsOrigins = List.copyOf(corsOrigins);
    }

    /** Accepts identity-provider tokens too, mapped to tenants and roles by {@code callers}. */
    public KeyDirectory withOidc(OidcCallers callers) {
        this.oidc = Optional.of(callers);
        return this;
    }

    byte[] pepper() {
        return pepper.clone();
    }

    @Override
    public boolean isOpen() {
        return masterKey == null;
    }

    @Override
    public Optional<Caller> authenticate(String token, String clientAddress) {
        return authenticate(token, clientAddress, true);
    }

    @Override
    public Optional<Caller> check(String token, String clientAddress) {
        return authenticate(token, clientAddress, false);
    }

    private Optional<Caller> authenticate(String token, String clientAddress, boolean record) {
        if (token == null || token.isEmpty()) {
            return isOpen() ? Optional.of(new Caller(Tenant.DEFAULT, ANONYMOUS, Access.OPERATOR)) : Optional.empty();
        }
        if (masterKey != null && MessageDigest.isEqual(masterKey, token.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new Caller(Tenant.DEFAULT, MASTER, Access.OPERATOR));
        }
        Optional<OidcCallers> identities = oidc;
        if (identities.isPresent() && identities.get().handles(token)) {
            return identity(identities.get(), token, clientAddress, record);
        }
        Optional<KeySecret> parsed = KeySecret.parse(token);
        if (parsed.isEmpty()) {
            if (isOpen() && !KeySecret.looksLikeKey(token)) {
                return Optional.of(new Caller(Tenant.DEFAULT, ANONYMOUS, Access.OPERATOR));
            }
            return refuse(record, "", "unknown", "malformed or unknown key", clientAddress);
        }
        KeySecret secret = parsed.get();
        Snapshot current = snapshot;
        ApiKey key = current.keys.get(secret.id());
        if (key == null) {
            return refuse(record, "", secret.displayPrefix(), "unknown key", clientAddress);
        }
        Instant now = clock.instant();
        if (!key.accepts(secret.secret(), pepper, now)) {
            return refuse(record, key.tenant(), key.displayPrefix(), "wrong secret", clientAddress);
        }
        if (key.status() == KeyStatus.REVOKED) {
            return refuse(record, key.tenant(), key.displayPrefix(), "revoked key", clientAddress);
        }
        if (key.expired(now)) {
            return refuse(record, key.tenant(), key.displayPrefix(), "expired key", clientAddress);
        }
        Tenant tenant = current.tenants.get(key.tenant());
        if (tenant == null || !tenant.enabled()) {
            return refuse(record, key.tenant(), key.displayPrefix(), "tenant disabled", clientAddress);
        }
        return Optional.of(new Caller(key.tenant(), key.id(), key.access()));
    }

    private Optional<Caller> identity(OidcCallers callers, String token, String clientAddress, boolean record) {
        OidcCallers.Mapped mapped = callers.map(token);
        if (mapped.access().isEmpty()) {
            return refuse(record, mapped.tenant().orElse(""), "oidc", "identity token: " + mapped.failure(), clientAddress);
        }
        String tenantId = mapped.tenant().orElseThrow();
        Tenant tenant = snapshot.tenants.get(tenantId);
        String actor = "oidc:" + mapped.subject().orElse("unknown");
        if (tenant == null || !tenant.enabled()) {
            return refuse(record, tenantId, actor, tenant == null ? "identity token for an unknown tenant" : "tenant disabled", clientAddress);
        }
        return Optional.of(new Caller(tenantId, actor, mapped.access().get()));
    }

    private Optional<Caller> refuse(boolean record, String tenant, String presented, String reason, String clientAddress) {
        if (!record) {
            return Optional.empty();
        }
        audit.recordLater(new AuditEntry(0, clock.instant(), tenant, presented, "auth.refused", presented, AuditEntry.DENIED,
                clientAddress, "", reason));
        return Optional.empty();
    }

    /** Reads what changed since the known revision. Refreshes run one after another; the future completes when this one has. */
    public synchronized CompletableFuture<Void> refresh() {
        CompletableFuture<Void> next = refreshing.exceptionally(e -> null).thenCompose(v -> store.changesSince(snapshot.revision)
                .thenAccept(this::apply)
                .whenComplete((ok, error) -> {
                    if (error != null && !storeFailing) {
                        storeFailing = true;
                        LOG.log(Level.WARNING, "cannot read the key directory; serving the keys known at revision {0} until it answers: {1}",
                                snapshot.revision, error.getMessage());
                    } else if (error == null && storeFailing) {
                        storeFailing = false;
                        LOG.log(Level.INFO, "the key directory answers again (revision {0})", snapshot.revision);
                    }
                }));
        refreshing = next;
        return next;
    }

    private synchronized void apply(DirectoryChanges changes) {
        Snapshot current = snapshot;
        if (changes.revision() <= current.revision && changes.tenants().isEmpty() && changes.keys().isEmpty()) {
            return;
        }
        Map<String, Tenant> tenants = new HashMap<>(current.tenants);
        changes.tenants().forEach(t -> tenants.put(t.id(), t));
        Map<String, ApiKey> keys = new HashMap<>(current.keys);
        changes.keys().forEach(k -> keys.put(k.id(), k));
        snapshot = new Snapshot(Math.max(current.revision, changes.revision()), Map.copyOf(tenants), Map.copyOf(keys));
    }

    public void refreshPeriodically(ScheduledExecutorService scheduler, Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> refresh(), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long revision() {
        return snapshot.revision;
    }

    public Optional<ApiKey> key(String id) {
        return Optional.ofNullable(snapshot.keys.get(id));
    }

    public List<ApiKey> keys() {
        return snapshot.keys.values().stream().sorted(Comparator.comparing(ApiKey::createdAt).reversed().thenComparing(ApiKey::id)).toList();
    }

    public Optional<Tenant> tenant(String id) {
        return Optional.ofNullable(snapshot.tenants.get(id));
    }

    public List<Tenant> tenants() {
        return snapshot.tenants.values().stream().sorted(Comparator.comparing(Tenant::id)).toList();
    }

    @Override
    public boolean enabled() {
        return corsEnabled;
    }

    @Override
    public boolean allowsPreflight(String origin) {
        if (!corsEnabled || origin == null) {
            return false;
        }
        if (corsOrigins.contains("*") || corsOrigins.contains(origin)) {
            return true;
        }
        return snapshot.tenants.values().stream().anyMatch(t -> t.enabled() && t.allowsOrigin(origin));
    }

    @Override
    public boolean allows(Caller caller, String origin) {
        if (!corsEnabled || origin == null) {
            return false;
        }
        if (corsOrigins.contains("*") || corsOrigins.contains(origin)) {
            return true;
        }
        Tenant tenant = snapshot.tenants.get(caller.tenant());
        return tenant != null && tenant.allowsOrigin(origin);
    }
}
