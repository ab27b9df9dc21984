package ai.meridian.bench.retrieval;

import ai.meridian.adapter.out.embedding.OnnxTextEmbedder;
import ai.meridian.adapter.out.lucene.LuceneIndexSettings;
import ai.meridian.adapter.out.lucene.LuceneKnowledgeIndex;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.service.KnowledgeRetriever;
import ai.meridian.application.service.DocumentChunking;
import ai.meridian.domain.retrieval.ChunkingPolicy;
import ai.meridian.domain.retrieval.Passage;
import ai.meridian.domain.retrieval.TextChunk;
import ai.meridian.domain.retrieval.TextChunker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Measures retrieval quality on a BEIR-layout directory with the production parts: documents are chunked by
 * the domain chunker (tokens counted by the embedding model's tokenizer), embedded by the ONNX adapter and
 * indexed in the Lucene adapter; each query is answered by keyword search alone, vector search alone, and
 * both as grounding runs them ({@link KnowledgeRetriever#search}, fused by RRF). Chunk rankings become document rankings by each
 * document's best chunk. Prints nDCG@10 and Recall@100 per run.
 *
 * <pre>RetrievalEvaluation BEIR_DIR [--model bge-small-zh-v1.5] [--chunk-tokens 256] [--overlap 32] [--index DIR]</pre>
 * An existing {@code --index} directory built by an earlier run with the same options is reused as it is
 * (embedding the corpus is the slow part on two cores).
 */
public final class RetrievalEvaluation {
    static final int CANDIDATES = 300;

    private RetrievalEvaluation() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RetrievalEvaluation BEIR_DIR [--model NAME] [--chunk-tokens N] [--overlap N] [--index DIR]");
            System.exit(2);
        }
        Map<String, String> options = Wiring.options(args, 1);
        BeirSet set = BeirSet.read(Path.of(args[0]));
        Path indexDir = Path.of(Wiring.option(options, "index", Files.createTempDirectory("meridian-eval").toString()));
        boolean reuse = Files.isDirectory(indexDir) && Files.list(indexDir).anyMatch(p -> p.getFileName().toString().startsWith("segments_"));
        ChunkingPolicy policy = new ChunkingPolicy(Integer.parseInt(Wiring.option(options, "chunk-tokens", "256")),
                Integer.parseInt(Wiring.option(options, "overlap", "32")));
        try (OnnxTextEmbedder embedder = Wiring.embedder(Wiring.option(options, "model", "bge-small-zh-v1.5"));
             LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(indexDir))) {
            TextChunker chunker = DocumentChunking.forEmbedder(embedder, policy);
            List<Wiring.Pending> pending = new ArrayList<>();
            for (BeirSet.Document doc : set.corpus()) {
                for (TextChunk chunk : chunker.chunk(doc.text())) {
                    String embedText = doc.title().isEmpty() ? chunk.text() : doc.title() + "\n" + chunk.text();
                    pending.add(new Wiring.Pending(doc.id() + "#" + chunk.position(), doc.id(), doc.title(), chunk.text(), chunk.position(), embedText));
                }
            }
            System.out.printf("%s: %d documents, %d chunks (%d tokens max, %d overlap), %d queries; model %s%n", set.name(),
                    set.corpus().size(), pending.size(), policy.maxTokens(), policy.overlapTokens(), set.queries().size(), embedder.model());
            if (reuse) {
                System.out.println("reusing the index in " + indexDir);
            } else {
                long start = System.nanoTime();
                Wiring.embedAndIndex(embedder, index, pending, 64);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("indexed in %.1f s (%.1f chunks/s, embedding included) into %s%n", seconds, pending.size() / seconds, indexDir);
            }

            KnowledgeRetriever retriever = Wiring.retriever(embedder, index, Duration.ofSeconds(60));
            Map<String, double[]> totals = new HashMap<>();
            for (Map.Entry<String, String> query : set.queries().entrySet()) {
                Map<String, Integer> judged = set.qrels().get(query.getKey());
                List<IndexHit> keyword = index.keywordSearch(Wiring.TENANT, List.of(Wiring.BASE), query.getValue(), CANDIDATES)
                        .get(1, TimeUnit.MINUTES);
                float[] vector = embedder.embed(List.of(query.getValue()), EmbeddingUse.QUERY).get(1, TimeUnit.MINUTES).get(0);
                List<IndexHit> nearest = index.vectorSearch(Wiring.TENANT, List.of(Wiring.BASE), vector, CANDIDATES).get(1, TimeUnit.MINUTES);
                List<Passage> both = Wiring.fusedSearch(retriever, query.getValue(), CANDIDATES);
                score(totals, "keyword (BM25)", documents(keyword.stream().map(IndexHit::documentId).toList()), judged);
                score(totals, "vector (" + embedder.model() + ")", documents(nearest.stream().map(IndexHit::documentId).toList()), judged);
                score(totals, "fused (RRF, k=60)", documents(both.stream().map(p -> documentOf(p.id())).toList()), judged);
            }
            System.out.printf("%-34s %8s %11s%n", "run", "nDCG@10", "Recall@100");
            for (String run : List.of("keyword (BM25)", "vector (" + embedder.model() + ")", "fused (RRF, k=60)")) {
                double[] t = totals.get(run);
                System.out.printf("%-34s %8.4f %11.4f%n", run, t[0] / set.queries().size(), t[1] / set.queries().size());
            }
        }
    }

    /** Knowledge-base passages are identified by their chunk id, here "docId#position". */
    private static String documentOf(String chunkId) {
        return chunkId.substring(0, chunkId.lastIndexOf('#'));
    }

    private static List<String> documents(List<String> chunkDocuments) {
        return new ArrayList<>(new LinkedHashSet<>(chunkDocuments));
    }

    private static void score(Map<String, double[]> totals, String run, List<String> ranking, Map<String, Integer> judged) {
        double[] t = totals.computeIfAbsent(run, r -> new double[2]);
        t[0] += Metrics.ndcgAt(10, ranking, judged);
        t[1] += Metrics.recallAt(100, ranking, judged);
    }
}
