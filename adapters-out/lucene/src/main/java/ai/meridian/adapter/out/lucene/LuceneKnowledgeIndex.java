package ai.meridian.adapter.out.lucene;

import ai.meridian.application.port.out.retrieval.IndexHit;
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

    private final Analyzer analyzer = new MixedLanguageAnalyzer();
    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final GroupCommit commits;
    private final ExecutorService committer;
    private final ThreadPoolExecutor writes;
    private final ThreadPoolExecutor searches;

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
    public CompletableFuture<List<IndexHit>> keywordSearch(String tenant, List<String> knowledgeBases, String query, int limit) {
        KnowledgeIndexPort.checkSearch(tenant, knowledgeBases, limit);
        if (knowledgeBases.isEmpty() || query == null || query.isBlank()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return search(() -> {
            Map<String, Integer> terms = analyze(query);
            if (terms.isEmpty()) {
                return List.of();
            }
            BooleanQuery.Builder anyTerm = new BooleanQuery.Builder();
            terms.forEach((term, count) -> {
                Query termQuery = new TermQuery(new Term(SEARCHABLE, term));
                anyTerm.add(count == 1 ? termQuery : new BoostQuery(termQuery, count), Occur.SHOULD);
            });
            Query scoped = new BooleanQuery.Builder()
                    .add(anyTerm.build(), Occur.MUST)
                    .add(scopeFilter(tenant, knowledgeBases), Occur.FILTER)
                    .build();
            return run(scoped, limit, false);
        });
    }

    @Override
    public CompletableFuture<List<IndexHit>> vectorSearch(String tenant, List<String> knowledgeBases, float[] vector, int limit) {
        KnowledgeIndexPort.checkSearch(tenant, knowledgeBases, limit);
        if (vector == null || vector.length == 0) {
            throw new IllegalArgumentException("vector search needs a vector");
        }
        if (knowledgeBases.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        float[] unit = unitVector(vector, "query vector");
        return search(() -> run(new KnnFloatVectorQuery(vectorField(unit.length), unit, limit, scopeFilter(tenant, knowledgeBases)), limit, true));
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

    private List<IndexHit> run(Query query, int limit, boolean similarity) throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            TopDocs top = searcher.search(query, limit);
            StoredFields stored = searcher.storedFields();
            List<IndexHit> hits = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc scoreDoc : top.scoreDocs) {
                Document doc = stored.document(scoreDoc.doc);
                // Lucene scores DOT_PRODUCT as (1 + cos) / 2; hits report the cosine itself, as Qdrant does.
                double score = similarity ? 2.0 * scoreDoc.score - 1.0 : scoreDoc.score;
                hits.add(new IndexHit(doc.get(CHUNK_ID), doc.get(DOCUMENT_ID), doc.get(KNOWLEDGE_BASE), doc.get(TITLE), doc.get(URL),
                        doc.get(TEXT), doc.getField(POSITION).numericValue().intValue(), score));
            }
            return hits;
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
        doc.add(new TextField(SEARCHABLE, chunk.title().isEmpty() ? chunk.text() : chunk.title() + "\n" + chunk.text(), Field.Store.NO));
        doc.add(new KnnFloatVectorField(vectorField(unit.length), unit, VectorSimilarityFunction.DOT_PRODUCT));
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

    private static String vectorField(int dimensions) {
        return "vector_" + dimensions;
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
    private interface SearchOperation {
        List<IndexHit> run() throws IOException;
    }

    private CompletableFuture<Void> write(WriteOperation operation) {
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

    private CompletableFuture<List<IndexHit>> search(SearchOperation operation) {
        CompletableFuture<List<IndexHit>> result = new CompletableFuture<>();
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
