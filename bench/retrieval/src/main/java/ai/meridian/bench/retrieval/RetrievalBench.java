package ai.meridian.bench.retrieval;

import ai.meridian.adapter.out.lucene.LuceneIndexSettings;
import ai.meridian.adapter.out.lucene.LuceneKnowledgeIndex;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.service.LanguageEmbeddings;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.retrieval.RelevanceModel;
import ai.meridian.application.service.KnowledgeRetriever;
import ai.meridian.domain.retrieval.ChunkingPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Speed of the knowledge index on this machine, as a tool (not a timed test):
 * <ol>
 * <li>ingestion without embedding: {@code --chunks} synthetic chunks (Zipf-distributed English-like and Chinese
 * words, 40 to 160 words each, random unit vectors of {@code --dims}) upserted 500 at a time;</li>
 * <li>fused query latency over that index: {@link KnowledgeRetriever#search} (keyword and vector search in
 * parallel, as grounding runs them) and RRF for {@code --queries} sequential queries of 2 to 6 words, with the query vector given
 * (embedding excluded), then for 200 queries with the real embedding model embedding each query;</li>
 * <li>ingestion with embedding: {@code --embed-docs} documents of a BEIR corpus ({@code --corpus}) chunked,
 * embedded and upserted.</li>
 * </ol>
 * Random vectors have no cluster structure, the hard case for HNSW; real embeddings search faster.
 *
 * <pre>RetrievalBench [--chunks 100000] [--queries 2000] [--dims 512] [--query-skip-top 100] [--corpus BEIR_DIR] [--embed-docs 300] [--index DIR]</pre>
 * An existing {@code --index} directory is reused (ingestion is then not measured); {@code --compact N} merges the
 * index to N segments before querying ({@link LuceneKnowledgeIndex#compact}).
 */
public final class RetrievalBench {
    /** Candidates per list: what grounding asks each knowledge search for by default ({@code knowledge-candidates}). */
    static final int CANDIDATES = ai.meridian.application.service.RetrievalSettings.DEFAULTS.knowledgeCandidates();
    static final KnowledgeScope SCOPE = new KnowledgeScope(Wiring.TENANT, Wiring.BASE);
    private RetrievalBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Wiring.options(args, 0);
        int chunks = Integer.parseInt(Wiring.option(options, "chunks", "100000"));
        int queries = Integer.parseInt(Wiring.option(options, "queries", "2000"));
        int dims = Integer.parseInt(Wiring.option(options, "dims", "512"));
        int embedDocs = Integer.parseInt(Wiring.option(options, "embed-docs", "300"));
        int skipTop = Integer.parseInt(Wiring.option(options, "query-skip-top", "100"));
        Path indexDir = Path.of(Wiring.option(options, "index", Files.createTempDirectory("meridian-bench").toString()));
        System.out.printf("machine: %d cores, JVM max heap %d MB, Java %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
        SyntheticText text = new SyntheticText(new SplittableRandom(7));
        SplittableRandom random = new SplittableRandom(11);
        LuceneIndexSettings settings = LuceneIndexSettings.defaults(indexDir);
        if (options.containsKey("hnsw-candidates") || options.containsKey("exact-search-limit")) {
            settings = settings.withVectorSearch(Integer.parseInt(options.getOrDefault("exact-search-limit", "" + settings.exactSearchLimit())),
                    Integer.parseInt(options.getOrDefault("hnsw-candidates", "" + settings.hnswCandidates())));
        }
        boolean reuse = Files.isDirectory(indexDir) && Files.list(indexDir).anyMatch(p -> p.getFileName().toString().startsWith("segments_"));
        if (reuse) {
            System.out.println("reusing the index in " + indexDir + " (no ingestion measured)");
            new LuceneKnowledgeIndex(settings).close(); // lets the merge policy settle the index, and waits for it
        } else try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(settings)) {
            long start = System.nanoTime();
            List<CompletableFuture<Void>> inFlight = new ArrayList<>();
            for (int from = 0; from < chunks; from += 500) {
                List<IndexedChunk> batch = new ArrayList<>(500);
                for (int i = from; i < Math.min(chunks, from + 500); i++) {
                    batch.add(new IndexedChunk("c" + i, "d" + (i / 8), "", "", text.passage(40 + random.nextInt(121)), i % 8, GivenVectors.SPACE,
                            unitVector(random, dims), DocumentMetadata.EMPTY));
                }
                inFlight.add(index.upsert(SCOPE, batch));
                if (inFlight.size() >= 4) {
                    inFlight.remove(0).get(10, TimeUnit.MINUTES);
                }
            }
            for (CompletableFuture<Void> f : inFlight) {
                f.get(10, TimeUnit.MINUTES);
            }
            double ingestSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("ingestion without embedding: %d chunks in %.1f s = %.0f chunks/s (vectors given, BM25 + HNSW indexing, durable commits)%n",
                    chunks, ingestSeconds, chunks / ingestSeconds);
        }
        // Closing waits for the background merges ingestion started (HNSW graph merges are CPU-heavy); queries are
        // measured on the settled index a restarted gateway would open, not while merges compete for the cores.
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(settings)) {
            if (options.containsKey("compact")) {
                long t0 = System.nanoTime();
                index.compact(Integer.parseInt(options.get("compact"))).get(1, TimeUnit.HOURS);
                System.out.printf("compacted to %d segment(s) in %.1f s%n", index.segmentCount(), (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("index: %d segments; load average before querying: %s%n", index.segmentCount(), loadAverage());

            float[][] queryVectors = new float[queries][];
            String[] queryTexts = new String[queries];
            for (int i = 0; i < queries; i++) {
                queryVectors[i] = unitVector(random, dims);
                queryTexts[i] = text.query(2 + random.nextInt(5), skipTop);
            }
            GivenVectors given = new GivenVectors(dims);
            MemoryCatalog catalog = new MemoryCatalog();
            KnowledgeRetriever search = Wiring.retriever(catalog, index, LanguageEmbeddings.single(given), RelevanceModel.DEFAULT,
                    Duration.ofSeconds(30));
            for (int i = 0; i < Math.min(300, queries); i++) { // warm-up: JIT, page cache
                given.next = queryVectors[i];
                fused(search, queryTexts[i]);
            }
            long[] nanos = new long[queries];
            for (int i = 0; i < queries; i++) {
                given.next = queryVectors[i];
                long t0 = System.nanoTime();
                fused(search, queryTexts[i]);
                nanos[i] = System.nanoTime() - t0;
            }
            report("fused query (one hybrid search, top " + CANDIDATES + " keyword + top " + CANDIDATES
                    + " nearest, both scores for each, calibrated relevance; query vector given)", nanos);
            long[] keywordNanos = new long[Math.min(1000, queries)];
            long[] vectorNanos = new long[keywordNanos.length];
            for (int i = 0; i < keywordNanos.length; i++) {
                long t0 = System.nanoTime();
                index.keywordSearch(Wiring.TENANT, List.of(Wiring.BASE), queryTexts[i], CANDIDATES).get(1, TimeUnit.MINUTES);
                long t1 = System.nanoTime();
                index.vectorSearch(Wiring.TENANT, List.of(Wiring.BASE), GivenVectors.SPACE, queryVectors[i], CANDIDATES).get(1, TimeUnit.MINUTES);
                keywordNanos[i] = t1 - t0;
                vectorNanos[i] = System.nanoTime() - t1;
            }
            report("  keyword search alone (top " + CANDIDATES + ")", keywordNanos);
            report("  vector search alone (top " + CANDIDATES + ")", vectorNanos);

            if (dims == 512) {
                try (Wiring.Models models = Wiring.models("bge-small-zh-v1.5")) {
                    KnowledgeRetriever real = Wiring.retriever(catalog, index, models.embeddings(), RelevanceModel.DEFAULT, Duration.ofSeconds(30));
                    for (int i = 0; i < 50; i++) {
                        fused(real, queryTexts[i]);
                    }
                    long[] withEmbedding = new long[200];
                    for (int i = 0; i < withEmbedding.length; i++) {
                        long t0 = System.nanoTime();
                        fused(real, queryTexts[i % queries]);
                        withEmbedding[i] = System.nanoTime() - t0;
                    }
                    report("fused query including embedding the query with bge-small-zh-v1.5 (its vectors are not in this index: "
                            + "keyword candidates only)", withEmbedding);
                }
            }
            if (options.containsKey("corpus")) {
                try (Wiring.Models models = Wiring.models("auto")) {
                    ingestWithEmbedding(models, index, BeirSet.read(Path.of(options.get("corpus"))), embedDocs);
                }
            }
        }
        if (!options.getOrDefault("recall", "40,100," + settings.hnswCandidates()).equals("none")) {
            float[][] recallQueries = new float[Integer.parseInt(Wiring.option(options, "recall-queries", "200"))][];
            SplittableRandom r = new SplittableRandom(13);
            for (int i = 0; i < recallQueries.length; i++) {
                recallQueries[i] = unitVector(r, dims);
            }
            recallSweep(settings, chunks, dims, recallQueries, options.getOrDefault("recall", "40,100," + settings.hnswCandidates()));
        }
        if (options.containsKey("exact-latency")) {
            // What exhaustive search of the whole scope would cost: the figure that sets exact-search-limit.
            try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(settings.withVectorSearch(Integer.MAX_VALUE, settings.hnswCandidates()))) {
                SplittableRandom r = new SplittableRandom(17);
                long[] nanos = new long[Integer.parseInt(options.get("exact-latency"))];
                for (int i = 0; i < nanos.length + 20; i++) {
                    float[] q = unitVector(r, dims);
                    long t0 = System.nanoTime();
                    index.vectorSearch(Wiring.TENANT, List.of(Wiring.BASE), GivenVectors.SPACE, q, CANDIDATES).get(1, TimeUnit.MINUTES);
                    if (i >= 20) {
                        nanos[i - 20] = System.nanoTime() - t0;
                    }
                }
                report("exact vector search of all " + chunks + " chunks (top " + CANDIDATES + "); load " + loadAverage(), nanos);
            }
        }
    }

    private static void fused(KnowledgeRetriever retriever, String query) throws Exception {
        KnowledgeRetriever.Ranked ranked = retriever.search(Wiring.TENANT, List.of(Wiring.BASE), query, CANDIDATES, MetadataFilter.NONE)
                .get(1, TimeUnit.MINUTES);
        if (!ranked.unavailable().isEmpty()) {
            throw new IllegalStateException("a search failed: " + ranked.unavailable());
        }
    }

    /**
     * Recall of the index's nearest-neighbour search against exact search, for each HNSW candidate count given: the
     * synthetic vectors are drawn again from the same seed, the true top 10 and top {@link #CANDIDATES} of each query
     * computed by brute force once, and the index opened with each setting in turn (vector search latency is printed
     * with it: recall costs time).
     */
    private static void recallSweep(LuceneIndexSettings settings, int chunks, int dims, float[][] queries, String efs) throws Exception {
        SyntheticText text = new SyntheticText(new SplittableRandom(7));
        SplittableRandom random = new SplittableRandom(11);
        float[][] vectors = new float[chunks][];
        for (int i = 0; i < chunks; i++) {
            text.passage(40 + random.nextInt(121));
            vectors[i] = unitVector(random, dims);
        }
        int[] ks = {10, CANDIDATES};
        List<List<java.util.Set<String>>> truth = new ArrayList<>();
        for (float[] query : queries) {
            double[] cos = new double[chunks];
            Integer[] order = new Integer[chunks];
            for (int i = 0; i < chunks; i++) {
                order[i] = i;
                double d = 0;
                for (int k = 0; k < dims; k++) {
                    d += query[k] * vectors[i][k];
                }
                cos[i] = d;
            }
            Arrays.sort(order, (a, b) -> Double.compare(cos[b], cos[a]));
            List<java.util.Set<String>> sets = new ArrayList<>();
            for (int k : ks) {
                java.util.Set<String> top = new java.util.HashSet<>();
                for (int i = 0; i < k; i++) {
                    top.add("c" + order[i]);
                }
                sets.add(top);
            }
            truth.add(sets);
        }
        for (String ef : efs.split(",")) {
            try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(settings.withVectorSearch(settings.exactSearchLimit(), Integer.parseInt(ef.strip())))) {
                double[] found = new double[ks.length];
                long[] nanos = new long[queries.length];
                for (int q = 0; q < queries.length; q++) {
                    for (int j = 0; j < ks.length; j++) {
                        long t0 = System.nanoTime();
                        List<IndexHit> hits = index.vectorSearch(Wiring.TENANT, List.of(Wiring.BASE), GivenVectors.SPACE, queries[q], ks[j])
                                .get(1, TimeUnit.MINUTES);
                        if (ks[j] == CANDIDATES) {
                            nanos[q] = System.nanoTime() - t0;
                        }
                        java.util.Set<String> want = truth.get(q).get(j);
                        found[j] += hits.stream().filter(h -> want.contains(h.chunkId())).count() / (double) ks[j];
                    }
                }
                System.out.printf("vector recall against exact search over %d chunks (%d queries, %d segments), hnsw-candidates %s: "
                                + "recall@10 %.4f, recall@%d %.4f; load %s%n", chunks, queries.length, index.segmentCount(), ef.strip(),
                        found[0] / queries.length, CANDIDATES, found[1] / queries.length, loadAverage());
                report("  vector search alone (top " + CANDIDATES + ") at hnsw-candidates " + ef.strip(), nanos);
            }
        }
    }

    /** The gateway's ingestion (chunking, language-routed embedding, indexing) of {@code docs} documents of a BEIR corpus. */
    private static void ingestWithEmbedding(Wiring.Models models, LuceneKnowledgeIndex index, BeirSet corpus, int docs) throws Exception {
        MemoryCatalog catalog = new MemoryCatalog();
        var ingestion = Wiring.ingestion(catalog, index, models.embeddings(), ChunkingPolicy.DEFAULT);
        long before = index.countOutside(null, java.util.Set.of()).get(1, TimeUnit.MINUTES);
        long start = System.nanoTime();
        Wiring.ingest(ingestion, corpus.corpus().subList(0, Math.min(docs, corpus.corpus().size())));
        double seconds = (System.nanoTime() - start) / 1e9;
        long added = index.countOutside(null, java.util.Set.of()).get(1, TimeUnit.MINUTES) - before;
        System.out.printf("ingestion with embedding (%s): %d chunks of %d %s documents in %.1f s = %.1f chunks/s%n",
                String.join(" + ", models.embeddings().spaces()), added, docs, corpus.name(), seconds, added / seconds);
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%s: n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", what, sorted.length,
                sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.90)] / 1e6,
                sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    /** Other work on the machine skews latency; the figures are printed with the 1-minute load average they were taken under. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static float[] unitVector(SplittableRandom random, int dims) {
        float[] v = new float[dims];
        double sum = 0;
        for (int i = 0; i < dims; i++) {
            double g = gaussian(random);
            v[i] = (float) g;
            sum += g * g;
        }
        float norm = (float) Math.sqrt(sum);
        for (int i = 0; i < dims; i++) {
            v[i] /= norm;
        }
        return v;
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double w = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
    }

    /** Stands in for the embedding model where the bench measures search alone: returns the vector set for the next query. */
    static final class GivenVectors implements EmbedTextPort {
        static final String SPACE = "given-vectors";
        private final int dims;
        volatile float[] next;

        GivenVectors(int dims) {
            this.dims = dims;
        }

        @Override
        public String model() {
            return "given-vectors";
        }

        @Override
        public int dimensions() {
            return dims;
        }

        @Override
        public int countTokens(String text) {
            return 0;
        }

        @Override
        public int maxInputTokens() {
            return 512;
        }

        @Override
        public CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use) {
            return CompletableFuture.completedFuture(List.of(next));
        }
    }

    /** Text whose word frequencies follow Zipf's law, as natural text does, so BM25's postings have realistic lengths. */
    static final class SyntheticText {
        private static final String[] SYLLABLES = {"ka", "ro", "mi", "te", "su", "na", "lo", "pe", "vi", "da", "ge", "ul", "an",
                "or", "is", "en", "tra", "pol", "mer", "dex"};
        private static final String HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严";
        private final SplittableRandom random;
        private final String[] english = new String[20_000];
        private final String[] chinese = new String[8_000];
        private final double[] englishCdf;
        private final double[] chineseCdf;

        SyntheticText(SplittableRandom random) {
            this.random = random;
            for (int i = 0; i < english.length; i++) {
                StringBuilder word = new StringBuilder();
                int n = 1 + (i < 100 ? 0 : random.nextInt(3));
                for (int s = 0; s <= n; s++) {
                    word.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
                }
                english[i] = word.toString();
            }
            for (int i = 0; i < chinese.length; i++) {
                chinese[i] = "" + HAN.charAt(random.nextInt(HAN.length())) + HAN.charAt(random.nextInt(HAN.length()));
            }
            englishCdf = zipf(english.length);
            chineseCdf = zipf(chinese.length);
        }

        private static double[] zipf(int n) {
            double[] cdf = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += 1.0 / (i + 1);
                cdf[i] = sum;
            }
            for (int i = 0; i < n; i++) {
                cdf[i] /= sum;
            }
            return cdf;
        }

        private String pick(String[] words, double[] cdf) {
            int i = Arrays.binarySearch(cdf, random.nextDouble());
            return words[Math.min(words.length - 1, i < 0 ? -i - 1 : i)];
        }

        /** Four in five passages English-like, one in five Chinese, with sentence punctuation. */
        String passage(int words) {
            boolean zh = random.nextInt(5) == 0;
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < words; i++) {
                if (zh) {
                    text.append(pick(chinese, chineseCdf)).append(i % 12 == 11 ? "。" : "");
                } else {
                    text.append(pick(english, englishCdf)).append(i % 12 == 11 ? ". " : " ");
                }
            }
            return text.toString();
        }

        /**
         * Query words are drawn by the same law but never from the {@code skipTop} most frequent words: in real text
         * those are stop words, which the analyzer drops from queries; here they are ordinary pseudo-words that
         * match nearly every chunk. {@code --query-skip-top 0} keeps them (the pessimistic case).
         */
        String query(int words, int skipTop) {
            boolean zh = random.nextInt(5) == 0;
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < words; i++) {
                String word;
                do {
                    word = zh ? pick(chinese, chineseCdf) : pick(english, englishCdf);
                } while (rank(word, zh ? chinese : english) < skipTop);
                text.append(word).append(zh ? "" : " ");
            }
            return text.toString().strip();
        }

        private static int rank(String word, String[] words) {
            for (int i = 0; i < words.length; i++) {
                if (words[i].equals(word)) {
                    return i;
                }
            }
            return words.length;
        }
    }
}
