package ai.meridian.adapter.out.lucene;

import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.application.port.out.retrieval.StoredChunk;
import ai.meridian.application.port.out.retrieval.VectorSpaces;
import java.util.Comparator;
import java.util.HashMap;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * The embedded knowledge index: one Lucene index on disk holding every tenant's chunks. Each chunk is one
 * Lucene document with its tenant-and-base, document and chunk keys as exact-match terms, its title and text analysed
 * for BM25 ({@link MixedLanguageAnalyzer}), and its vector in an HNSW graph (dot product of unit vectors,
 * i.e. cosine). Every search is filtered by tenant and knowledge base inside Lucene, before ranking, so
 * another tenant's chunks can neither be returned nor crowd out this tenant's results.
 *
 * <p>Writes run on the adapter's write threads and complete once committed (fsync) and visible to search,
 * grouped so concurrent writers share commits ({@link GroupCommit}). Searches run on the adapter's search
 * threads over near-real-time searchers. Vectors of different lengths (a change of embedding model) live in
 * different fields, so chunks embedded by another model are never compared with a query's vector.
 */
public final class LuceneKnowledgeIndex implements KnowledgeIndexPort, AutoCloseable {
    static final String SOURCE = "lucene";
    /** Query terms beyond this add cost but hardly change the ranking. */
    static final int MAX_QUERY_TERMS = 64;
    static final int SEGMENTS_PER_TIER = 4;
    static final double FLOOR_SEGMENT_MB = 16;

    private static final String KNOWLEDGE_BASE = "kb";
    private static final String SCOPE_KEY = "scope_key";
    private static final String DOCUMENT_KEY = "doc_key";
    private static final String CHUNK_KEY = "chunk_key";
    private static final String CHUNK_ID = "chunk_id";
    private static final String DOCUMENT_ID = "doc_id";
    private static final String TITLE = "title";
    private static final String URL = "url";
    private static final String TEXT = "text";
    private static final String POSITION = "position";
    private static final String SEARCHABLE = "body";
    private static final String TENANT = "tenant";
    private static final String SPACE = "space";
    /** Extra hits fetched past the last rank asked for, so ties at the cut are broken by chunk id, not segment order. */
    static final int TIE_MARGIN = 16;

    private final Analyzer analyzer = new MixedLanguageAnalyzer();
    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final GroupCommit commits;
    private final ExecutorService committer;
    private final ThreadPoolExecutor writes;
    private final ThreadPoolExecutor searches;
    private final int exactSearchLimit;
    private static final System.Logger LOG = System.getLogger(LuceneKnowledgeIndex.class.getName());
    private final int hnswCandidates;
    private final java.time.Duration compactAfterIdle;
    private final int compactToSegments;
    /** Checks for a quiet spell to compact in; null when idle compaction is off. */
    private final java.util.concurrent.ScheduledExecutorService idleCheck;
    private volatile long lastWriteNanos = System.nanoTime();
    /** Set when a quiet spell was looked at (compacted or not worth it); a write clears it. */
    private volatile boolean compactedSinceLastWrite;

    public LuceneKnowledgeIndex(LuceneIndexSettings settings) {
        try {
            Files.createDirectories(settings.directory());
            this.directory = FSDirectory.open(settings.directory());
            // A knowledge base is written in bursts and searched all the time, and every segment costs each query
            // one more BM25 pass and one more HNSW graph walk: merge harder than Lucene's defaults (2 MB floor,
            // 10 segments per tier). Commits after each upsert flush small segments, which the floor merges away
            // early. A much higher floor (256 MB was measured) cut 100k chunks from 14 to 9 segments without a
            // measurable latency gain but with long HNSW merges; compact() after bulk ingestion is what pays.
            TieredMergePolicy merges = new TieredMergePolicy();
            merges.setSegmentsPerTier(SEGMENTS_PER_TIER);
            merges.setFloorSegmentMB(FLOOR_SEGMENT_MB);
            IndexWriterConfig config = new IndexWriterConfig(analyzer)
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(settings.ramBufferMb())
                    .setMergePolicy(merges);
            this.writer = new IndexWriter(directory, config);
            // An index written under other merge settings is brought into shape in the background.
            writer.maybeMerge();
            this.searchers = new SearcherManager(writer, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the knowledge index at " + settings.directory()
                    + " (is another Meridian using it?): " + e.getMessage(), e);
        }
        this.committer = Executors.newSingleThreadExecutor(daemon("meridian-lucene-commit", new AtomicInteger()));
        this.commits = new GroupCommit(writer, searchers, committer);
        this.writes = pool("meridian-lucene-write", settings.writeThreads());
        this.searches = pool("meridian-lucene-search", settings.searchThreads());
        this.exactSearchLimit = settings.exactSearchLimit();
        this.hnswCandidates = settings.hnswCandidates();
        this.compactAfterIdle = settings.compactAfterIdle();
        this.compactToSegments = settings.compactToSegments();
        if (compactAfterIdle.isZero()) {
            this.idleCheck = null;
        } else {
            this.idleCheck = Executors.newSingleThreadScheduledExecutor(daemon("meridian-lucene-compact", new AtomicInteger()));
            long every = Math.max(50, Math.min(30_000, compactAfterIdle.toMillis() / 4));
            idleCheck.scheduleWithFixedDelay(this::compactIfIdle, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A quiet index with many segments is merged down in the background: every segment costs each query a BM25 pass and
     * an HNSW walk, and after an ingestion burst Lucene's own merging leaves several. Once per quiet spell (a write starts
     * a new one), only above twice the target, so a few small segments added later are not worth a rewrite.
     */
    private void compactIfIdle() {
        long quietFor = System.nanoTime() - lastWriteNanos;
        if (compactedSinceLastWrite || quietFor < compactAfterIdle.toNanos() || writes.isShutdown()) {
            return;
        }
        compactedSinceLastWrite = true;
        try {
            int segments = segmentCount();
            if (segments <= 2 * compactToSegments) {
                return;
            }
            long start = System.nanoTime();
            compact(compactToSegments).get();
            LOG.log(System.Logger.Level.INFO, "knowledge index compacted from " + segments + " to " + segmentCount() + " segments in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms after " + compactAfterIdle + " without writes");
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "compacting the idle knowledge index failed; it is tried again after the next quiet spell", e);
        }
    }

    @Override
    public CompletableFuture<Void> upsert(KnowledgeScope scope, List<IndexedChunk> chunks) {
        List<Document> documents = new ArrayList<>(chunks.size());
        List<Term> keys = new ArrayList<>(chunks.size());
        // Validated and built before anything is written, so a bad chunk fails the call without a partial write.
        for (IndexedChunk chunk : chunks) {
            documents.add(document(scope, chunk));
            keys.add(new Term(CHUNK_KEY, key(scope.tenant(), scope.knowledgeBase(), chunk.chunkId())));
        }
        if (documents.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return write(() -> {
            long last = 0;
            for (int i = 0; i < documents.size(); i++) {
                last = writer.updateDocument(keys.get(i), documents.get(i));
            }
            return last;
        });
    }

    @Override
    public CompletableFuture<Void> deleteDocument(KnowledgeScope scope, String documentId) {
        requireText(documentId, "documentId");
        Term term = new Term(DOCUMENT_KEY, key(scope.tenant(), scope.knowledgeBase(), documentId));
        return write(() -> writer.deleteDocuments(term));
    }

    @Override
    public CompletableFuture<Void> deleteKnowledgeBase(KnowledgeScope scope) {
        Term term = new Term(SCOPE_KEY, key(scope.tenant(), scope.knowledgeBase()));
        return write(() -> writer.deleteDocuments(term));
    }

    @Override
    public CompletableFuture<List<ScoredChunk>> search(ChunkQuery query) {
        if (query.knowledgeBases().isEmpty() || (!query.hasText() && !query.hasVector())) {
            return CompletableFuture.completedFuture(List.of());
        }
        float[] unit = query.hasVector() ? unitVector(query.vector(), "query vector") : null;
        Query metadata = MetadataFields.query(query.filter());
        IndexSearcher searcher;
        try {
            searcher = searchers.acquire();
        } catch (IOException | AlreadyClosedException e) {
            return CompletableFuture.failedFuture(unavailable(e));
        }
        // The keyword and the vector part run at once on two search threads, over the same point-in-time searcher;
        // the thread that finishes last scores the candidates both ways.
        HybridSearch hybrid = new HybridSearch(searcher, query, unit, metadata);
        CompletableFuture<List<Ranked>> keyword = query.hasText() ? searchAny(hybrid::keywordTop) : CompletableFuture.completedFuture(null);
        CompletableFuture<List<Ranked>> nearest = unit != null ? searchAny(hybrid::nearestTop) : CompletableFuture.completedFuture(null);
        return keyword.thenCombine(nearest, (k, n) -> {
            try {
                return hybrid.finish(k, n);
            } catch (IOException | RuntimeException e) {
                throw new java.util.concurrent.CompletionException(unavailable(e));
            }
        }).whenComplete((result, error) -> {
            try {
                searchers.release(searcher);
            } catch (IOException e) {
                // The searcher is released when the manager closes; nothing more to do.
            }
        });
    }

    @Override
    public CompletableFuture<List<StoredChunk>> chunksOutside(Set<String> spaces, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        Query stale = outside(spaces);
        return searchAny(() -> {
            IndexSearcher searcher = searchers.acquire();
            try {
                List<StoredChunk> found = new ArrayList<>();
                StoredFields stored = searcher.storedFields();
                // The scope (tenant and base) of chunks written before the tenant was stored is only in the scope key's
                // terms: collect the keys (each once, from every segment), then search one scope at a time.
                java.util.TreeSet<String> keys = new java.util.TreeSet<>();
                for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                    Terms terms = leaf.reader().terms(SCOPE_KEY);
                    if (terms != null) {
                        TermsEnum scopes = terms.iterator();
                        for (BytesRef term = scopes.next(); term != null; term = scopes.next()) {
                            keys.add(term.utf8ToString());
                        }
                    }
                }
                for (String key : keys) {
                    if (found.size() >= limit) {
                        break;
                    }
                    KnowledgeScope scope = scopeOf(key);
                    Query inScope = new BooleanQuery.Builder().add(new TermQuery(new Term(SCOPE_KEY, key)), Occur.FILTER)
                            .add(stale, Occur.FILTER).build();
                    TopDocs top = searcher.search(inScope, limit - found.size());
                    for (ScoreDoc hit : top.scoreDocs) {
                        Document doc = stored.document(hit.doc);
                        found.add(new StoredChunk(scope, new IndexedChunk(doc.get(CHUNK_ID), doc.get(DOCUMENT_ID), doc.get(TITLE),
                                doc.get(URL), doc.get(TEXT), doc.getField(POSITION).numericValue().intValue(), spaceOf(doc),
                                new float[] {1}, MetadataFields.read(doc))));
                    }
                }
                return found;
            } finally {
                searchers.release(searcher);
            }
        });
    }

    @Override
    public CompletableFuture<Long> countOutside(KnowledgeScope scope, Set<String> spaces) {
        Query stale = scope == null ? outside(spaces) : new BooleanQuery.Builder()
                .add(new TermQuery(new Term(SCOPE_KEY, key(scope.tenant(), scope.knowledgeBase()))), Occur.FILTER)
                .add(outside(spaces), Occur.FILTER).build();
        return searchAny(() -> {
            IndexSearcher searcher = searchers.acquire();
            try {
                return (long) searcher.count(stale);
            } finally {
                searchers.release(searcher);
            }
        });
    }

    private static Query outside(Set<String> spaces) {
        spaces.forEach(VectorSpaces::check);
        return new BooleanQuery.Builder().add(new MatchAllDocsQuery(), Occur.FILTER)
                .add(new TermInSetQuery(SPACE, spaces.stream().map(BytesRef::new).toList()), Occur.MUST_NOT).build();
    }

    private static String spaceOf(Document doc) {
        String space = doc.get(SPACE);
        return space == null ? IndexedChunk.DEFAULT_SPACE : space;
    }

    /** The tenant and base of a scope key ({@code len:tenant len:base}). */
    static KnowledgeScope scopeOf(String key) {
        int colon = key.indexOf(':');
        int length = Integer.parseInt(key.substring(0, colon));
        String tenant = key.substring(colon + 1, colon + 1 + length);
        String rest = key.substring(colon + 1 + length);
        int colon2 = rest.indexOf(':');
        return new KnowledgeScope(tenant, rest.substring(colon2 + 1));
    }

    /**
     * One query's keyword and vector candidates on one searcher, each scored both ways. Keyword scores are BM25 divided
     * by the query's attainable maximum: Lucene's BM25 term score is {@code idf · tf / (tf + k1·(1 − b + b·dl/avgdl))},
     * which tends to {@code idf} as tf grows, so the maximum is the sum of the query terms' IDF (times their count).
     */
    private final class HybridSearch {
        private final IndexSearcher searcher;
        private final ChunkQuery query;
        private final float[] unit;
        private final Query filter;
        private final Map<Integer, Candidate> candidates = new HashMap<>();

        HybridSearch(IndexSearcher searcher, ChunkQuery query, float[] unit, Query metadata) {
            this.searcher = searcher;
            this.query = query;
            this.unit = unit;
            BooleanQuery.Builder f = new BooleanQuery.Builder().add(scopeFilter(query.tenant(), query.knowledgeBases()), Occur.FILTER);
            if (metadata != null) {
                f.add(metadata, Occur.FILTER);
            }
            this.filter = f.build();
        }

        private Query keywordQuery;
        private double attainable;

        /** The best keyword candidates (and what the query could score at most); null when the query has no term. */
        List<Ranked> keywordTop() throws IOException {
            Map<String, Integer> terms = analyze(query.text());
            if (terms.isEmpty()) {
                return null;
            }
            BooleanQuery.Builder anyTerm = new BooleanQuery.Builder();
            CollectionStatistics collection = searcher.collectionStatistics(SEARCHABLE);
            long documents = collection == null ? 0 : collection.docCount();
            double max = 0;
            for (Map.Entry<String, Integer> t : terms.entrySet()) {
                Term term = new Term(SEARCHABLE, t.getKey());
                Query termQuery = new TermQuery(term);
                anyTerm.add(t.getValue() == 1 ? termQuery : new BoostQuery(termQuery, t.getValue()), Occur.SHOULD);
                int docFreq = searcher.getIndexReader().docFreq(term);
                max += t.getValue() * Math.log(1 + (documents - docFreq + 0.5) / (docFreq + 0.5));
            }
            keywordQuery = anyTerm.build();
            attainable = max;
            Query scoped = new BooleanQuery.Builder().add(keywordQuery, Occur.MUST).add(filter, Occur.FILTER).build();
            TopDocs top = searcher.search(scoped, query.candidates() + TIE_MARGIN);
            List<Ranked> ranked = new ArrayList<>();
            for (ScoreDoc d : top.scoreDocs) {
                ranked.add(new Ranked(d.doc, d.score));
            }
            return ranked;
        }

        List<Ranked> nearestTop() throws IOException {
            return nearest(vectorField(query.space()));
        }

        /** Ranks both lists, scores every candidate the other way, and reads the hits. */
        List<ScoredChunk> finish(List<Ranked> keyword, List<Ranked> nearest) throws IOException {
            StoredFields stored = searcher.storedFields();
            if (keyword != null) {
                rank(keyword, stored, true, attainable);
            }
            if (nearest != null) {
                rank(nearest, stored, false, 0);
                fillSimilarities(vectorField(query.space()));
            }
            if (keywordQuery != null) {
                fillKeywordScores(keywordQuery, attainable);
            }
            List<ScoredChunk> result = new ArrayList<>(candidates.size());
            for (Candidate c : candidates.values()) {
                Document doc = stored.document(c.doc);
                IndexHit hit = new IndexHit(doc.get(CHUNK_ID), doc.get(DOCUMENT_ID), doc.get(KNOWLEDGE_BASE), doc.get(TITLE), doc.get(URL),
                        doc.get(TEXT), doc.getField(POSITION).numericValue().intValue(), 0, MetadataFields.read(doc));
                result.add(new ScoredChunk(hit, Math.min(1.0, c.keyword), c.similarity, c.keywordRank, c.vectorRank));
            }
            return result;
        }

        /**
         * Keeps the best {@code candidates} by score, ties by chunk id (so the order does not depend on segment layout);
         * chunk ids are read only for chunks whose score another shares.
         */
        private void rank(List<Ranked> ranked, StoredFields stored, boolean keyword, double attainable) throws IOException {
            ranked.sort(Comparator.comparingDouble((Ranked r) -> -r.score));
            List<Ranked> ordered = new ArrayList<>(ranked.size());
            for (int i = 0; i < ranked.size(); ) {
                int j = i + 1;
                while (j < ranked.size() && ranked.get(j).score == ranked.get(i).score) {
                    j++;
                }
                if (j - i == 1) {
                    ordered.add(ranked.get(i));
                } else {
                    List<String[]> tied = new ArrayList<>();
                    for (int k = i; k < j; k++) {
                        tied.add(new String[] {stored.document(ranked.get(k).doc, Set.of(CHUNK_ID)).get(CHUNK_ID), String.valueOf(k)});
                    }
                    tied.sort(Comparator.comparing((String[] t) -> t[0]));
                    tied.forEach(t -> ordered.add(ranked.get(Integer.parseInt(t[1]))));
                }
                i = j;
            }
            for (int i = 0; i < Math.min(query.candidates(), ordered.size()); i++) {
                Ranked r = ordered.get(i);
                Candidate c = candidates.computeIfAbsent(r.doc, Candidate::new);
                if (keyword) {
                    c.keywordRank = i + 1;
                    c.keyword = attainable > 0 ? r.score / attainable : 0;
                    c.keywordKnown = true;
                } else {
                    c.vectorRank = i + 1;
                    c.similarity = r.score;
                }
            }
        }

        /** The nearest chunks: exhaustively when the scope holds few enough vectors, else by HNSW with extra candidates. */
        private List<Ranked> nearest(String field) throws IOException {
            Query withVectors = new BooleanQuery.Builder().add(filter, Occur.FILTER).add(new FieldExistsQuery(field), Occur.FILTER).build();
            int want = query.candidates() + TIE_MARGIN;
            List<Ranked> ranked = new ArrayList<>();
            if (exactFits(withVectors)) {
                PriorityQueue<double[]> best = new PriorityQueue<>(Comparator.comparingDouble(e -> e[0]));
                Weight weight = searcher.createWeight(searcher.rewrite(withVectors), ScoreMode.COMPLETE_NO_SCORES, 1f);
                for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                    Scorer scorer = weight.scorer(leaf);
                    FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
                    if (scorer == null || values == null) {
                        continue;
                    }
                    Bits live = leaf.reader().getLiveDocs();
                    DocIdSetIterator docs = scorer.iterator();
                    for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                        if (live != null && !live.get(doc)) {
                            continue;
                        }
                        if (values.docID() < doc) {
                            values.advance(doc);
                        }
                        if (values.docID() == doc) {
                            float cosine = VectorUtil.dotProduct(unit, values.vectorValue());
                            if (best.size() < want) {
                                best.add(new double[] {cosine, leaf.docBase + doc});
                            } else if (cosine > best.peek()[0]) {
                                best.poll();
                                best.add(new double[] {cosine, leaf.docBase + doc});
                            }
                        }
                    }
                }
                for (double[] e : best) {
                    int doc = (int) e[1];
                    ranked.add(new Ranked(doc, e[0]));
                }
            } else {
                TopDocs top = searcher.search(new KnnFloatVectorQuery(field, unit, Math.max(want, hnswCandidates), filter), want);
                for (ScoreDoc d : top.scoreDocs) {
                    // Lucene scores DOT_PRODUCT as (1 + cos) / 2; hits report the cosine itself, as Qdrant does.
                    ranked.add(new Ranked(d.doc, 2.0 * d.score - 1.0));
                }
            }
            return ranked;
        }

        /**
         * Whether the scope holds few enough vectors for exhaustive search. The scope keys' document frequencies bound
         * it from above at no cost; only a metadata filter over a large scope needs the exact count.
         */
        private boolean exactFits(Query withVectors) throws IOException {
            long upper = 0;
            for (String kb : query.knowledgeBases().stream().distinct().toList()) {
                upper += searcher.getIndexReader().docFreq(new Term(SCOPE_KEY, key(query.tenant(), kb)));
            }
            if (upper <= exactSearchLimit) {
                return true;
            }
            return !query.filter().isNone() && searcher.count(withVectors) <= exactSearchLimit;
        }

        /** The cosine of every candidate that has a vector in the field and was not a nearest neighbour. */
        private void fillSimilarities(String field) throws IOException {
            for (Map.Entry<LeafReaderContext, List<Candidate>> byLeaf : byLeaf(c -> c.vectorRank == 0).entrySet()) {
                FloatVectorValues values = byLeaf.getKey().reader().getFloatVectorValues(field);
                if (values == null) {
                    continue;
                }
                for (Candidate c : byLeaf.getValue()) {
                    int doc = c.doc - byLeaf.getKey().docBase;
                    if (values.docID() < doc) {
                        values.advance(doc);
                    }
                    if (values.docID() == doc) {
                        c.similarity = VectorUtil.dotProduct(unit, values.vectorValue());
                    }
                }
            }
        }

        /** The normalised BM25 score of every candidate the keyword search did not rank (0 when it has no query term). */
        private void fillKeywordScores(Query keywordQuery, double attainable) throws IOException {
            Weight weight = searcher.createWeight(searcher.rewrite(keywordQuery), ScoreMode.COMPLETE, 1f);
            for (Map.Entry<LeafReaderContext, List<Candidate>> byLeaf : byLeaf(c -> !c.keywordKnown).entrySet()) {
                Scorer scorer = weight.scorer(byLeaf.getKey());
                if (scorer == null) {
                    continue;
                }
                DocIdSetIterator docs = scorer.iterator();
                for (Candidate c : byLeaf.getValue()) {
                    int doc = c.doc - byLeaf.getKey().docBase;
                    if (docs.docID() < doc) {
                        docs.advance(doc);
                    }
                    if (docs.docID() == doc && attainable > 0) {
                        c.keyword = scorer.score() / attainable;
                    }
                }
            }
        }

        /** Candidates that pass the test, grouped by segment, in document order. */
        private Map<LeafReaderContext, List<Candidate>> byLeaf(java.util.function.Predicate<Candidate> test) {
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            Map<LeafReaderContext, List<Candidate>> grouped = new LinkedHashMap<>();
            candidates.values().stream().filter(test).sorted(Comparator.comparingInt((Candidate c) -> c.doc)).forEach(c ->
                    grouped.computeIfAbsent(leaves.get(ReaderUtil.subIndex(c.doc, leaves)), l -> new ArrayList<>()).add(c));
            return grouped;
        }
    }

    private record Ranked(int doc, double score) {
    }

    private static final class Candidate {
        final int doc;
        double keyword;
        boolean keywordKnown;
        double similarity = Double.NaN;
        int keywordRank;
        int vectorRank;

        Candidate(int doc) {
            this.doc = doc;
        }
    }

    /**
     * Merges the index down to at most {@code maxSegments} segments, then commits. Every segment costs each query
     * a BM25 pass and an HNSW walk, so after a bulk ingestion (or nightly) this is what brings query latency down
     * to its floor; it is CPU- and IO-heavy (HNSW graphs are rebuilt), so it is an operator's or a scheduler's
     * decision, not something the index does on its own. Searches continue meanwhile.
     */
    public CompletableFuture<Void> compact(int maxSegments) {
        if (maxSegments < 1) {
            throw new IllegalArgumentException("maxSegments must be at least 1");
        }
        return write(() -> {
            writer.forceMerge(maxSegments);
            return writer.getMaxCompletedSequenceNumber();
        });
    }

    /** How many segments searches currently walk. */
    public int segmentCount() throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            return searcher.getIndexReader().leaves().size();
        } finally {
            searchers.release(searcher);
        }
    }

    /**
     * The tenant's named bases as one exact-match filter on the combined tenant-and-base key: a single postings
     * list per base instead of a tenant list intersected with a base list, and no way to name another
     * tenant's base, since the tenant is part of every key.
     */
    private static Query scopeFilter(String tenant, List<String> knowledgeBases) {
        if (knowledgeBases.size() == 1) {
            return new TermQuery(new Term(SCOPE_KEY, key(tenant, knowledgeBases.get(0))));
        }
        List<BytesRef> keys = knowledgeBases.stream().distinct().map(kb -> new BytesRef(key(tenant, kb))).toList();
        return new TermInSetQuery(SCOPE_KEY, keys);
    }

    private Document document(KnowledgeScope scope, IndexedChunk chunk) {
        requireText(chunk.chunkId(), "chunkId");
        requireText(chunk.documentId(), "documentId");
        float[] unit = unitVector(chunk.vector(), "the vector of chunk " + chunk.chunkId());
        Document doc = new Document();
        doc.add(new StoredField(TENANT, scope.tenant()));
        doc.add(new StoredField(KNOWLEDGE_BASE, scope.knowledgeBase()));
        doc.add(new StringField(SCOPE_KEY, key(scope.tenant(), scope.knowledgeBase()), Field.Store.NO));
        doc.add(new StringField(DOCUMENT_KEY, key(scope.tenant(), scope.knowledgeBase(), chunk.documentId()), Field.Store.NO));
        doc.add(new StringField(CHUNK_KEY, key(scope.tenant(), scope.knowledgeBase(), chunk.chunkId()), Field.Store.NO));
        doc.add(new StoredField(CHUNK_ID, chunk.chunkId()));
        doc.add(new StoredField(DOCUMENT_ID, chunk.documentId()));
        doc.add(new StoredField(TITLE, chunk.title()));
        doc.add(new StoredField(URL, chunk.url()));
        doc.add(new StoredField(TEXT, chunk.text()));
        doc.add(new StoredField(POSITION, chunk.position()));
        doc.add(new StringField(SPACE, chunk.space(), Field.Store.YES));
        doc.add(new TextField(SEARCHABLE, chunk.title().isEmpty() ? chunk.text() : chunk.title() + "\n" + chunk.text(), Field.Store.NO));
        doc.add(new KnnFloatVectorField(vectorField(chunk.space()), unit, VectorSimilarityFunction.DOT_PRODUCT));
        MetadataFields.add(doc, chunk.metadata());
        return doc;
    }

    /** Query terms after analysis, with how often each occurs (a repeated word weighs more, as in BM25's query side). */
    private Map<String, Integer> analyze(String text) throws IOException {
        Map<String, Integer> terms = new LinkedHashMap<>();
        try (TokenStream stream = analyzer.tokenStream(SEARCHABLE, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                String t = term.toString();
                if (terms.size() < MAX_QUERY_TERMS || terms.containsKey(t)) {
                    terms.merge(t, 1, Integer::sum);
                }
            }
            stream.end();
        }
        return terms;
    }

    /** Keys are length-prefixed, so no tenant or knowledge-base name can be crafted to collide with another's. */
    static String key(String... parts) {
        StringBuilder key = new StringBuilder();
        for (String part : parts) {
            key.append(part.length()).append(':').append(part);
        }
        return key.toString();
    }

    /** One HNSW field per vector space: vectors of two models are never compared, even of the same length. */
    private static String vectorField(String space) {
        return "vec." + VectorSpaces.check(space);
    }

    static float[] unitVector(float[] vector, String what) {
        if (vector.length == 0 || vector.length > 4096) {
            throw new IllegalArgumentException(what + " must have 1 to 4096 dimensions");
        }
        double sum = 0;
        for (float v : vector) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(what + " contains a value that is not a finite number");
            }
            sum += (double) v * v;
        }
        if (sum == 0) {
            throw new IllegalArgumentException(what + " is all zeros");
        }
        double norm = Math.sqrt(sum);
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] / norm);
        }
        return unit;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    @FunctionalInterface
    private interface WriteOperation {
        long apply() throws IOException;
    }

    @FunctionalInterface
    private interface SearchOperation<T> {
        T run() throws IOException;
    }

    private CompletableFuture<Void> write(WriteOperation operation) {
        lastWriteNanos = System.nanoTime();
        compactedSinceLastWrite = false;
        CompletableFuture<Long> applied = new CompletableFuture<>();
        submit(writes, applied, () -> {
            try {
                applied.complete(operation.apply());
            } catch (IOException | AlreadyClosedException e) {
                applied.completeExceptionally(unavailable(e));
            } catch (RuntimeException e) {
                applied.completeExceptionally(e);
            }
        });
        return applied.thenCompose(commits::durable).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof RetrievalUnavailableException || cause instanceof IllegalArgumentException
                    ? cause : unavailable(cause));
        });
    }

    private <T> CompletableFuture<T> searchAny(SearchOperation<T> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        submit(searches, result, () -> {
            try {
                result.complete(operation.run());
            } catch (IOException | AlreadyClosedException e) {
                result.completeExceptionally(unavailable(e));
            } catch (RuntimeException e) {
                result.completeExceptionally(unavailable(e));
            }
        });
        return result;
    }

    private static void submit(ThreadPoolExecutor pool, CompletableFuture<?> future, Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new RetrievalUnavailableException(SOURCE,
                    pool.isShutdown() ? "the knowledge index is closed" : "the knowledge index is overloaded"));
        }
    }

    private static RetrievalUnavailableException unavailable(Throwable e) {
        return new RetrievalUnavailableException(SOURCE, "knowledge index failure: " + e.getMessage(), e);
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(4096),
                daemon(name, new AtomicInteger()), new ThreadPoolExecutor.AbortPolicy());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name, AtomicInteger counter) {
        return r -> {
            Thread thread = new Thread(r, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Finishes queued writes, commits, and closes the index. */
    @Override
    public void close() {
        if (idleCheck != null) {
            idleCheck.shutdownNow();
        }
        shutdown(writes);
        shutdown(searches);
        shutdown(committer);
        try {
            if (writer.isOpen()) {
                writer.commit();
            }
            searchers.close();
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the knowledge index failed", e);
        }
    }

    private static void shutdown(ExecutorService pool) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
