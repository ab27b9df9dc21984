package ai.meridian.bench.retrieval;

import ai.meridian.adapter.out.embedding.OnnxEmbeddingSettings;
import ai.meridian.adapter.out.embedding.OnnxTextEmbedder;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
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
