package ai.meridian.bench.retrieval;

import ai.meridian.adapter.out.lucene.LuceneIndexSettings;
import ai.meridian.adapter.out.lucene.LuceneKnowledgeIndex;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.Grouping;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.KnowledgeMatch;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.KnowledgeQuery;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.application.service.KnowledgeRetriever;
import ai.meridian.application.service.KnowledgeRetriever.Candidates;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.retrieval.ChunkingPolicy;
import ai.meridian.domain.retrieval.RelevanceModel;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Measures retrieval quality on a BEIR-layout directory through the gateway's own code: documents are ingested by
 * {@code KnowledgeBaseService} (its chunking, the title embedded with each chunk, the language-routed models) into
 * the Lucene adapter, and every query goes through {@code KnowledgeRetriever}: {@code candidates} (one hybrid index
 * search: keyword and nearest candidates, each scored both ways) and {@code query} (what {@code /query} and Dify's
 * {@code /retrieval} answer). From the same candidates it ranks documents (by their best chunk) by keyword alone, by
 * vector alone, by reciprocal rank fusion (k = 60), by min-max-normalised convex combinations, and by the calibrated
 * relevance the gateway ranks by ("fused"); "final" is {@code query} with the defaults of {@code /retrieval}
 * (by document), without and with Dify's default threshold 0.5. Prints nDCG@10 and Recall@100 per run.
 *
 * <pre>RetrievalEvaluation BEIR_DIR [--embedding auto|MODEL] [--index DIR] [--negatives FILE.jsonl] [--dump FILE.tsv]
 *                     [--chunk-tokens 300] [--overlap 50] [--candidates 100]</pre>
 * {@code --negatives}: queries that have no relevant document in the corpus, to count how many return nothing at
 * the threshold. {@code --dump}: every candidate's scores and judgment, for fitting the relevance model. An existing
 * {@code --index} directory from an earlier run with the same options is reused (embedding is the slow part).
 */
public final class RetrievalEvaluation {
    static final double THRESHOLD = 0.5;

    private RetrievalEvaluation() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: RetrievalEvaluation BEIR_DIR [--embedding auto|MODEL] [--index DIR] [--negatives FILE] [--dump FILE]");
            System.exit(2);
        }
        Map<String, String> options = Wiring.options(args, 1);
        BeirSet set = BeirSet.read(Path.of(args[0]));
        Map<String, String> negatives = options.containsKey("negatives") ? BeirSet.queries(Path.of(options.get("negatives"))) : Map.of();
        Path indexDir = Path.of(Wiring.option(options, "index", Files.createTempDirectory("meridian-eval").toString()));
        boolean reuse = Files.isDirectory(indexDir) && Files.list(indexDir).anyMatch(p -> p.getFileName().toString().startsWith("segments_"));
        ChunkingPolicy policy = new ChunkingPolicy(Integer.parseInt(Wiring.option(options, "chunk-tokens", "" + ChunkingPolicy.DEFAULT.maxTokens())),
                Integer.parseInt(Wiring.option(options, "overlap", "" + ChunkingPolicy.DEFAULT.overlapTokens())));
        int candidates = Integer.parseInt(Wiring.option(options, "candidates", "100"));
        String embedding = Wiring.option(options, "embedding", "auto");
        MemoryCatalog catalog = new MemoryCatalog();
        try (Wiring.Models models = Wiring.models(embedding);
             LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(indexDir))) {
            System.out.printf("%s: %d documents, %d queries (%d without relevant documents); embedding %s (%s)%n", set.name(),
                    set.corpus().size(), set.queries().size(), negatives.size(), embedding, String.join(", ", models.embeddings().spaces()));
            var ingestion = Wiring.ingestion(catalog, index, models.embeddings(), policy);
            if (reuse) {
                System.out.println("reusing the index in " + indexDir);
                ingestion.create(Wiring.CALLER, Wiring.BASE, "evaluation").get(1, TimeUnit.MINUTES);
            } else {
                long start = System.nanoTime();
                Wiring.ingest(ingestion, set.corpus());
                double seconds = (System.nanoTime() - start) / 1e9;
                long chunks = index.countOutside(null, Set.of()).get(1, TimeUnit.MINUTES);
                System.out.printf("ingested %d chunks in %.1f s (%.1f chunks/s, embedding included) into %s%n", chunks, seconds,
                        chunks / seconds, indexDir);
            }
            KnowledgeRetriever retriever = Wiring.retriever(catalog, index, models.embeddings(), RelevanceModel.DEFAULT, Duration.ofSeconds(60));
            Map<String, double[]> totals = new LinkedHashMap<>();
            PrintWriter dump = options.containsKey("dump")
                    ? new PrintWriter(Files.newBufferedWriter(Path.of(options.get("dump")), StandardCharsets.UTF_8)) : null;
            if (dump != null) {
                dump.println("query\tspace\tchunk\tdocument\tkeyword\tsimilarity\tkeyword_rank\tvector_rank\tgrade");
            }
            int emptyAtThreshold = 0;
            for (Map.Entry<String, String> query : set.queries().entrySet()) {
                Map<String, Integer> judged = set.qrels().get(query.getKey());
                Candidates found = retriever.candidates(Wiring.TENANT, List.of(Wiring.BASE), query.getValue(), candidates, MetadataFilter.NONE)
                        .get(1, TimeUnit.MINUTES);
                if (!found.unavailable().isEmpty()) {
                    throw new IllegalStateException("a search failed: " + found.unavailable());
                }
                write(dump, query.getKey(), found, judged);
                for (Map.Entry<String, List<String>> run : runs(retriever, found).entrySet()) {
                    score(totals, run.getKey(), run.getValue(), judged);
                }
                List<KnowledgeMatch> fin = retriever.query(new KnowledgeQuery(Wiring.TENANT, List.of(Wiring.BASE), query.getValue(), 100, 0,
                        MetadataFilter.NONE, Grouping.DOCUMENT)).get(1, TimeUnit.MINUTES);
                score(totals, "final (/retrieval, by document)", fin.stream().map(m -> Wiring.beirId(m.metadata())).toList(), judged);
                List<String> kept = fin.stream().filter(m -> m.score() >= THRESHOLD).map(m -> Wiring.beirId(m.metadata())).toList();
                score(totals, "final, threshold 0.5", kept, judged);
                emptyAtThreshold += kept.isEmpty() ? 1 : 0;
            }
            int negativesEmpty = 0;
            for (Map.Entry<String, String> query : negatives.entrySet()) {
                Candidates found = retriever.candidates(Wiring.TENANT, List.of(Wiring.BASE), query.getValue(), candidates, MetadataFilter.NONE)
                        .get(1, TimeUnit.MINUTES);
                write(dump, "neg:" + query.getKey(), found, Map.of());
                List<KnowledgeMatch> fin = retriever.query(new KnowledgeQuery(Wiring.TENANT, List.of(Wiring.BASE), query.getValue(), 10, THRESHOLD,
                        MetadataFilter.NONE, Grouping.DOCUMENT)).get(1, TimeUnit.MINUTES);
                negativesEmpty += fin.isEmpty() ? 1 : 0;
            }
            if (dump != null) {
                dump.close();
            }
            int n = set.queries().size();
            System.out.printf("%-36s %8s %11s%n", "run", "nDCG@10", "Recall@100");
            for (Map.Entry<String, double[]> t : totals.entrySet()) {
                System.out.printf("%-36s %8.4f %11.4f%n", t.getKey(), t.getValue()[0] / n, t.getValue()[1] / n);
            }
            double keyword = totals.get("keyword (BM25)")[0];
            System.out.printf("fused / keyword nDCG@10: %.3f; fused - vector: %+.4f; threshold 0.5 costs %.1f%% of final nDCG@10, "
                            + "leaves %d of %d judged queries with nothing%n",
                    totals.get("fused (calibrated relevance)")[0] / keyword,
                    (totals.get("fused (calibrated relevance)")[0] - totals.get("vector")[0]) / n,
                    100 * (1 - totals.get("final, threshold 0.5")[0] / totals.get("final (/retrieval, by document)")[0]), emptyAtThreshold, n);
            if (!negatives.isEmpty()) {
                System.out.printf("queries without a relevant document answered with nothing at threshold 0.5: %d of %d (%.1f%%)%n",
                        negativesEmpty, negatives.size(), 100.0 * negativesEmpty / negatives.size());
            }
        }
    }

    /** Document rankings from one query's candidates, by each method. */
    static Map<String, List<String>> runs(KnowledgeRetriever retriever, Candidates found) {
        List<ScoredChunk> chunks = found.chunks();
        Map<String, List<String>> runs = new LinkedHashMap<>();
        runs.put("keyword (BM25)", documents(chunks.stream().filter(c -> c.keywordRank() > 0)
                .sorted(Comparator.comparingInt(ScoredChunk::keywordRank)).toList()));
        runs.put("vector", documents(chunks.stream().filter(c -> c.vectorRank() > 0)
                .sorted(Comparator.comparingInt(ScoredChunk::vectorRank)).toList()));
        runs.put("RRF (k=60, equal weights)", byScore(chunks, c -> rrf(c, 1, 1)));
        runs.put("RRF (k=60, vector weight 0.5)", byScore(chunks, c -> rrf(c, 1, 0.5)));
        double[] k = minMax(chunks, ScoredChunk::keyword);
        double[] s = minMax(chunks, c -> Double.isNaN(c.similarity()) ? Double.NaN : c.similarity());
        for (double alpha : new double[] {0.3, 0.5, 0.7}) {
            runs.put("convex min-max (keyword " + alpha + ")", byScore(chunks, c -> alpha * norm(c.keyword(), k)
                    + (1 - alpha) * (Double.isNaN(c.similarity()) ? 0 : norm(c.similarity(), s))));
        }
        runs.put("fused (calibrated relevance)", retriever.rank(found).chunks().stream().map(r -> Wiring.beirId(r.hit().metadata()))
                .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)).stream().toList());
        return runs;
    }

    private static double rrf(ScoredChunk c, double keywordWeight, double vectorWeight) {
        return (c.keywordRank() > 0 ? keywordWeight / (60 + c.keywordRank()) : 0) + (c.vectorRank() > 0 ? vectorWeight / (60 + c.vectorRank()) : 0);
    }

    private static double[] minMax(List<ScoredChunk> chunks, ToDoubleFunction<ScoredChunk> score) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (ScoredChunk c : chunks) {
            double v = score.applyAsDouble(c);
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return new double[] {min, max};
    }

    private static double norm(double v, double[] range) {
        return range[1] > range[0] ? (v - range[0]) / (range[1] - range[0]) : 0;
    }

    private static List<String> byScore(List<ScoredChunk> chunks, ToDoubleFunction<ScoredChunk> score) {
        return documents(chunks.stream().sorted(Comparator.comparingDouble((ScoredChunk c) -> -score.applyAsDouble(c))
                .thenComparing(c -> c.hit().chunkId())).toList());
    }

    private static List<String> documents(List<ScoredChunk> ordered) {
        Set<String> seen = new LinkedHashSet<>();
        for (ScoredChunk c : ordered) {
            seen.add(Wiring.beirId(c.hit().metadata()));
        }
        return new ArrayList<>(seen);
    }

    private static void write(PrintWriter dump, String query, Candidates found, Map<String, Integer> judged) {
        if (dump == null) {
            return;
        }
        for (ScoredChunk c : found.chunks()) {
            String doc = Wiring.beirId(c.hit().metadata());
            dump.printf("%s\t%s\t%s\t%s\t%.6f\t%.6f\t%d\t%d\t%d%n", query, found.space(), c.hit().chunkId(), doc, c.keyword(), c.similarity(),
                    c.keywordRank(), c.vectorRank(), judged.getOrDefault(doc, 0));
        }
    }

    private static void score(Map<String, double[]> totals, String run, List<String> ranking, Map<String, Integer> judged) {
        double[] t = totals.computeIfAbsent(run, r -> new double[2]);
        t[0] += Metrics.ndcgAt(10, ranking, judged);
        t[1] += Metrics.recallAt(100, ranking, judged);
    }

    static Map<String, Integer> none() {
        return new HashMap<>();
    }
}
