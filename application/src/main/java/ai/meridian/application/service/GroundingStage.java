package ai.meridian.application.service;

import ai.meridian.application.port.out.TelemetryPort.TraceSpan;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.application.port.out.retrieval.FetchPagePort;
import ai.meridian.application.port.out.retrieval.FetchedPage;
import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.application.port.out.retrieval.TimeRange;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.retrieval.ContextBudget;
import ai.meridian.domain.retrieval.Deduplication;
import ai.meridian.domain.retrieval.GroundedPrompt;
import ai.meridian.domain.retrieval.GroundingPrompt;
import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.retrieval.Passage;
import ai.meridian.domain.retrieval.PassageKind;
import ai.meridian.domain.retrieval.RankedList;
import ai.meridian.domain.retrieval.ReciprocalRankFusion;
import ai.meridian.domain.retrieval.SourceDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Grounds an answer: rewrites a follow-up into a standalone query, searches the web and the knowledge bases
 * in parallel (each with its own timeout), fetches the pages the search engine gave no text for, fuses the
 * web results with the knowledge passages (ranked by calibrated relevance, those below {@code min-relevance} left
 * out) by reciprocal rank (k = 60), drops duplicates, cuts to the token budget, numbers the sources and
 * puts them before the question in a system message that asks for [n] citations. Any source that fails is
 * left out and named in a notice: the answer degrades, the request does not fail.
 */
public final class GroundingStage implements ChatStage {
    private final Optional<SearchWebPort> web;
    private final Optional<FetchPagePort> fetcher;
    private final Optional<KnowledgeRetriever> knowledge;
    private final TokenCounter tokens;
    private final RetrievalSettings settings;
    private final QueryRewriter rewriter;
    private final ReciprocalRankFusion fusion = new ReciprocalRankFusion();
    private final Deduplication deduplication = new Deduplication();

    public GroundingStage(Optional<SearchWebPort> web, Optional<FetchPagePort> fetcher, Optional<KnowledgeRetriever> knowledge,
                          BackendRegistry backends, TokenCounter tokens, RetrievalSettings settings) {
        this.web = web;
        this.fetcher = fetcher;
        this.knowledge = knowledge;
        this.tokens = tokens;
        this.settings = settings;
        this.rewriter = new QueryRewriter(backends, settings);
    }

    @Override
    public CompletableFuture<ChatContext> prepare(ChatContext context) {
        GroundingSettings grounding = context.model().grounding().overriddenBy(context.command().request().grounding());
        if (!grounding.enabled() || context.cache().hit().isPresent()) { // a cached answer comes with the sources it was grounded on
            return CompletableFuture.completedFuture(context);
        }
        long start = System.nanoTime();
        String tenant = context.command().caller().tenant();
        TraceSpan span = context.span().child("meridian.retrieval", Map.of(
                "meridian.retrieval.web", grounding.webSearch(),
                "meridian.retrieval.knowledge_bases", String.join(",", grounding.knowledgeBases())));
        List<String> notices = new CopyOnWriteArrayList<>(); // written from the web and knowledge branches' threads
        CompletableFuture<List<String>> bases = knowledge.isPresent()
                ? knowledge.get().resolve(tenant, context.command().caller().access(), grounding.knowledgeBases())
                : CompletableFuture.completedFuture(List.of());
        if (!grounding.knowledgeBases().isEmpty() && knowledge.isEmpty()) {
            notices.add("knowledge bases are not configured on this gateway");
        }
        return bases.thenCombine(rewriter.standalone(context), (resolved, query) -> new Object[] {resolved, query})
                .thenCompose(pair -> {
                    @SuppressWarnings("unchecked")
                    List<String> resolved = (List<String>) pair[0];
                    QueryRewriter.Query query = (QueryRewriter.Query) pair[1];
                    span.set("meridian.retrieval.query_rewritten", query.rewritten());
                    if (query.text().isEmpty()) {
                        return CompletableFuture.completedFuture(List.<RankedList>of());
                    }
                    CompletableFuture<List<RankedList>> webLists = grounding.webSearch() ? webSearch(query.text(), notices)
                            : CompletableFuture.completedFuture(List.of());
                    CompletableFuture<List<RankedList>> knowledgeLists = resolved.isEmpty()
                            ? CompletableFuture.completedFuture(List.of())
                            : knowledge.get().search(tenant, resolved, query.text(), settings.knowledgeCandidates(), MetadataFilter.NONE)
                                    .thenApply(result -> {
                                        result.unavailable().forEach(u -> notices.add(u + " unavailable; answered from fewer sources"));
                                        // Calibrated relevance: passages more likely irrelevant than min-relevance are not sources.
                                        List<Passage> passages = result.chunks().stream()
                                                .filter(r -> r.relevance() >= settings.minRelevance())
                                                .map(r -> KnowledgeRetriever.passage(r.hit())).toList();
                                        return passages.isEmpty() ? List.<RankedList>of()
                                                : List.of(new RankedList("knowledge", settings.knowledgeWeight(), passages));
                                    });
                    return webLists.thenCombine(knowledgeLists, (a, b) -> {
                        List<RankedList> all = new ArrayList<>(a);
                        all.addAll(b);
                        return all;
                    });
                })
                .thenApply(lists -> {
                    // Fusion orders web and knowledge results; knowledge passages then show their calibrated relevance again.
                    Map<String, Double> relevance = new java.util.HashMap<>();
                    lists.stream().filter(l -> l.source().equals("knowledge")).flatMap(l -> l.passages().stream())
                            .forEach(p -> relevance.put(p.id(), p.score()));
                    List<Passage> fused = deduplication.apply(fusion.fuse(lists)).stream()
                            .map(p -> p.kind() == PassageKind.KNOWLEDGE_BASE && relevance.containsKey(p.id()) ? p.withScore(relevance.get(p.id())) : p)
                            .toList();
                    List<Passage> selected = new ContextBudget(grounding.contextTokens(), grounding.maxSources(), tokens::count).select(fused);
                    String question = context.command().request().lastUserText();
                    GroundedPrompt prompt = GroundingPrompt.build(question, selected);
                    List<SourceDocument> sources = new ArrayList<>(selected.size());
                    for (int i = 0; i < selected.size(); i++) {
                        sources.add(new SourceDocument(prompt.citations().get(i), selected.get(i).text()));
                    }
                    if (selected.isEmpty()) {
                        notices.add("no sources were found for this question");
                    }
                    span.set("meridian.retrieval.lists", lists.size());
                    span.set("meridian.retrieval.sources", selected.size());
                    if (!notices.isEmpty()) {
                        span.set("meridian.retrieval.degraded", String.join("; ", notices));
                    }
                    span.end();
                    ChatContext grounded = context.withMessages(beforeLastUserMessage(context.messages(), prompt.systemMessage()))
                            .withSources(sources).plusWaited(System.nanoTime() - start);
                    for (String notice : notices) {
                        grounded = grounded.withNotice(notice);
                    }
                    return grounded;
                })
                .whenComplete((done, error) -> {
                    if (error != null) {
                        span.fail(String.valueOf(error.getMessage()));
                        span.end();
                    }
                });
    }

    /** Web results as passages, with page text fetched for the top results that came without it. */
    private CompletableFuture<List<RankedList>> webSearch(String query, List<String> notices) {
        if (web.isEmpty()) {
            notices.add("web search is not configured on this gateway");
            return CompletableFuture.completedFuture(List.of());
        }
        SearchWebPort engine = web.get();
        WebSearchQuery search = new WebSearchQuery(query, TimeRange.NO_LIMIT, settings.webResults(), settings.webTimeout());
        return engine.search(search)
                .orTimeout(settings.webTimeout().toMillis() + 250, TimeUnit.MILLISECONDS)
                .thenCompose(this::withPageText)
                .thenApply(results -> {
                    List<Passage> passages = new ArrayList<>(results.size());
                    Map<String, Boolean> seen = new LinkedHashMap<>();
                    for (WebResult r : results) {
                        String id = Deduplication.normalizeUrl(r.url());
                        String text = !r.mainText().isBlank() ? r.mainText() : r.snippet();
                        if (text.isBlank() || seen.put(id, true) != null) {
                            continue;
                        }
                        passages.add(new Passage(id, PassageKind.WEB, engine.name(), r.title(), r.url(), text, r.publishedDate(), 0));
                    }
                    return passages.isEmpty() ? List.<RankedList>of() : List.of(new RankedList("web", settings.webWeight(), passages));
                })
                .exceptionally(error -> {
                    notices.add("web search unavailable (" + KnowledgeRetriever.reason(error) + "); answered from fewer sources");
                    return List.of();
                });
    }

    private CompletableFuture<List<WebResult>> withPageText(List<WebResult> results) {
        if (fetcher.isEmpty() || settings.fetchPages() == 0) {
            return CompletableFuture.completedFuture(results);
        }
        List<CompletableFuture<WebResult>> filled = new ArrayList<>(results.size());
        int fetched = 0;
        for (WebResult r : results) {
            if (r.mainText().isBlank() && fetched < settings.fetchPages()) {
                fetched++;
                filled.add(fetcher.get().fetch(r.url())
                        .orTimeout(settings.fetchTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .thenApply((FetchedPage page) -> new WebResult(r.title().isEmpty() ? page.title() : r.title(), r.url(), r.snippet(),
                                r.publishedDate().isEmpty() ? page.publishedDate() : r.publishedDate(), page.text(), r.hostname()))
                        .exceptionally(e -> r));
            } else {
                filled.add(CompletableFuture.completedFuture(r));
            }
        }
        return CompletableFuture.allOf(filled.toArray(CompletableFuture[]::new))
                .thenApply(v -> filled.stream().map(CompletableFuture::join).toList());
    }

    /** The grounding system message goes right before the question it grounds. */
    static List<ChatMessage> beforeLastUserMessage(List<ChatMessage> messages, String systemMessage) {
        int last = -1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                last = i;
                break;
            }
        }
        List<ChatMessage> result = new ArrayList<>(messages.size() + 1);
        for (int i = 0; i < messages.size(); i++) {
            if (i == last) {
                result.add(ChatMessage.system(systemMessage));
            }
            result.add(messages.get(i));
        }
        if (last < 0) {
            result.add(ChatMessage.system(systemMessage));
        }
        return result;
    }
}
