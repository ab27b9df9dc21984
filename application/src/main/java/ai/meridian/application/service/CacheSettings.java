package ai.meridian.application.service;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How the response cache behaves: on or off, for how long answers are kept ({@code ttl}, capped by {@code maxTtl};
 * answers grounded in web results at most {@code webTtl}), whether only deterministic requests (temperature 0) are
 * cached unless the client asks, how long an entry lives in this process at most ({@code localMaxTtl}: other replicas'
 * invalidations reach it by broadcast, and after an outage of the shared level the first level is cleared), a
 * fingerprint of the retrieval configuration (part of the key of grounded answers), and the overrides per model and
 * per tenant. The semantic cache is configured per model ({@link Semantic}; off unless a model turns it on).
 */
public record CacheSettings(boolean enabled, Duration ttl, Duration maxTtl, Duration webTtl, Duration localMaxTtl, boolean deterministicOnly,
                            String retrievalFingerprint, Map<String, ModelCache> models, Map<String, TenantCache> tenants,
                            Semantic semantic) {

    public static final CacheSettings OFF = new CacheSettings(false, Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(10),
            Duration.ofMinutes(5), true, "", Map.of(), Map.of(), Semantic.OFF);

    public CacheSettings {
        positive("meridian.cache.ttl", ttl);
        positive("meridian.cache.max-ttl", maxTtl);
        positive("meridian.cache.grounding.web-ttl", webTtl);
        positive("meridian.cache.l1.max-ttl", localMaxTtl);
        retrievalFingerprint = retrievalFingerprint == null ? "" : retrievalFingerprint;
        models = models == null ? Map.of() : Map.copyOf(models);
        tenants = tenants == null ? Map.of() : Map.copyOf(tenants);
        semantic = semantic == null ? Semantic.OFF : semantic;
    }

    static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration");
        }
    }

    /** One model's overrides ({@code meridian.models[].cache}); empty fields take the global value. */
    public record ModelCache(Optional<Boolean> enabled, Optional<Duration> ttl, Optional<Boolean> deterministicOnly, Optional<Semantic> semantic) {
        public static final ModelCache AS_GLOBAL = new ModelCache(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        public ModelCache {
            enabled = enabled == null ? Optional.empty() : enabled;
            ttl = ttl == null ? Optional.empty() : ttl;
            ttl.ifPresent(t -> positive("cache.ttl", t));
            deterministicOnly = deterministicOnly == null ? Optional.empty() : deterministicOnly;
            semantic = semantic == null ? Optional.empty() : semantic;
        }
    }

    /** One tenant's overrides ({@code meridian.cache.tenants.<tenant>}). */
    public record TenantCache(Optional<Boolean> enabled, Optional<Duration> ttl) {
        public TenantCache {
            enabled = enabled == null ? Optional.empty() : enabled;
            ttl = ttl == null ? Optional.empty() : ttl;
            ttl.ifPresent(t -> positive("cache.tenants.ttl", t));
        }
    }

    /**
     * The semantic cache of a model: on or off, and the cosine similarity (0..1) at or above which an earlier prompt's
     * answer is served for a new prompt.
     */
    public record Semantic(boolean enabled, double threshold) {
        /**
         * Measured on bench/cache's paraphrase set (bench/cache/eval.sh, the default bge-small models, PromptGuard on):
         * the threshold that serves at most 1% of hard negatives with the best hit rate on paraphrases (0.5% and 12.4%).
         */
        public static final double DEFAULT_THRESHOLD = 0.95;
        public static final Semantic OFF = new Semantic(false, DEFAULT_THRESHOLD);

        public Semantic {
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("the semantic cache's similarity threshold is above 0 and at most 1");
            }
        }
    }

    /** What applies to one request's model and tenant. */
    public record Policy(boolean enabled, Duration ttl, boolean deterministicOnly, Semantic semantic) {
        static final Policy DISABLED = new Policy(false, Duration.ofSeconds(1), true, Semantic.OFF);
    }

    /** The policy for a model, before any tenant override. */
    Policy policy(String modelId) {
        if (!enabled) {
            return Policy.DISABLED;
        }
        ModelCache model = models.getOrDefault(modelId, ModelCache.AS_GLOBAL);
        if (!model.enabled().orElse(true)) {
            return Policy.DISABLED;
        }
        Duration modelTtl = model.ttl().orElse(ttl);
        return new Policy(true, min(modelTtl, maxTtl), model.deterministicOnly().orElse(deterministicOnly),
                model.semantic().orElse(semantic));
    }

    /** The policy for a model as a tenant's override shapes it: a tenant may turn caching off or shorten the ttl. */
    static Policy forTenant(Policy modelPolicy, TenantCache tenant) {
        if (tenant == null || !modelPolicy.enabled()) {
            return modelPolicy;
        }
        if (!tenant.enabled().orElse(true)) {
            return Policy.DISABLED;
        }
        return tenant.ttl().map(t -> new Policy(true, min(t, modelPolicy.ttl()), modelPolicy.deterministicOnly(), modelPolicy.semantic()))
                .orElse(modelPolicy);
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** True when any model could use the cache (so its stage is worth wiring). */
    public boolean anyEnabled() {
        return enabled;
    }

}
