package ai.meridian.application.service;

import ai.meridian.application.port.in.CacheStatus;
import ai.meridian.application.port.out.CachedAnswer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the response cache found for one request, carried on its {@link ChatContext}: the status the client is told,
 * and, when the answer may be kept, where ({@code storeKey}), under which scopes and generations, for how long;
 * the answer itself on a hit; and, for the semantic cache, the prompt's place in its index ({@code semantic}).
 */
public record CacheLookup(CacheStatus status, String storeKey, List<String> scopes, List<Long> generations, Duration ttl,
                          Optional<CachedAnswer> hit, Optional<SemanticCache.Probe> semantic, boolean webGrounded) {
    public static final CacheLookup NONE = new CacheLookup(CacheStatus.NONE, "", List.of(), List.of(), Duration.ZERO, Optional.empty(),
            Optional.empty(), false);

    public CacheLookup {
        scopes = List.copyOf(scopes);
        generations = List.copyOf(generations);
        hit = hit == null ? Optional.empty() : hit;
        semantic = semantic == null ? Optional.empty() : semantic;
    }

    static CacheLookup bypass(String reason) {
        return new CacheLookup(CacheStatus.bypass(reason), "", List.of(), List.of(), Duration.ZERO, Optional.empty(), Optional.empty(), false);
    }

    /** True when a whole answer produced for this request is to be kept. */
    boolean keepsAnswer() {
        return status.outcome() == CacheStatus.Outcome.MISS && !storeKey.isEmpty();
    }
}
