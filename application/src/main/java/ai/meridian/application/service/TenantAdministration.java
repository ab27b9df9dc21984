package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ManageApiKeysUseCase;
import ai.meridian.application.port.in.ManageTenantsUseCase;
import ai.meridian.application.port.out.TenantDirectoryStore;
import ai.meridian.domain.audit.AuditEntry;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Action;
import ai.meridian.domain.tenancy.ApiKey;
import ai.meridian.domain.tenancy.KeyHash;
import ai.meridian.domain.tenancy.KeySecret;
import ai.meridian.domain.tenancy.KeyStatus;
import ai.meridian.domain.tenancy.TenancyException;
import ai.meridian.domain.tenancy.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Tenants and keys, administered. Only the operator (master key) creates and changes tenants; a tenant's
 * admin key manages its own tenant's keys and sees nothing of other tenants (their ids are 404s, exactly like
 * ids that never existed). Every change is written to the store, recorded in the audit log, and applied to this
 * replica's directory before it is reported done; other replicas follow within their refresh interval (sooner
 * when {@code changed} tells them).
 */
public final class TenantAdministration implements ManageTenantsUseCase, ManageApiKeysUseCase {
    static final Duration MAX_GRACE = Duration.ofDays(7);

    private final TenantDirectoryStore store;
    private final KeyDirectory directory;
    private final AuditTrail audit;
    private final Clock clock;
    private final Supplier<RandomGenerator> random;
    private final Runnable changed;

    public TenantAdministration(TenantDirectoryStore store, KeyDirectory directory, AuditTrail audit, Clock clock,
                                Supplier<RandomGenerator> random, Runnable changed) {
        this.store = Objects.requireNonNull(store, "store");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.changed = Objects.requireNonNull(changed, "changed");
    }

    // ---- tenants

    @Override
    public CompletableFuture<Tenant> createTenant(CallerContext caller, TenantDraft draft) {
        return attempt(() -> {
            requireOperator(caller, "tenant.create", draft.id());
            Instant now = clock.instant();
            Tenant tenant = valid(() -> new Tenant(draft.id(), draft.name(), true, draft.corsOrigins(), now, now));
            return store.createTenant(tenant).thenCompose(created -> {
                if (!created) {
                    throw new GatewayException(new GatewayError(ErrorKind.CONFLICT, "A tenant with id '" + tenant.id() + "' already exists.",
                            "id", "conflict", null));
                }
                return done(caller, tenant.id(), "tenant.create", tenant.id(), "name=" + tenant.name(), tenant);
            });
        });
    }

    @Override
    public CompletableFuture<List<Tenant>> listTenants(CallerContext caller) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            return directory.refresh().exceptionally(e -> null).thenApply(v -> caller.access().operator() ? directory.tenants()
                    : directory.tenant(caller.tenant()).map(List::of).orElse(List.of()));
        });
    }

    @Override
    public CompletableFuture<Tenant> getTenant(CallerContext caller, String id) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            return directory.refresh().exceptionally(e -> null).thenApply(v -> visibleTenant(caller, id));
        });
    }

    @Override
    public CompletableFuture<Tenant> updateTenant(CallerContext caller, String id, TenantChanges changes) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            return directory.refresh().exceptionally(e -> null).thenCompose(v -> {
                Tenant old = visibleTenant(caller, id); // another tenant is a 404, not a 403: it does not exist for this caller
                requireOperator(caller, "tenant.update", id);
                if (old.id().equals(Tenant.DEFAULT) && changes.enabled().isPresent() && !changes.enabled().get()) {
                    throw GatewayException.invalid("enabled", "The default tenant cannot be disabled: the master key acts for it.");
                }
                Tenant updated = valid(() -> new Tenant(old.id(), changes.name().orElse(old.name()), changes.enabled().orElse(old.enabled()),
                        changes.corsOrigins().orElse(old.corsOrigins()), old.createdAt(), clock.instant()));
                return store.updateTenant(updated).thenCompose(found -> {
                    if (!found) {
                        throw AccessDenied.notFound("The tenant '" + id + "' does not exist.");
                    }
                    return done(caller, id, "tenant.update", id, describe(changes), updated);
                });
            });
        });
    }

    private static String describe(TenantChanges changes) {
        List<String> parts = new ArrayList<>();
        changes.name().ifPresent(n -> parts.add("name=" + n));
        changes.enabled().ifPresent(e -> parts.add("enabled=" + e));
        changes.corsOrigins().ifPresent(o -> parts.add("cors_origins=" + o));
        return String.join(" ", parts);
    }

    private Tenant visibleTenant(CallerContext caller, String id) {
        Optional<Tenant> tenant = directory.tenant(id);
        if (tenant.isEmpty() || !caller.access().operator() && !id.equals(caller.tenant())) {
            throw AccessDenied.notFound("The tenant '" + id + "' does not exist.");
        }
        return tenant.get();
    }

    private void requireOperator(CallerContext caller, String action, String target) {
        AccessDenied.require(caller, Action.ADMINISTER);
        if (!caller.access().operator()) {
            audit.recordLater(caller, caller.tenant(), action, target, AuditEntry.DENIED, "only the operator manages tenants");
            throw AccessDenied.forbidden("Only the operator (master key) creates and changes tenants.", null, "permission_denied");
        }
    }

    // ---- keys

    @Override
    public CompletableFuture<IssuedKey> createKey(CallerContext caller, KeyDraft draft) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            String tenantId = draft.tenant().orElse(caller.tenant());
            return directory.refresh().exceptionally(e -> null).thenCompose(v -> {
                Tenant tenant = visibleTenant(caller, tenantId);
                if (draft.expiresAt().isPresent() && !draft.expiresAt().get().isAfter(clock.instant())) {
                    throw GatewayException.invalid("expires_at", "expires_at must be in the future.");
                }
                return issue(caller, tenant, draft, 0);
            });
        });
    }

    private CompletableFuture<IssuedKey> issue(CallerContext caller, Tenant tenant, KeyDraft draft, int attempt) {
        RandomGenerator rng = random.get();
        KeySecret secret = KeySecret.generate(rng);
        Instant now = clock.instant();
        ApiKey key = valid(() -> new ApiKey(secret.id(), tenant.id(), draft.name(), draft.role(), draft.allowedModels(),
                draft.allowedKnowledgeBases(), draft.limits(), draft.expiresAt(), KeyStatus.ACTIVE,
                KeyHash.of(secret.secret(), directory.pepper(), rng), Optional.empty(), Optional.empty(), now, now));
        return store.createKey(key).thenCompose(created -> {
            if (!created) {
                if (attempt < 3) {
                    return issue(caller, tenant, draft, attempt + 1); // 36^12 ids: a collision is all but impossible
                }
                throw new IllegalStateException("could not find a free key id");
            }
            return done(caller, tenant.id(), "key.create", key.displayPrefix(), "role=" + key.role().wireName() + " name=" + key.name(),
                    new IssuedKey(key, secret.token()));
        });
    }

    @Override
    public CompletableFuture<List<ApiKey>> listKeys(CallerContext caller, Optional<String> tenant) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            return directory.refresh().exceptionally(e -> null).thenApply(v -> {
                Optional<String> scope = tenant;
                if (!caller.access().operator()) {
                    if (tenant.isPresent() && !tenant.get().equals(caller.tenant())) {
                        throw AccessDenied.notFound("The tenant '" + tenant.get() + "' does not exist.");
                    }
                    scope = Optional.of(caller.tenant());
                } else if (tenant.isPresent() && directory.tenant(tenant.get()).isEmpty()) {
                    throw AccessDenied.notFound("The tenant '" + tenant.get() + "' does not exist.");
                }
                Optional<String> only = scope;
                return directory.keys().stream().filter(k -> only.isEmpty() || k.tenant().equals(only.get())).toList();
            });
        });
    }

    @Override
    public CompletableFuture<ApiKey> getKey(CallerContext caller, String id) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            return directory.refresh().exceptionally(e -> null).thenApply(v -> visibleKey(caller, id));
        });
    }

    @Override
    public CompletableFuture<ApiKey> updateKey(CallerContext caller, String id, KeyChanges changes) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            return directory.refresh().exceptionally(e -> null).thenCompose(v -> {
                ApiKey old = active(visibleKey(caller, id));
                if (changes.expiresAt().isPresent() && changes.expiresAt().get().isPresent()
                        && !changes.expiresAt().get().get().isAfter(clock.instant())) {
                    throw GatewayException.invalid("expires_at", "expires_at must be in the future.");
                }
                ApiKey updated = valid(() -> new ApiKey(old.id(), old.tenant(), changes.name().orElse(old.name()), changes.role().orElse(old.role()),
                        changes.allowedModels().orElse(old.allowedModels()), changes.allowedKnowledgeBases().orElse(old.allowedKnowledgeBases()),
                        changes.limits().orElse(old.limits()), changes.expiresAt().orElse(old.expiresAt()), old.status(), old.hash(),
                        old.previousHash(), old.previousValidUntil(), old.createdAt(), clock.instant()));
                return save(caller, updated, "key.update", describe(changes));
            });
        });
    }

    private static String describe(KeyChanges changes) {
        List<String> parts = new ArrayList<>();
        changes.name().ifPresent(n -> parts.add("name=" + n));
        changes.role().ifPresent(r -> parts.add("role=" + r.wireName()));
        changes.allowedModels().ifPresent(m -> parts.add("allowed_models=" + m));
        changes.allowedKnowledgeBases().ifPresent(k -> parts.add("allowed_knowledge_bases=" + k));
        changes.limits().ifPresent(l -> parts.add("limits=" + l));
        changes.expiresAt().ifPresent(e -> parts.add("expires_at=" + e.map(Instant::toString).orElse("none")));
        return String.join(" ", parts);
    }

    @Override
    public CompletableFuture<IssuedKey> rotateKey(CallerContext caller, String id, Duration grace) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
                throw GatewayException.invalid("grace_period_seconds", "grace_period_seconds must be between 0 and " + MAX_GRACE.toSeconds() + ".");
            }
            return directory.refresh().exceptionally(e -> null).thenCompose(v -> {
                ApiKey old = active(visibleKey(caller, id));
                RandomGenerator rng = random.get();
                KeySecret secret = KeySecret.rotate(old.id(), rng);
                Instant now = clock.instant();
                ApiKey rotated = new ApiKey(old.id(), old.tenant(), old.name(), old.role(), old.allowedModels(), old.allowedKnowledgeBases(),
                        old.limits(), old.expiresAt(), old.status(), KeyHash.of(secret.secret(), directory.pepper(), rng),
                        grace.isZero() ? Optional.empty() : Optional.of(old.hash()),
                        grace.isZero() ? Optional.empty() : Optional.of(now.plus(grace)), old.createdAt(), now);
                return save(caller, rotated, "key.rotate", "grace_seconds=" + grace.toSeconds())
                        .thenApply(saved -> new IssuedKey(saved, secret.token()));
            });
        });
    }

    @Override
    public CompletableFuture<ApiKey> revokeKey(CallerContext caller, String id) {
        return attempt(() -> {
            AccessDenied.require(caller, Action.ADMINISTER);
            return directory.refresh().exceptionally(e -> null).thenCompose(v -> {
                ApiKey old = visibleKey(caller, id);
                if (old.status() == KeyStatus.REVOKED) {
                    return CompletableFuture.completedFuture(old);
                }
                ApiKey revoked = new ApiKey(old.id(), old.tenant(), old.name(), old.role(), old.allowedModels(), old.allowedKnowledgeBases(),
                        old.limits(), old.expiresAt(), KeyStatus.REVOKED, old.hash(), Optional.empty(), Optional.empty(), old.createdAt(),
                        clock.instant());
                return save(caller, revoked, "key.revoke", "");
            });
        });
    }

    private CompletableFuture<ApiKey> save(CallerContext caller, ApiKey key, String action, String detail) {
        return store.updateKey(key).thenCompose(found -> {
            if (!found) {
                throw AccessDenied.notFound("The key '" + key.id() + "' does not exist.");
            }
            return done(caller, key.tenant(), action, key.displayPrefix(), detail, key);
        });
    }

    private ApiKey visibleKey(CallerContext caller, String id) {
        String shown = id == null ? "" : id.length() > 64 ? id.substring(0, 64) + "…" : id;
        String bare = id != null && id.startsWith(KeySecret.PREFIX) ? id.substring(KeySecret.PREFIX.length()) : id;
        Optional<ApiKey> key = KeySecret.validId(bare) ? directory.key(bare) : Optional.empty();
        if (key.isEmpty() || !caller.access().operator() && !key.get().tenant().equals(caller.tenant())) {
            throw AccessDenied.notFound("The key '" + shown + "' does not exist.");
        }
        return key.get();
    }

    private static ApiKey active(ApiKey key) {
        if (key.status() == KeyStatus.REVOKED) {
            throw new GatewayException(new GatewayError(ErrorKind.CONFLICT, "The key '" + key.id() + "' is revoked; create a new key instead.",
                    null, "conflict", null));
        }
        return key;
    }

    /** Audits the action, brings this replica's directory up to date and tells the others, then answers {@code result}. */
    private <T> CompletableFuture<T> done(CallerContext caller, String tenant, String action, String target, String detail, T result) {
        return audit.record(caller, tenant, action, target, AuditEntry.OK, detail)
                .thenCompose(v -> directory.refresh())
                .thenApply(v -> {
                    changed.run();
                    return result;
                });
    }

    private static <T> T valid(Supplier<T> make) {
        try {
            return make.get();
        } catch (TenancyException e) {
            throw GatewayException.invalid(e.param(), e.getMessage());
        }
    }

    private static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> work) {
        try {
            return work.get();
        } catch (GatewayException | CompletionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
