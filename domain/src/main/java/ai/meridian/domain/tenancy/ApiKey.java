package ai.meridian.domain.tenancy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A virtual key of a tenant: its role, what it may use (empty lists: every model, every knowledge base), its
 * limits, when it expires, and the hash of its secret. A rotated key accepts its previous secret until
 * {@code previousValidUntil}, so clients can be moved over without an outage.
 */
public record ApiKey(String id, String tenant, String name, Role role, List<String> allowedModels, List<String> allowedKnowledgeBases,
                     KeyLimits limits, Optional<Instant> expiresAt, KeyStatus status, KeyHash hash, Optional<KeyHash> previousHash,
                     Optional<Instant> previousValidUntil, Instant createdAt, Instant updatedAt) {

    public ApiKey {
        if (!KeySecret.validId(id)) {
            throw new TenancyException("id", "not a key id");
        }
        Tenant.validId(tenant);
        name = name == null ? "" : name.strip();
        if (name.length() > 200) {
            throw new TenancyException("name", "name must be at most 200 characters");
        }
        Objects.requireNonNull(role, "role");
        allowedModels = List.copyOf(allowedModels == null ? List.of() : allowedModels);
        allowedKnowledgeBases = List.copyOf(allowedKnowledgeBases == null ? List.of() : allowedKnowledgeBases);
        if (allowedModels.size() > 200 || allowedKnowledgeBases.size() > 200) {
            throw new TenancyException(allowedModels.size() > 200 ? "allowed_models" : "allowed_knowledge_bases", "at most 200 entries");
        }
        limits = limits == null ? KeyLimits.NONE : limits;
        expiresAt = expiresAt == null ? Optional.empty() : expiresAt;
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(hash, "hash");
        previousHash = previousHash == null ? Optional.empty() : previousHash;
        previousValidUntil = previousValidUntil == null ? Optional.empty() : previousValidUntil;
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public String displayPrefix() {
        return KeySecret.PREFIX + id;
    }

    public boolean expired(Instant now) {
        return expiresAt.isPresent() && !now.isBefore(expiresAt.get());
    }

    /** True when {@code secret} is this key's current secret, or its previous one within the grace period. */
    public boolean accepts(String secret, byte[] pepper, Instant now) {
        if (hash.matches(secret, pepper)) {
            return true;
        }
        return previousHash.isPresent() && previousValidUntil.isPresent() && now.isBefore(previousValidUntil.get())
                && previousHash.get().matches(secret, pepper);
    }

    public Access access() {
        return new Access(role, allowedModels, allowedKnowledgeBases, limits, false);
    }
}
