package ai.meridian.bench.retrieval;

import ai.meridian.adapter.out.embedding.BundledModel;
import ai.meridian.adapter.out.embedding.OnnxEmbeddingSettings;
import ai.meridian.adapter.out.embedding.OnnxTextEmbedder;
import ai.meridian.adapter.out.lucene.LuceneIndexSettings;
import ai.meridian.adapter.out.lucene.LuceneKnowledgeIndex;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.domain.knowledge.DocumentMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Recall of the HNSW search against exact search on real embeddings: the sentences of BEIR corpora (split at
 * sentence ends, 40 to 400 characters) are embedded with a bundled model and indexed, then the held-out queries'
 * nearest neighbours by the graph (the index opened with {@code exact-search-limit} 0 and each HNSW candidate
 * count) are compared with the exact ones (brute force here).
 *
 * <pre>VectorRecall BEIR_DIR[,BEIR_DIR...] [--model bge-small-en-v1.5] [--sentences 50000] [--queries 200]
 *              [--candidates 20,100,200] [--index DIR]</pre>
 */
public final class VectorRecall {
    private VectorRecall() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Wiring.options(args, 1);
        String model = Wiring.option(options, "model", BundledModel.BGE_SMALL_EN_V15.id());
        int wanted = Integer.parseInt(Wiring.option(options, "sentences", "50000"));
        int queryCount = Integer.parseInt(Wiring.option(options, "queries", "200"));
        Set<String> sentences = new LinkedHashSet<>();
        for (String dir : args[0].split(",")) {
            for (BeirSet.Document d : BeirSet.read(Path.of(dir)).corpus()) {
                for (String s : d.text().split("(?<=[.!?。！？])\\s*|\\n")) {
                    String t = s.strip();
                    if (t.length() >= 40 && t.length() <= 400) {
                        sentences.add(t);
                    }
                }
            }
        }
        List<String> all = new ArrayList<>(sentences);
        java.util.Collections.shuffle(all, new java.util.Random(3));
        List<String> queries = all.subList(0, Math.min(queryCount, all.size()));
        List<String> corpus = all.subList(queries.size(), Math.min(all.size(), queries.size() + wanted));
        Path dir = Path.of(Wiring.option(options, "index", Files.createTempDirectory("meridian-recall").toString()));
        KnowledgeScope scope = new KnowledgeScope(Wiring.TENANT, Wiring.BASE);
        float[][] vectors = new float[corpus.size()][];
        float[][] queryVectors;
        try (OnnxTextEmbedder embedder = new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel(model));
             LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(dir))) {
            long start = System.nanoTime();
            List<CompletableFuture<Void>> inFlight = new ArrayList<>();
            for (int from = 0; from < corpus.size(); from += 256) {
                int at = from;
                List<String> part = corpus.subList(from, Math.min(corpus.size(), from + 256));
                inFlight.add(embedder.embed(part, EmbeddingUse.DOCUMENT).thenCompose(vs -> {
                    List<IndexedChunk> chunks = new ArrayList<>();
                    for (int i = 0; i < vs.size(); i++) {
                        vectors[at + i] = vs.get(i);
                        chunks.add(new IndexedChunk("s" + (at + i), "d" + (at + i), "", "", part.get(i), 0, embedder.model(), vs.get(i),
                                DocumentMetadata.EMPTY));
                    }
                    return index.upsert(scope, chunks);
                }));
                if (inFlight.size() >= 4) {
                    inFlight.remove(0).get(30, TimeUnit.MINUTES);
                }
            }
            for (CompletableFuture<Void> f : inFlight) {
                f.get(30, TimeUnit.MINUTES);
            }
            queryVectors = embedder.embed(queries, EmbeddingUse.QUERY).get(10, TimeUnit.MINUTES).toArray(float[][]::new);
            System.out.printf("%d sentences embedded with %s and indexed in %.0f s; %d queries%n", corpus.size(), model,
                    (System.nanoTime() - start) / 1e9, queries.size());
        }
        List<Set<String>> truth = new ArrayList<>();
        int k = 20;
        for (float[] q : queryVectors) {
            double[] cos = new double[vectors.length];
            Integer[] order = new Integer[vectors.length];
            for (int i = 0; i < vectors.length; i++) {
                order[i] = i;
                double d = 0;
                for (int j = 0; j < q.length; j++) {
                    d += q[j] * vectors[i][j];
                }
                cos[i] = d;
            }
            Arrays.sort(order, (a, b) -> Double.compare(cos[b], cos[a]));
            Set<String> top = new HashSet<>();
            for (int i = 0; i < k; i++) {
                top.add("s" + order[i]);
            }
            truth.add(top);
        }
        for (String c : Wiring.option(options, "candidates", "20,100,200").split(",")) {
            int candidates = Integer.parseInt(c.strip());
            try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(dir).withVectorSearch(0, candidates))) {
                double found = 0;
                for (int warm = 0; warm < Math.min(50, queryVectors.length); warm++) {
                    index.vectorSearch(Wiring.TENANT, List.of(Wiring.BASE), model, queryVectors[warm], k).get(1, TimeUnit.MINUTES);
                }
                long[] nanos = new long[queryVectors.length];
                for (int i = 0; i < queryVectors.length; i++) {
                    long t0 = System.nanoTime();
                    List<IndexHit> hits = index.vectorSearch(Wiring.TENANT, List.of(Wiring.BASE), model, queryVectors[i], k).get(1, TimeUnit.MINUTES);
                    nanos[i] = System.nanoTime() - t0;
                    Set<String> want = truth.get(i);
                    found += hits.stream().filter(h -> want.contains(h.chunkId())).count() / (double) k;
                }
                Arrays.sort(nanos);
                System.out.printf("HNSW (%d segments), hnsw-candidates %d: recall@%d against exact search %.4f; vector search (top %d) "
                                + "p50 %.2f ms, p99 %.2f ms over %d queries%n", index.segmentCount(), candidates, k, found / queryVectors.length, k,
                        nanos[nanos.length / 2] / 1e6, nanos[(int) Math.min(nanos.length - 1, Math.ceil(nanos.length * 0.99) - 1)] / 1e6, nanos.length);
            }
        }
    }
}
