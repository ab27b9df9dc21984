package ai.meridian.application.port.in;

import ai.meridian.domain.tenancy.ApiKey;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An operator or a tenant's admin wants to manage virtual keys: create (the secret is shown once), list, read,
 * update, rotate and revoke them. A tenant's admin key manages its own tenant's keys only; other tenants' keys
 * are 404s to it. Changes take effect on every replica within the directory's refresh interval.
 */
public interface ManageApiKeysUseCase {

    CompletableFuture<IssuedKey> createKey(CallerContext caller, KeyDraft draft);

    /** Keys of {@code tenant} (the operator may leave it empty for all tenants), newest first. */
    CompletableFuture<List<ApiKey>> listKeys(CallerContext caller, Optional<String> tenant);

    CompletableFuture<ApiKey> getKey(CallerContext caller, String id);

    CompletableFuture<ApiKey> updateKey(CallerContext caller, String id, KeyChanges changes);

    /** A new secret for the key; the old one keeps working for {@code grace} (zero: stops at once). */
    CompletableFuture<IssuedKey> rotateKey(CallerContext caller, String id, Duration grace);

    CompletableFuture<ApiKey> revokeKey(CallerContext caller, String id);

    /** A new key. {@code tenant} empty: the caller's own tenant. */
    record KeyDraft(Optional<String> tenant, String name, Role role, List<String> allowedModels, List<String> allowedKnowledgeBases,
                    KeyLimits limits, Optional<Instant> expiresAt) {
        public KeyDraft {
            tenant = tenant == null ? Optional.empty() : tenant;
            role = role == null ? Role.MEMBER : role;
            expiresAt = expiresAt == null ? Optional.empty() : expiresAt;
        }
    }

    /**
     * What to change; empty fields stay as they are. A limit given as {@code Optional.of(null-free)} replaces the
     * whole {@link KeyLimits}; {@code expiresAt} of {@code Optional.of(Optional.empty())} removes the expiry.
     */
    record KeyChanges(Optional<String> name, Optional<Role> role, Optional<List<String>> allowedModels,
                      Optional<List<String>> allowedKnowledgeBases, Optional<KeyLimits> limits, Optional<Optional<Instant>> expiresAt) {
        public KeyChanges {
            name = name == null ? Optional.empty() : name;
            role = role == null ? Optional.empty() : role;
            allowedModels = allowedModels == null ? Optional.empty() : allowedModels;
            allowedKnowledgeBases = allowedKnowledgeBases == null ? Optional.empty() : allowedKnowledgeBases;
            limits = limits == null ? Optional.empty() : limits;
            expiresAt = expiresAt == null ? Optional.empty() : expiresAt;
        }
    }

    /** A key with its secret, which is shown this once and never again. */
    record IssuedKey(ApiKey key, String secret) {
        public IssuedKey {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String toString() {
            return "IssuedKey[" + key.displayPrefix() + "]";
        }
    }
}
