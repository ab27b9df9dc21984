package ai.meridian.domain.usage;

import java.time.LocalDate;
import java.util.Objects;

/**
 * One line of the usage ledger: what one key of one tenant spent on one public model, served by one backend,
 * on one day (UTC). Records with the same key add up.
 */
public record UsageRecord(LocalDate day, String tenant, String keyId, String model, String backend,
                          long requests, long inputTokens, long outputTokens, long cachedTokens) {

    public UsageRecord {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(backend, "backend");
        if (requests < 0 || inputTokens < 0 || outputTokens < 0 || cachedTokens < 0) {
            throw new IllegalArgumentException("usage counts must not be negative");
        }
    }

    public UsageKey key() {
        return new UsageKey(day, tenant, keyId, model, backend);
    }

    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    public UsageRecord plus(UsageRecord other) {
        return new UsageRecord(day, tenant, keyId, model, backend, requests + other.requests, inputTokens + other.inputTokens,
                outputTokens + other.outputTokens, cachedTokens + other.cachedTokens);
    }

    /** What a ledger line is filed under. */
    public record UsageKey(LocalDate day, String tenant, String keyId, String model, String backend) {
        public UsageKey {
            Objects.requireNonNull(day, "day");
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(backend, "backend");
        }
    }
}
