package ai.meridian.application.service;

import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.domain.retrieval.Passage;
import ai.meridian.domain.retrieval.PassageKind;
import ai.meridian.domain.retrieval.RankedList;
import ai.meridian.domain.retrieval.ReciprocalRankFusion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Searches a tenant's knowledge bases by keywords and by meaning at once and fuses the two lists with
 * reciprocal rank fusion. The lists run in parallel (embedding the query, then the vector search, alongside
 * the keyword search); a list that fails or runs out of time contributes nothing and is named in
 * {@link KnowledgeSearchResult#degraded()}, so one slow or broken part never fails the search.
 */
public final class HybridKnowledgeSearch {
    public static final String KEYWORD = "keyword";
    public static final String VECTOR = "vector";

    private final EmbedTextPort embedder;
    private final KnowledgeIndexPort index;
    private final HybridSearchSettings settings;
    private final ReciprocalRankFusion fusion;

    public HybridKnowledgeSearch(EmbedTextPort embedder, KnowledgeIndexPort index, HybridSearchSettings settings) {
        this.embedder = embedder;
        this.index = index;
        this.settings = settings;
        this.fusion = new ReciprocalRankFusion(settings.rrfK());
    }

    /** The best {@code limit} passages for the query across the named knowledge bases of the tenant. */
    public CompletableFuture<KnowledgeSearchResult> search(String tenant, List<String> knowledgeBases, String query, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        if (knowledgeBases.isEmpty() || query == null || query.isBlank()) {
            return CompletableFuture.completedFuture(new KnowledgeSearchResult(List.of(), List.of()));
        }
        int candidates = Math.max(limit, settings.candidatesPerList());
        CompletableFuture<Outcome> keyword = guard(KEYWORD, index.keywordSearch(tenant, knowledgeBases, query, candidates));
        CompletableFuture<Outcome> vector = guard(VECTOR, embedder.embed(List.of(query), EmbeddingUse.QUERY)
                .thenCompose(vectors -> index.vectorSearch(tenant, knowledgeBases, vectors.get(0), candidates)));
        return keyword.thenCombine(vector, (k, v) -> {
            List<String> degraded = new ArrayList<>(2);
            k.failure.ifPresent(degraded::add);
            v.failure.ifPresent(degraded::add);
            List<Passage> fused = fusion.fuse(List.of(
                    new RankedList(KEYWORD, settings.keywordWeight(), passages(k.hits)),
                    new RankedList(VECTOR, settings.vectorWeight(), passages(v.hits))));
            return new KnowledgeSearchResult(fused.size() > limit ? fused.subList(0, limit) : fused, degraded);
        });
    }

    /** Turns a list's failure or timeout into an empty list plus the reason. */
    private CompletableFuture<Outcome> guard(String list, CompletableFuture<List<IndexHit>> hits) {
        return hits.orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(Outcome::of)
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof TimeoutException) {
                        return Outcome.failed(list + ": no answer within " + settings.timeout().toMillis() + " ms");
                    }
                    if (cause instanceof RetrievalUnavailableException unavailable) {
                        return Outcome.failed(list + ": " + unavailable.source() + " unavailable (" + unavailable.getMessage() + ")");
                    }
                    return Outcome.failed(list + ": " + cause);
                });
    }

    static List<Passage> passages(List<IndexHit> hits) {
        List<Passage> passages = new ArrayList<>(hits.size());
        for (IndexHit hit : hits) {
            passages.add(new Passage(passageId(hit.knowledgeBase(), hit.chunkId()), PassageKind.KNOWLEDGE_BASE, hit.knowledgeBase(),
                    hit.title(), hit.url(), hit.text(), "", hit.score()));
        }
        return passages;
    }

    /** Chunk ids are unique within a knowledge base; the length prefix keeps the pair unambiguous. */
    public static String passageId(String knowledgeBase, String chunkId) {
        return knowledgeBase.length() + ":" + knowledgeBase + "/" + chunkId;
    }

    private record Outcome(List<IndexHit> hits, java.util.Optional<String> failure) {
        static Outcome of(List<IndexHit> hits) {
            return new Outcome(hits, java.util.Optional.empty());
        }

        static Outcome failed(String reason) {
            return new Outcome(List.of(), java.util.Optional.of(reason));
        }
    }
}
