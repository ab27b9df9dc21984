package ai.meridian.bench.retrieval;

import ai.meridian.adapter.out.embedding.OnnxEmbeddingSettings;
import ai.meridian.adapter.out.embedding.OnnxTextEmbedder;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.service.KnowledgeRetriever;
import ai.meridian.application.service.RetrievalSettings;
import ai.meridian.domain.retrieval.Passage;
import ai.meridian.domain.retrieval.ReciprocalRankFusion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Shared plumbing of the tools: command-line options, and embedding plus indexing in bounded slices. */
final class Wiring {
    static final String TENANT = "bench";
    static final String BASE = "kb";
    static final KnowledgeScope SCOPE = new KnowledgeScope(TENANT, BASE);

    private Wiring() {
    }

    static String option(Map<String, String> options, String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    static Map<String, String> options(String[] args, int from) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = from; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                options.put(args[i].substring(2), args[++i]);
            }
        }
        return options;
    }

    static OnnxTextEmbedder embedder(String model) {
        return new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel(model));
    }

    /**
     * The production hybrid search: {@link KnowledgeRetriever#search} runs keyword and vector search in parallel
     * (the query embedded as a query), each under the knowledge timeout, with the default equal weights.
     */
    static KnowledgeRetriever retriever(EmbedTextPort embedder, KnowledgeIndexPort index, Duration timeout) {
        RetrievalSettings d = RetrievalSettings.DEFAULTS;
        return new KnowledgeRetriever(new NoCatalog(), index, embedder, new RetrievalSettings(d.webTimeout(), timeout, d.fetchTimeout(),
                d.rewriteTimeout(), d.webResults(), d.knowledgeCandidates(), d.fetchPages(), d.webWeight(), d.keywordWeight(),
                d.vectorWeight(), false));
    }

    /** Both lists of {@code candidates} chunks fused by reciprocal rank (k = 60), as grounding fuses them. */
    static List<Passage> fusedSearch(KnowledgeRetriever retriever, String query, int candidates) throws Exception {
        KnowledgeRetriever.Result result = retriever.search(TENANT, List.of(BASE), query, candidates).get(1, TimeUnit.MINUTES);
        if (!result.unavailable().isEmpty()) {
            throw new IllegalStateException("a list failed: " + result.unavailable());
        }
        return new ReciprocalRankFusion().fuse(result.lists());
    }

    /** A chunk to index before its vector is known. */
    record Pending(String chunkId, String documentId, String title, String text, int position, String embedText) {
    }

    /** Embeds (as documents) and indexes the chunks, a slice at a time so the embedding queue never overflows. */
    static void embedAndIndex(EmbedTextPort embedder, KnowledgeIndexPort index, List<Pending> pending, int slice) throws Exception {
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (int from = 0; from < pending.size(); from += slice) {
            List<Pending> part = pending.subList(from, Math.min(pending.size(), from + slice));
            CompletableFuture<Void> done = embedder.embed(part.stream().map(Pending::embedText).toList(), EmbeddingUse.DOCUMENT)
                    .thenCompose(vectors -> {
                        List<IndexedChunk> chunks = new ArrayList<>(part.size());
                        for (int i = 0; i < part.size(); i++) {
                            Pending p = part.get(i);
                            chunks.add(new IndexedChunk(p.chunkId(), p.documentId(), p.title(), "", p.text(), p.position(), vectors.get(i)));
                        }
                        return index.upsert(SCOPE, chunks);
                    });
            inFlight.add(done);
            if (inFlight.size() >= 4) {
                inFlight.remove(0).get(10, TimeUnit.MINUTES);
            }
        }
        for (CompletableFuture<Void> f : inFlight) {
            f.get(10, TimeUnit.MINUTES);
        }
    }
}
