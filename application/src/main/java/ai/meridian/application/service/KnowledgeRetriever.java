package ai.meridian.application.service;

import ai.meridian.application.port.in.QueryKnowledgeUseCase;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.Grouping;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.KnowledgeMatch;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.KnowledgeQuery;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.MatchedPassage;
import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.retrieval.Passage;
import ai.meridian.domain.retrieval.PassageKind;
import ai.meridian.domain.retrieval.RelevanceModel;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.Action;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hybrid search over a tenant's knowledge bases. The query is embedded by its language's model; one index search
 * then collects the best keyword and the nearest candidates, each scored both ways (normalised BM25 and cosine);
 * {@link RelevanceModel} turns the two scores into a calibrated relevance (0..1) and the candidates are ranked by
 * it. If embedding fails or is too slow the search runs on keywords alone (and says so in
 * {@link Ranked#unavailable()}); if the index fails, nothing is found and that is said.
 */
public final class KnowledgeRetriever {
    private final KnowledgeBaseStore store;
    private final KnowledgeIndexPort index;
    private final LanguageEmbeddings embeddings;
    private final RelevanceModel relevance;
    private final RetrievalSettings settings;

    public KnowledgeRetriever(KnowledgeBaseStore store, KnowledgeIndexPort index, LanguageEmbeddings embeddings, RelevanceModel relevance,
                              RetrievalSettings settings) {
        this.store = store;
        this.index = index;
        this.embeddings = embeddings;
        this.relevance = relevance;
        this.settings = settings;
    }

    /** The candidates of one search, scored both ways, in the query's vector space, and what could not be searched. */
    public record Candidates(String space, List<ScoredChunk> chunks, List<String> unavailable) {
    }

    /** A chunk with its calibrated relevance. */
    public record RankedChunk(IndexHit hit, double relevance, ScoredChunk scores) {
    }

    /** Chunks best first, and what could not be searched. */
    public record Ranked(List<RankedChunk> chunks, List<String> unavailable) {
    }

    /**
     * The knowledge bases a request names, checked to exist for this tenant ({@code *}: all of them). An
     * unknown name is the client's mistake: a 404 naming it.
     */
    public CompletableFuture<List<String>> resolve(String tenant, Access access, List<String> names) {
        if (names.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        for (String name : names) {
            if (!name.equals(GroundingSettings.ALL_KNOWLEDGE_BASES) && !access.mayUseKnowledgeBase(name)) {
                return CompletableFuture.failedFuture(AccessDenied.forbidden("This key may not use the knowledge base '" + name + "'.",
                        "knowledge_bases", "knowledge_base_not_allowed"));
            }
        }
        return store.listBases(tenant).thenApply(bases -> {
            Set<String> existing = new LinkedHashSet<>();
            bases.stream().map(KnowledgeBase::name).filter(access::mayUseKnowledgeBase).forEach(existing::add);
            if (names.contains(GroundingSettings.ALL_KNOWLEDGE_BASES)) {
                return List.copyOf(existing);
            }
            for (String name : names) {
                if (!existing.contains(name)) {
                    throw new GatewayException(new GatewayError(ErrorKind.NOT_FOUND,
                            "The knowledge base '" + name + "' does not exist.", "knowledge_bases", "not_found", null));
                }
            }
            return List.copyOf(names);
        });
    }

    /** The longest query {@link #query} takes; longer ones are refused. */
    static final int MAX_QUERY_CHARS = 4000;
    /** How much of a query {@link #candidates} reads: a question's first thousand characters say what it is about. */
    static final int SEARCHED_QUERY_CHARS = 1000;

    /** Keyword and vector candidates from the (already resolved) knowledge bases, each scored both ways. */
    public CompletableFuture<Candidates> candidates(String tenant, List<String> knowledgeBases, String fullQuery, int candidates,
                                                    MetadataFilter filter) {
        if (knowledgeBases.isEmpty()) {
            return CompletableFuture.completedFuture(new Candidates("", List.of(), List.of()));
        }
        // A question's first characters say what it is about; analysing 70,000 of them (Chinese segmentation is
        // slow) held the search threads past every other query's timeout.
        String query = searched(fullQuery);
        long timeout = settings.knowledgeTimeout().toMillis();
        long start = System.nanoTime();
        String space = embeddings.modelFor(query).model();
        CompletableFuture<LanguageEmbeddings.Embedded> embedded = embeddings.embedQuery(query).orTimeout(timeout, TimeUnit.MILLISECONDS);
        return embedded.handle((vector, error) -> {
            List<String> unavailable = new ArrayList<>(2);
            if (error != null) {
                unavailable.add("vector search (" + reason(error) + ")");
            }
            ChunkQuery chunkQuery = new ChunkQuery(tenant, knowledgeBases, query, space, vector == null ? null : vector.vector(),
                    candidates, filter);
            long left = Math.max(1, timeout - (System.nanoTime() - start) / 1_000_000);
            return index.search(chunkQuery).orTimeout(left, TimeUnit.MILLISECONDS).handle((chunks, failed) -> {
                if (failed != null) {
                    unavailable.add("knowledge search (" + reason(failed) + ")");
                    return new Candidates(space, List.<ScoredChunk>of(), unavailable);
                }
                return new Candidates(space, chunks, unavailable);
            });
        }).thenCompose(f -> f);
    }

    /** The candidates ranked by calibrated relevance, best first (ties by chunk id). */
    public CompletableFuture<Ranked> search(String tenant, List<String> knowledgeBases, String query, int candidates, MetadataFilter filter) {
        return candidates(tenant, knowledgeBases, query, candidates, filter).thenApply(this::rank);
    }

    /** Scores and orders candidates as {@link #search} does. */
    public Ranked rank(Candidates found) {
        List<RankedChunk> ranked = new ArrayList<>(found.chunks().size());
        for (ScoredChunk c : found.chunks()) {
            double r = relevance.relevance(c.keyword(), c.similarity(), found.space());
            ranked.add(new RankedChunk(c.hit().withScore(r), r, c));
        }
        ranked.sort(Comparator.comparingDouble((RankedChunk r) -> -r.relevance())
                .thenComparing(r -> r.hit().knowledgeBase()).thenComparing(r -> r.hit().chunkId()));
        return new Ranked(ranked, found.unavailable());
    }

    /** A ranked chunk as grounding uses it: a passage whose score is its relevance. */
    public static Passage passage(IndexHit hit) {
        String url = hit.url().isEmpty() ? "kb://" + hit.knowledgeBase() + "/" + hit.documentId() : hit.url();
        return new Passage(hit.chunkId(), PassageKind.KNOWLEDGE_BASE, hit.knowledgeBase(), hit.title(), url, hit.text(), "", hit.score());
    }

    static String reason(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException) {
            return "timed out";
        }
        if (cause instanceof RetrievalUnavailableException unavailable) {
            return unavailable.source() + ": " + unavailable.getMessage();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /**
     * What is wrong with a query before anything is searched (its caller may not read, may not use a named base, or a
     * value is out of range), as the failure to answer with; {@code null} when nothing is.
     */
    public RuntimeException check(KnowledgeQuery query) {
        if (!query.access().permits(Action.READ)) {
            return AccessDenied.forbidden(Action.READ);
        }
        for (String name : query.knowledgeBases()) {
            if (!name.equals(GroundingSettings.ALL_KNOWLEDGE_BASES) && !query.access().mayUseKnowledgeBase(name)) {
                return AccessDenied.forbidden("This key may not use the knowledge base '" + name + "'.", "knowledge_bases",
                        "knowledge_base_not_allowed");
            }
        }
        if (query.text().isBlank()) {
            return GatewayException.invalid("query", "query must not be empty");
        }
        if (query.text().length() > MAX_QUERY_CHARS) {
            return GatewayException.invalid("query", "query is longer than " + MAX_QUERY_CHARS + " characters");
        }
        if (query.topK() < 1 || query.topK() > 100) {
            return GatewayException.invalid("top_k", "top_k must be between 1 and 100");
        }
        if (!(query.minScore() >= 0 && query.minScore() <= 1)) {
            return GatewayException.invalid("score_threshold", "score_threshold must be between 0 and 1");
        }
        return null;
    }

    /** The text of a query that is searched and embedded. */
    static String searched(String fullQuery) {
        return fullQuery.length() > SEARCHED_QUERY_CHARS ? fullQuery.substring(0, SEARCHED_QUERY_CHARS) : fullQuery;
    }

    /** The embedding model a query is embedded by (its language's). */
    public String queryModel(String fullQuery) {
        return embeddings.modelFor(searched(fullQuery)).model();
    }

    /** The tokens embedding a query costs in its model (what a knowledge query is charged). */
    public int queryTokens(String fullQuery) {
        String query = searched(fullQuery);
        try {
            return embeddings.modelFor(query).countTokens(query);
        } catch (RetrievalUnavailableException e) {
            return 1 + query.length() / 4; // the model is shutting down: an estimate will do
        }
    }

    /** Passages from the query's knowledge bases, checked with {@link #check} first. */
    public CompletableFuture<List<KnowledgeMatch>> query(KnowledgeQuery query) {
        RuntimeException wrong = check(query);
        if (wrong != null) {
            return CompletableFuture.failedFuture(wrong);
        }
        // Documents need more chunk candidates than chunks do: several of the best chunks may share a document.
        int candidates = Math.min(KnowledgeIndexPort.MAX_LIMIT, Math.max(settings.knowledgeCandidates(),
                query.grouping() == Grouping.DOCUMENT ? query.topK() * 4 : query.topK()));
        return resolve(query.tenant(), query.access(), query.knowledgeBases())
                .thenCompose(bases -> search(query.tenant(), bases, query.text(), candidates, query.filter()))
                .thenApply(ranked -> {
                    if (ranked.chunks().isEmpty() && ranked.unavailable().stream().anyMatch(u -> u.startsWith("knowledge search"))) {
                        throw new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE,
                                "Knowledge search is unavailable: " + String.join("; ", ranked.unavailable()), null, null, Duration.ofSeconds(1)));
                    }
                    List<RankedChunk> passing = ranked.chunks().stream().filter(r -> r.relevance() >= query.minScore()).toList();
                    return query.grouping() == Grouping.CHUNK ? byChunk(passing, query.topK()) : byDocument(passing, query.topK());
                });
    }

    private static List<KnowledgeMatch> byChunk(List<RankedChunk> ranked, int topK) {
        return ranked.stream().limit(topK).map(r -> match(r, List.of(r))).toList();
    }

    /** Each document once, in the order of its best chunk, with up to {@link QueryKnowledgeUseCase#PASSAGES_PER_DOCUMENT} of its best chunks. */
    static List<KnowledgeMatch> byDocument(List<RankedChunk> ranked, int topK) {
        Map<String, List<RankedChunk>> documents = new LinkedHashMap<>();
        for (RankedChunk r : ranked) {
            List<RankedChunk> passages = documents.get(documentKey(r.hit()));
            if (passages == null) {
                if (documents.size() == topK) {
                    continue;
                }
                passages = new ArrayList<>(QueryKnowledgeUseCase.PASSAGES_PER_DOCUMENT);
                documents.put(documentKey(r.hit()), passages);
            }
            if (passages.size() < QueryKnowledgeUseCase.PASSAGES_PER_DOCUMENT) {
                passages.add(r);
            }
        }
        return documents.values().stream().map(passages -> match(passages.get(0), passages)).toList();
    }

    private static String documentKey(IndexHit hit) {
        return hit.knowledgeBase().length() + ":" + hit.knowledgeBase() + hit.documentId();
    }

    private static KnowledgeMatch match(RankedChunk best, List<RankedChunk> passages) {
        IndexHit hit = best.hit();
        return new KnowledgeMatch(hit.knowledgeBase(), hit.documentId(), hit.title(), hit.url(), hit.metadata(), best.relevance(),
                passages.stream().map(p -> new MatchedPassage(p.hit().chunkId(), p.hit().position(), p.hit().text(), p.relevance())).toList());
    }
}
