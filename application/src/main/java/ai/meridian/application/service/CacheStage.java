package ai.meridian.application.service;

import ai.meridian.application.port.in.CacheDirective;
import ai.meridian.application.port.in.CacheStatus;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.retrieval.SourceDocument;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The response cache around the model call, for every door alike. It runs after access, limits and the conversation's
 * history (a refused request reads nothing; the history is part of the key) and before grounding (a hit searches
 * nothing). Before the call: decides whether the request is cacheable (caching on for the model and tenant; the
 * client's {@link CacheDirective}; temperature 0 unless the model caches every request or the client asks), computes
 * the key only then, and looks it up (the exact cache, then, where the model has it, the semantic cache). A hit is
 * put on the context with its citations, and the execution replays it instead of routing. After the call: a whole
 * answer of a miss, served by the primary tier, from undegraded grounding, is kept with its citations — answers
 * grounded in web results no longer than {@code webTtl} — in the background, never delaying the client.
 */
public final class CacheStage implements ChatStage {
    private static final System.Logger LOG = System.getLogger(CacheStage.class.getName());
    private final ResponseCache cache;
    private final CacheSettings settings;
    private final Optional<SemanticCache> semantic;
    private final GatewayMetrics metrics;
    private final Clock clock;

    public CacheStage(ResponseCache cache, CacheSettings settings, Optional<SemanticCache> semantic, GatewayMetrics metrics, Clock clock) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.semantic = Objects.requireNonNull(semantic, "semantic");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public ResponseCache cache() {
        return cache;
    }

    @Override
    public CompletableFuture<ChatContext> prepare(ChatContext context) {
        CallerContext caller = context.command().caller();
        CacheDirective directive = caller.cache();
        CacheSettings.Policy policy = settings.policy(context.model().id());
        if (!settings.tenants().isEmpty()) {
            policy = CacheSettings.forTenant(policy, settings.tenants().get(caller.tenant()));
        }
        if (!policy.enabled()) {
            // Nothing to say unless the client asked something of the cache: then it hears that it was not used.
            return CompletableFuture.completedFuture(directive.isDefault() ? context : bypass(context, "disabled"));
        }
        if (directive.mode() == CacheDirective.Mode.BYPASS) {
            return CompletableFuture.completedFuture(bypass(context, "requested"));
        }
        GenerationParams params = context.command().request().params();
        if (directive.mode() == CacheDirective.Mode.DEFAULT && policy.deterministicOnly() && !deterministic(params)) {
            return CompletableFuture.completedFuture(bypass(context, "not_deterministic"));
        }
        String callerKey = Execution.callerKey(context.command());
        Optional<String> route = CacheKeys.route(context.model(), callerKey, context.messages());
        if (route.isEmpty()) {
            return CompletableFuture.completedFuture(bypass(context, "static_model"));
        }
        // Only from here on is anything hashed: requests the cache does not apply to pay nothing for it.
        GroundingSettings grounding = context.model().grounding().overriddenBy(context.command().request().grounding());
        CacheKeys.KeyInput input = new CacheKeys.KeyInput(caller.tenant(), context.command().request().model(), context.model(), route.get(),
                context.messages(), params, context.command().request().tools(), grounding, caller.access(), settings.retrievalFingerprint(),
                context.command().request().textCompletion());
        String key = CacheKeys.exact(input);
        String storeKey = CacheKeys.storeKey(caller.tenant(), key);
        List<String> scopes = CacheKeys.scopes(caller.tenant(), context.model().id(), grounding.knowledgeBases());
        Duration ttl = directive.ttl().map(t -> CacheSettings.min(t, settings.maxTtl())).orElse(policy.ttl());
        boolean web = grounding.webSearch();
        context.span().set("meridian.cache.key", key);
        if (directive.mode() == CacheDirective.Mode.REFRESH) {
            return cache.generations(scopes).thenApply(generations -> context.withCache(
                    new CacheLookup(CacheStatus.miss(key), storeKey, scopes, generations, ttl, Optional.empty(), Optional.empty(), web)));
        }
        CacheSettings.Policy applied = policy;
        return cache.lookup(caller.tenant(), storeKey, scopes, directive.maxAge()).thenCompose(lookup -> {
            if (lookup.found().isPresent()) {
                ResponseCache.Found found = lookup.found().get();
                return CompletableFuture.completedFuture(hit(context, found.answer(), CacheStatus.hit(found.level(), key, 1.0)));
            }
            CacheLookup miss = new CacheLookup(CacheStatus.miss(key), storeKey, scopes, lookup.generations(), ttl, Optional.empty(),
                    Optional.empty(), web);
            if (!applied.semantic().enabled() || semantic.isEmpty()) {
                return CompletableFuture.completedFuture(context.withCache(miss));
            }
            return semanticLookup(context, input, miss, applied.semantic(), directive);
        });
    }

    private CompletableFuture<ChatContext> semanticLookup(ChatContext context, CacheKeys.KeyInput input, CacheLookup miss,
                                                         CacheSettings.Semantic semanticSettings, CacheDirective directive) {
        Optional<String> partition = CacheKeys.partition(input);
        if (partition.isEmpty()) {
            return CompletableFuture.completedFuture(context.withCache(miss));
        }
        String tenant = input.tenant();
        String prompt = context.messages().get(context.messages().size() - 1).content();
        long start = System.nanoTime();
        return semantic.get().find(tenant, partition.get(), prompt, semanticSettings.threshold())
                .thenCompose(found -> tryMatches(context, miss, found, 0, directive))
                .thenApply(done -> done.plusWaited(System.nanoTime() - start))
                .exceptionally(error -> {
                    // Answered without the semantic cache; said, since an index that keeps failing must be seen.
                    LOG.log(System.Logger.Level.WARNING, "semantic cache lookup failed; answering without it: " + error);
                    metrics.cacheLookup("semantic", "error");
                    return context.withCache(miss);
                });
    }

    /** The first match whose answer is still fresh in the exact cache; pointers to answers gone are forgotten. */
    private CompletableFuture<ChatContext> tryMatches(ChatContext context, CacheLookup miss, SemanticCache.Found found, int index,
                                                      CacheDirective directive) {
        if (index >= found.matches().size()) {
            metrics.cacheLookup("semantic", "miss");
            return CompletableFuture.completedFuture(context.withCache(new CacheLookup(miss.status(), miss.storeKey(), miss.scopes(),
                    miss.generations(), miss.ttl(), Optional.empty(), Optional.of(found.probe()), miss.webGrounded())));
        }
        SemanticCache.Match match = found.matches().get(index);
        String tenant = context.command().caller().tenant();
        return cache.lookup(tenant, CacheKeys.storeKey(tenant, match.key()), miss.scopes(), directive.maxAge()).thenCompose(lookup -> {
            if (lookup.found().isPresent()) {
                metrics.cacheLookup("semantic", "hit");
                context.span().set("meridian.cache.similarity", match.similarity());
                return CompletableFuture.completedFuture(hit(context, lookup.found().get().answer(),
                        CacheStatus.hit("semantic", match.key(), match.similarity())));
            }
            semantic.get().forget(found.probe(), match.key());
            return tryMatches(context, miss, found, index + 1, directive);
        });
    }

    private ChatContext hit(ChatContext context, CachedAnswer answer, CacheStatus status) {
        context.span().set("meridian.cache", "hit");
        context.span().set("meridian.cache.level", status.level());
        List<SourceDocument> sources = answer.citations().stream().map(c -> new SourceDocument(c, "")).toList();
        return context.withSources(sources).withCache(new CacheLookup(status, "", List.of(), List.of(), Duration.ZERO, Optional.of(answer),
                Optional.empty(), false));
    }

    private ChatContext bypass(ChatContext context, String reason) {
        metrics.cacheBypass(reason);
        context.span().set("meridian.cache", "bypass");
        return context.withCache(CacheLookup.bypass(reason));
    }

    /** Deterministic: temperature 0, asked for explicitly. */
    static boolean deterministic(GenerationParams params) {
        return params.temperature() != null && params.temperature() == 0;
    }

    @Override
    public CompletableFuture<Void> record(ChatContext context, TurnOutcome outcome) {
        CacheLookup lookup = context.cache();
        if (!lookup.keepsAnswer() || outcome.answer().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Optional<String> refusal = refusal(context, outcome);
        if (refusal.isPresent()) {
            context.span().set("meridian.cache.not_kept", refusal.get());
            return CompletableFuture.completedFuture(null);
        }
        Duration ttl = lookup.webGrounded() ? CacheSettings.min(lookup.ttl(), settings.webTtl()) : lookup.ttl();
        Map<String, Long> generations = new HashMap<>();
        for (int i = 0; i < lookup.scopes().size() && i < lookup.generations().size(); i++) {
            generations.put(lookup.scopes().get(i), lookup.generations().get(i));
        }
        long now = clock.millis();
        List<Citation> citations = context.citations();
        CachedAnswer answer = new CachedAnswer(context.command().caller().tenant(), context.model().id(), outcome.answer().get(),
                outcome.usage(), citations, generations, now, now + ttl.toMillis());
        cache.store(lookup.storeKey(), answer, ttl);
        lookup.semantic().ifPresent(probe -> semantic.ifPresent(s -> s.remember(probe, lookup.status().key())));
        return CompletableFuture.completedFuture(null);
    }

    /** Why a produced answer is not kept, if it is not. */
    private static Optional<String> refusal(ChatContext context, TurnOutcome outcome) {
        ServedBy servedBy = outcome.servedBy();
        if (servedBy == null || servedBy.tier() != 0 || servedBy.backend().equals(ServedBy.STATIC_BACKEND)) {
            return Optional.of("fallback"); // a lighter model's or the static answer is not the primary answer
        }
        Completion completion = outcome.answer().get();
        for (Choice choice : completion.choices()) {
            if (!choice.finishReason().whole()) {
                return Optional.of("incomplete");
            }
        }
        if (!context.notices().isEmpty()) {
            return Optional.of("degraded"); // grounded on fewer sources than asked for
        }
        if (context.command().request().stream() && Boolean.TRUE.equals(context.command().request().params().logprobs())) {
            return Optional.of("streamed_logprobs"); // an assembled stream has no per-token log probabilities
        }
        return Optional.empty();
    }
}
