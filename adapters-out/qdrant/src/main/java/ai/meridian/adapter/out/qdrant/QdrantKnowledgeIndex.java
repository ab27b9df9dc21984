package ai.meridian.adapter.out.qdrant;

import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.application.port.out.retrieval.StoredChunk;
import ai.meridian.application.port.out.retrieval.VectorSpaces;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataCondition;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.knowledge.MetadataValue;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.IntegerIndexParams;
import io.qdrant.client.grpc.Collections.KeywordIndexParams;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorParamsMap;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.HasIdCondition;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Common.RepeatedStrings;
import io.qdrant.client.grpc.JsonWithInt.ListValue;
import io.qdrant.client.grpc.JsonWithInt.Struct;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CountPoints;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.NamedVectors;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.SparseVector;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.VectorOutput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.VectorsSelector;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import io.qdrant.client.grpc.Points.WithVectorsSelector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The knowledge index in Qdrant, over gRPC with the official client's stubs. Each chunk is a point with named
 * vectors: one dense vector per vector space ({@code dense:<space>}, cosine; every configured space is declared when
 * the collection is created, a point carries the one its chunk was embedded in) and {@code text} (BM25 term weights,
 * see {@link SparseTerms}); its payload holds the tenant, knowledge base, ids, title, url, text, position, vector
 * space, the sparse term ids ({@code terms}, to count document frequencies) and the document's metadata (read back
 * whole from {@code meta}, filtered on through {@code m_/mf_/mn_/md_<hex key>} and {@code mk}, as in the Lucene
 * index). Point ids are name-based UUIDs of tenant, base and chunk id, so an upsert of the same chunk replaces it.
 * Every query and delete filters on tenant and knowledge base, in either {@link CollectionLayout}.
 *
 * <p>A search sends the keyword (sparse) and the nearest-neighbour (dense, with {@code hnsw_ef}) queries at once,
 * then one sparse query restricted to the nearest candidates' ids for their keyword scores; cosines of keyword
 * candidates are computed here from their returned vectors. Keyword scores are normalised by the query's attainable
 * BM25, for which the terms' document frequencies are counted ({@code Count} on {@code terms}, cached for a minute).
 * Qdrant cannot match substrings: {@code contains}, {@code start with} and {@code end with} conditions are checked
 * here on the returned metadata, over up to {@link KnowledgeIndexPort#MAX_LIMIT} candidates per list.
 *
 * <p>Writes wait until Qdrant has applied them ({@code wait=true}): when the future completes the change is
 * searchable. Qdrant unreachable, timing out or refusing (e.g. a wrong API key) completes futures with
 * {@link RetrievalUnavailableException}; a missing collection is simply empty.
 */
public final class QdrantKnowledgeIndex implements KnowledgeIndexPort, AutoCloseable {
    static final String SOURCE = "qdrant";
    static final String DENSE_PREFIX = "dense:";
    static final String SPARSE = "text";
    static final int TIE_MARGIN = 16;
    private static final long DF_TTL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final String TENANT = "tenant";
    private static final String KNOWLEDGE_BASE = "kb";
    private static final String DOCUMENT_ID = "document_id";
    private static final String CHUNK_ID = "chunk_id";
    private static final String TITLE = "title";
    private static final String URL = "url";
    private static final String TEXT = "text";
    private static final String POSITION = "position";
    private static final String SPACE = "space";
    private static final String TERMS = "terms";
    private static final String META = "meta";
    private static final String META_KEYS = "mk";

    private final QdrantIndexSettings settings;
    private final QdrantGrpcClient client;
    private final SparseTerms terms = new SparseTerms();
    private final ThreadPoolExecutor executor;
    private final Map<String, CompletableFuture<Void>> ensured = new ConcurrentHashMap<>();
    private final Map<String, Counted> counts = new ConcurrentHashMap<>();

    private record Counted(CompletableFuture<Long> count, long at) {
    }

    public QdrantKnowledgeIndex(QdrantIndexSettings settings) {
        this.settings = settings;
        QdrantGrpcClient.Builder builder = QdrantGrpcClient.newBuilder(settings.host(), settings.port(), settings.tls())
                .withTimeout(settings.timeout());
        if (settings.apiKey() != null && !settings.apiKey().isBlank()) {
            builder.withApiKey(settings.apiKey());
        }
        this.client = builder.build();
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(4096), r -> {
                    Thread thread = new Thread(r, "meridian-qdrant-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public CompletableFuture<Void> upsert(KnowledgeScope scope, List<IndexedChunk> chunks) {
        for (IndexedChunk chunk : chunks) {
            requireText(chunk.chunkId(), "chunkId");
            requireText(chunk.documentId(), "documentId");
            checkVector(chunk.space(), chunk.vector(), "the vector of chunk " + chunk.chunkId());
        }
        if (chunks.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String collection = collection(scope.tenant(), scope.knowledgeBase());
        return onExecutor(() -> {
            List<PointStruct> points = new ArrayList<>(chunks.size());
            for (IndexedChunk chunk : chunks) {
                points.add(point(scope, chunk));
            }
            return points;
        }).thenCompose(points -> ensureCollection(collection).thenCompose(ready -> call(() -> client.points().upsert(
                UpsertPoints.newBuilder().setCollectionName(collection).setWait(true).addAllPoints(points).build()))))
                .thenApply(result -> null);
    }

    @Override
    public CompletableFuture<Void> deleteDocument(KnowledgeScope scope, String documentId) {
        requireText(documentId, "documentId");
        String collection = collection(scope.tenant(), scope.knowledgeBase());
        Filter filter = scopeFilter(scope.tenant(), List.of(scope.knowledgeBase())).toBuilder()
                .addMust(keyword(DOCUMENT_ID, documentId)).build();
        return ignoringMissingCollection(call(() -> client.points().delete(DeletePoints.newBuilder().setCollectionName(collection)
                .setWait(true).setPoints(PointsSelector.newBuilder().setFilter(filter)).build())).thenApply(r -> null), null);
    }

    @Override
    public CompletableFuture<Void> deleteKnowledgeBase(KnowledgeScope scope) {
        String collection = collection(scope.tenant(), scope.knowledgeBase());
        if (settings.layout() == CollectionLayout.PER_KNOWLEDGE_BASE) {
            ensured.remove(collection);
            return ignoringMissingCollection(call(() -> client.collections().delete(
                    DeleteCollection.newBuilder().setCollectionName(collection).build())).thenApply(r -> (Void) null), null);
        }
        Filter filter = scopeFilter(scope.tenant(), List.of(scope.knowledgeBase()));
        return ignoringMissingCollection(call(() -> client.points().delete(DeletePoints.newBuilder().setCollectionName(collection)
                .setWait(true).setPoints(PointsSelector.newBuilder().setFilter(filter)).build())).thenApply(r -> null), null);
    }

    @Override
    public CompletableFuture<List<ScoredChunk>> search(ChunkQuery query) {
        if (query.knowledgeBases().isEmpty() || (!query.hasText() && !query.hasVector())) {
            return CompletableFuture.completedFuture(List.of());
        }
        float[] unit = null;
        if (query.hasVector()) {
            checkVector(query.space(), query.vector(), "the query vector");
            unit = normalise(query.vector());
        }
        MetadataFilter filter = query.filter();
        Filter extra = nativeFilter(filter);
        boolean verify = needsVerification(filter);
        float[] queryVector = unit;
        Map<String, List<String>> byCollection = new LinkedHashMap<>();
        for (String kb : query.knowledgeBases()) {
            byCollection.computeIfAbsent(collection(query.tenant(), kb), c -> new ArrayList<>()).add(kb);
        }
        return onExecutor(() -> query.hasText() ? terms.query(query.text()) : new SparseTerms.Sparse(new int[0], new float[0]))
                .thenCompose(sparse -> {
                    List<CompletableFuture<List<ScoredChunk>>> parts = new ArrayList<>();
                    byCollection.forEach((collection, bases) -> {
                        Filter scoped = scopeFilter(query.tenant(), bases);
                        if (extra != null) {
                            scoped = scoped.toBuilder().addMust(Condition.newBuilder().setFilter(extra)).build();
                        }
                        parts.add(searchCollection(collection, scoped, query, sparse, queryVector, verify));
                    });
                    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
                        List<ScoredChunk> keyword = new ArrayList<>();
                        List<ScoredChunk> nearest = new ArrayList<>();
                        Map<String, ScoredChunk> all = new LinkedHashMap<>();
                        for (CompletableFuture<List<ScoredChunk>> part : parts) {
                            for (ScoredChunk c : part.join()) {
                                all.put(c.hit().knowledgeBase() + "\u0000" + c.hit().chunkId(), c);
                            }
                        }
                        all.values().forEach(c -> {
                            if (c.keywordRank() > 0) {
                                keyword.add(c);
                            }
                            if (c.vectorRank() > 0) {
                                nearest.add(c);
                            }
                        });
                        // Several collections: ranks are re-counted over the merged lists.
                        return merge(keyword, nearest, query.candidates());
                    });
                });
    }

    /** Re-ranks the merged keyword and nearest lists (score, then chunk id) and keeps the best {@code candidates} of each. */
    private static List<ScoredChunk> merge(List<ScoredChunk> keyword, List<ScoredChunk> nearest, int candidates) {
        keyword.sort(Comparator.comparingDouble((ScoredChunk c) -> -c.keyword()).thenComparing(c -> c.hit().chunkId()));
        nearest.sort(Comparator.comparingDouble((ScoredChunk c) -> -c.similarity()).thenComparing(c -> c.hit().chunkId()));
        Map<String, int[]> ranks = new LinkedHashMap<>();
        Map<String, ScoredChunk> byId = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(candidates, keyword.size()); i++) {
            ScoredChunk c = keyword.get(i);
            String id = c.hit().knowledgeBase() + "\u0000" + c.hit().chunkId();
            byId.put(id, c);
            ranks.computeIfAbsent(id, k -> new int[2])[0] = i + 1;
        }
        for (int i = 0; i < Math.min(candidates, nearest.size()); i++) {
            ScoredChunk c = nearest.get(i);
            String id = c.hit().knowledgeBase() + "\u0000" + c.hit().chunkId();
            byId.put(id, c);
            ranks.computeIfAbsent(id, k -> new int[2])[1] = i + 1;
        }
        List<ScoredChunk> result = new ArrayList<>(byId.size());
        byId.forEach((id, c) -> result.add(new ScoredChunk(c.hit(), c.keyword(), c.similarity(), ranks.get(id)[0], ranks.get(id)[1])));
        return result;
    }

    /** One collection's keyword and nearest candidates, each scored both ways. */
    private CompletableFuture<List<ScoredChunk>> searchCollection(String collection, Filter filter, ChunkQuery query, SparseTerms.Sparse sparse,
                                                                 float[] unit, boolean verify) {
        // Substring conditions are checked here: fetch the most a search may, so the check cannot starve the lists.
        int want = verify ? MAX_LIMIT : Math.min(MAX_LIMIT, query.candidates() + TIE_MARGIN);
        String dense = unit == null ? null : DENSE_PREFIX + query.space();
        CompletableFuture<List<ScoredPoint>> keyword = sparse.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : pointsQuery(QueryPoints.newBuilder().setCollectionName(collection).setUsing(SPARSE)
                        .setQuery(Query.newBuilder().setNearest(VectorInput.newBuilder().setSparse(sparseVector(sparse))))
                        .setFilter(filter).setLimit(want).setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
                        .setWithVectors(dense == null ? WithVectorsSelector.newBuilder().setEnable(false)
                                : WithVectorsSelector.newBuilder().setInclude(VectorsSelector.newBuilder().addNames(dense))));
        CompletableFuture<List<ScoredPoint>> nearest = unit == null ? CompletableFuture.completedFuture(List.of())
                : pointsQuery(QueryPoints.newBuilder().setCollectionName(collection).setUsing(dense)
                        .setQuery(Query.newBuilder().setNearest(VectorInput.newBuilder().setDense(denseVector(unit))))
                        .setFilter(filter).setLimit(want).setWithPayload(WithPayloadSelector.newBuilder().setEnable(true))
                        .setParams(SearchParams.newBuilder().setHnswEf(Math.max(want, settings.hnswEf()))));
        CompletableFuture<Double> attainable = sparse.isEmpty() ? CompletableFuture.completedFuture(0.0) : attainable(collection, sparse);
        return keyword.thenCombine(nearest, (k, n) -> new Object[] {k, n}).thenCompose(pair -> {
            @SuppressWarnings("unchecked")
            List<ScoredPoint> k = verified((List<ScoredPoint>) pair[0], query.filter(), verify);
            @SuppressWarnings("unchecked")
            List<ScoredPoint> n = verified((List<ScoredPoint>) pair[1], query.filter(), verify);
            k = best(k, query.candidates());
            n = best(n, query.candidates());
            Map<String, Candidate> candidates = new LinkedHashMap<>();
            for (int i = 0; i < k.size(); i++) {
                Candidate c = candidates.computeIfAbsent(id(k.get(i)), x -> new Candidate());
                c.point = k.get(i);
                c.keywordRank = i + 1;
                c.rawKeyword = k.get(i).getScore();
                c.keywordKnown = true;
                if (unit != null) {
                    c.similarity = cosine(k.get(i), dense, unit);
                }
            }
            for (int i = 0; i < n.size(); i++) {
                Candidate c = candidates.computeIfAbsent(id(n.get(i)), x -> new Candidate());
                if (c.point == null) {
                    c.point = n.get(i);
                }
                c.vectorRank = i + 1;
                c.similarity = n.get(i).getScore();
            }
            List<PointId> unscored = candidates.values().stream().filter(c -> !c.keywordKnown).map(c -> c.point.getId()).toList();
            CompletableFuture<Map<String, Float>> keywordScores = sparse.isEmpty() || unscored.isEmpty()
                    ? CompletableFuture.completedFuture(Map.of())
                    : pointsQuery(QueryPoints.newBuilder().setCollectionName(collection).setUsing(SPARSE)
                            .setQuery(Query.newBuilder().setNearest(VectorInput.newBuilder().setSparse(sparseVector(sparse))))
                            .setFilter(Filter.newBuilder().addMust(Condition.newBuilder().setHasId(HasIdCondition.newBuilder().addAllHasId(unscored))))
                            .setLimit(unscored.size()).setWithPayload(WithPayloadSelector.newBuilder().setEnable(false)))
                            .thenApply(points -> {
                                Map<String, Float> scores = new HashMap<>();
                                points.forEach(p -> scores.put(p.getId().getUuid(), p.getScore()));
                                return scores;
                            });
            return keywordScores.thenCombine(attainable, (scores, max) -> {
                List<ScoredChunk> result = new ArrayList<>(candidates.size());
                candidates.forEach((id, c) -> {
                    double raw = c.keywordKnown ? c.rawKeyword : scores.getOrDefault(id, 0f);
                    double normalised = max > 0 ? Math.min(1.0, raw / max) : 0;
                    result.add(new ScoredChunk(hit(c.point), normalised, c.similarity, c.keywordRank, c.vectorRank));
                });
                return result;
            });
        });
    }

    private static final class Candidate {
        ScoredPoint point;
        double rawKeyword;
        boolean keywordKnown;
        double similarity = Double.NaN;
        int keywordRank;
        int vectorRank;
    }

    private static String id(ScoredPoint point) {
        return point.getId().getUuid();
    }

    /** The best {@code n} by score, ties by chunk id, so the order does not depend on Qdrant's segment layout. */
    private static List<ScoredPoint> best(List<ScoredPoint> points, int n) {
        List<ScoredPoint> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble((ScoredPoint p) -> -p.getScore()).thenComparing(p -> string(p.getPayloadMap(), CHUNK_ID)));
        return sorted.subList(0, Math.min(n, sorted.size()));
    }

    private static List<ScoredPoint> verified(List<ScoredPoint> points, MetadataFilter filter, boolean verify) {
        return verify ? points.stream().filter(p -> filter.matches(metadata(p.getPayloadMap()))).toList() : points;
    }

    private static double cosine(ScoredPoint point, String dense, float[] unit) {
        if (!point.hasVectors() || !point.getVectors().hasVectors()) {
            return Double.NaN;
        }
        VectorOutput vector = point.getVectors().getVectors().getVectorsMap().get(dense);
        if (vector == null) {
            return Double.NaN;
        }
        List<Float> data = vector.hasDense() ? vector.getDense().getDataList() : vector.getDataList();
        if (data.size() != unit.length) {
            return Double.NaN;
        }
        double dot = 0;
        double norm = 0;
        for (int i = 0; i < unit.length; i++) {
            dot += unit[i] * data.get(i);
            norm += data.get(i) * data.get(i);
        }
        return norm == 0 ? Double.NaN : dot / Math.sqrt(norm);
    }

    /**
     * The most the query's terms can score: a document weight tends to {@code k1 + 1} as a term's frequency grows,
     * Qdrant multiplies by the term's IDF over the collection, {@code ln((N − n + 0.5)/(n + 0.5) + 1)}.
     */
    private CompletableFuture<Double> attainable(String collection, SparseTerms.Sparse sparse) {
        CompletableFuture<Long> total = count(collection, null);
        List<CompletableFuture<Long>> frequencies = new ArrayList<>();
        for (int index : sparse.indices()) {
            frequencies.add(count(collection, index));
        }
        return total.thenCombine(CompletableFuture.allOf(frequencies.toArray(CompletableFuture[]::new)), (n, v) -> {
            double max = 0;
            for (int i = 0; i < sparse.indices().length; i++) {
                long df = frequencies.get(i).join();
                max += sparse.values()[i] * (SparseTerms.K1 + 1) * Math.log((n - df + 0.5) / (df + 0.5) + 1);
            }
            return max;
        });
    }

    /** Points in the collection (term null) or having the term, counted exactly and cached for a minute. */
    private CompletableFuture<Long> count(String collection, Integer term) {
        String key = collection + "/" + (term == null ? "*" : term);
        long now = System.nanoTime();
        Counted cached = counts.get(key);
        if (cached != null && now - cached.at() < DF_TTL_NANOS && !cached.count().isCompletedExceptionally()) {
            return cached.count();
        }
        CountPoints.Builder request = CountPoints.newBuilder().setCollectionName(collection).setExact(true);
        if (term != null) {
            request.setFilter(Filter.newBuilder().addMust(Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(TERMS)
                    .setMatch(Match.newBuilder().setInteger(Integer.toUnsignedLong(term))))));
        }
        CompletableFuture<Long> count = ignoringMissingCollection(call(() -> client.points().count(request.build()))
                .thenApply(r -> r.getResult().getCount()), 0L);
        if (counts.size() > 100_000) {
            counts.clear();
        }
        counts.put(key, new Counted(count, now));
        return count;
    }

    private CompletableFuture<List<ScoredPoint>> pointsQuery(QueryPoints.Builder request) {
        QueryPoints built = request.build();
        return ignoringMissingCollection(call(() -> client.points().query(built)).thenApply(r -> r.getResultList()), List.of());
    }

    @Override
    public CompletableFuture<List<StoredChunk>> chunksOutside(Set<String> spaces, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        spaces.forEach(VectorSpaces::check);
        Filter stale = outside(spaces);
        return collections().thenCompose(names -> scroll(new ArrayList<>(names), stale, limit, new ArrayList<>()));
    }

    private CompletableFuture<List<StoredChunk>> scroll(List<String> collections, Filter stale, int limit, List<StoredChunk> found) {
        if (collections.isEmpty() || found.size() >= limit) {
            return CompletableFuture.completedFuture(found);
        }
        String collection = collections.remove(0);
        return ignoringMissingCollection(call(() -> client.points().scroll(ScrollPoints.newBuilder().setCollectionName(collection)
                .setFilter(stale).setLimit(limit - found.size()).setWithPayload(WithPayloadSelector.newBuilder().setEnable(true)).build()))
                .thenApply(r -> r.getResultList()), List.<RetrievedPoint>of()).thenCompose(points -> {
                    for (RetrievedPoint p : points) {
                        Map<String, Value> payload = p.getPayloadMap();
                        String space = string(payload, SPACE);
                        found.add(new StoredChunk(new KnowledgeScope(string(payload, TENANT), string(payload, KNOWLEDGE_BASE)),
                                new IndexedChunk(string(payload, CHUNK_ID), string(payload, DOCUMENT_ID), string(payload, TITLE),
                                        string(payload, URL), string(payload, TEXT), (int) payload.getOrDefault(POSITION, Value.getDefaultInstance())
                                        .getIntegerValue(), space.isEmpty() ? IndexedChunk.DEFAULT_SPACE : space, new float[] {1}, metadata(payload))));
                    }
                    return scroll(collections, stale, limit, found);
                });
    }

    @Override
    public CompletableFuture<Long> countOutside(KnowledgeScope scope, Set<String> spaces) {
        spaces.forEach(VectorSpaces::check);
        Filter stale = outside(spaces);
        if (scope != null) {
            Filter scoped = scopeFilter(scope.tenant(), List.of(scope.knowledgeBase())).toBuilder()
                    .addMust(Condition.newBuilder().setFilter(stale)).build();
            String collection = collection(scope.tenant(), scope.knowledgeBase());
            return ignoringMissingCollection(call(() -> client.points().count(CountPoints.newBuilder().setCollectionName(collection)
                    .setFilter(scoped).setExact(true).build())).thenApply(r -> r.getResult().getCount()), 0L);
        }
        return collections().thenCompose(names -> {
            List<CompletableFuture<Long>> each = new ArrayList<>();
            for (String collection : names) {
                each.add(ignoringMissingCollection(call(() -> client.points().count(CountPoints.newBuilder().setCollectionName(collection)
                        .setFilter(stale).setExact(true).build())).thenApply(r -> r.getResult().getCount()), 0L));
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                    .thenApply(v -> each.stream().mapToLong(CompletableFuture::join).sum());
        });
    }

    /** The collections this adapter writes: the shared one, or every per-base collection with the prefix. */
    private CompletableFuture<List<String>> collections() {
        if (settings.layout() == CollectionLayout.SHARED) {
            return CompletableFuture.completedFuture(List.of(settings.collectionPrefix() + "_chunks"));
        }
        return call(() -> client.collections().list(io.qdrant.client.grpc.Collections.ListCollectionsRequest.getDefaultInstance()))
                .thenApply(r -> r.getCollectionsList().stream().map(d -> d.getName())
                        .filter(n -> n.startsWith(settings.collectionPrefix() + "_kb_")).toList());
    }

    private static Filter outside(Set<String> spaces) {
        if (spaces.isEmpty()) {
            return Filter.getDefaultInstance();
        }
        return Filter.newBuilder().addMustNot(Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(SPACE)
                .setMatch(Match.newBuilder().setKeywords(RepeatedStrings.newBuilder().addAllStrings(spaces))))).build();
    }

    private static IndexHit hit(ScoredPoint point) {
        Map<String, Value> payload = point.getPayloadMap();
        return new IndexHit(string(payload, CHUNK_ID), string(payload, DOCUMENT_ID), string(payload, KNOWLEDGE_BASE),
                string(payload, TITLE), string(payload, URL), string(payload, TEXT),
                (int) payload.getOrDefault(POSITION, Value.getDefaultInstance()).getIntegerValue(), 0, metadata(payload));
    }

    private static String string(Map<String, Value> payload, String key) {
        return payload.getOrDefault(key, Value.getDefaultInstance()).getStringValue();
    }

    private PointStruct point(KnowledgeScope scope, IndexedChunk chunk) {
        NamedVectors.Builder vectors = NamedVectors.newBuilder()
                .putVectors(DENSE_PREFIX + chunk.space(), Vector.newBuilder().setDense(denseVector(chunk.vector())).build());
        SparseTerms.Sparse sparse = terms.document(chunk.title().isEmpty() ? chunk.text() : chunk.title() + "\n" + chunk.text());
        ListValue.Builder termIds = ListValue.newBuilder();
        if (!sparse.isEmpty()) {
            vectors.putVectors(SPARSE, Vector.newBuilder().setSparse(sparseVector(sparse)).build());
            for (int index : sparse.indices()) {
                termIds.addValues(Value.newBuilder().setIntegerValue(Integer.toUnsignedLong(index)));
            }
        }
        PointStruct.Builder point = PointStruct.newBuilder()
                .setId(pointId(scope.tenant(), scope.knowledgeBase(), chunk.chunkId()))
                .setVectors(Vectors.newBuilder().setVectors(vectors))
                .putPayload(TENANT, text(scope.tenant()))
                .putPayload(KNOWLEDGE_BASE, text(scope.knowledgeBase()))
                .putPayload(DOCUMENT_ID, text(chunk.documentId()))
                .putPayload(CHUNK_ID, text(chunk.chunkId()))
                .putPayload(TITLE, text(chunk.title()))
                .putPayload(URL, text(chunk.url()))
                .putPayload(TEXT, text(chunk.text()))
                .putPayload(POSITION, Value.newBuilder().setIntegerValue(chunk.position()).build())
                .putPayload(SPACE, text(chunk.space()))
                .putPayload(TERMS, Value.newBuilder().setListValue(termIds).build());
        metadataPayload(chunk.metadata()).forEach(point::putPayload);
        return point.build();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static SparseVector sparseVector(SparseTerms.Sparse sparse) {
        SparseVector.Builder vector = SparseVector.newBuilder();
        for (int i = 0; i < sparse.indices().length; i++) {
            vector.addIndices(sparse.indices()[i]).addValues(sparse.values()[i]);
        }
        return vector.build();
    }

    private static DenseVector denseVector(float[] values) {
        DenseVector.Builder dense = DenseVector.newBuilder();
        for (float v : values) {
            dense.addData(v);
        }
        return dense.build();
    }

    // Metadata: read back whole from "meta"; filtered on through fields named by the key's hex (keys may hold dots,
    // which Qdrant reads as nesting in a filter's key).

    private static String field(String prefix, String key) {
        return prefix + HexFormat.of().formatHex(key.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Value> metadataPayload(DocumentMetadata metadata) {
        Map<String, Value> payload = new LinkedHashMap<>();
        if (metadata.isEmpty()) {
            return payload;
        }
        Struct.Builder meta = Struct.newBuilder();
        ListValue.Builder keys = ListValue.newBuilder();
        metadata.values().forEach((key, value) -> {
            if (!value.isEmpty()) {
                keys.addValues(text(key));
            }
            if (value instanceof MetadataValue.Text t) {
                ListValue.Builder exact = ListValue.newBuilder();
                ListValue.Builder folded = ListValue.newBuilder();
                t.values().forEach(s -> {
                    exact.addValues(text(s));
                    folded.addValues(text(MetadataCondition.fold(s)));
                });
                meta.putFields(key, Value.newBuilder().setListValue(exact.build()).build());
                payload.put(field("m_", key), Value.newBuilder().setListValue(exact.build()).build());
                payload.put(field("mf_", key), Value.newBuilder().setListValue(folded).build());
            } else if (value instanceof MetadataValue.Number n) {
                meta.putFields(key, Value.newBuilder().setDoubleValue(n.value()).build());
                payload.put(field("mn_", key), Value.newBuilder().setDoubleValue(n.value()).build());
            } else {
                long millis = ((MetadataValue.Date) value).value().toEpochMilli();
                meta.putFields(key, Value.newBuilder().setStructValue(Struct.newBuilder()
                        .putFields("date", Value.newBuilder().setIntegerValue(millis).build())).build());
                payload.put(field("md_", key), Value.newBuilder().setIntegerValue(millis).build());
            }
        });
        payload.put(META, Value.newBuilder().setStructValue(meta).build());
        payload.put(META_KEYS, Value.newBuilder().setListValue(keys).build());
        return payload;
    }

    static DocumentMetadata metadata(Map<String, Value> payload) {
        Value meta = payload.get(META);
        if (meta == null || !meta.hasStructValue()) {
            return DocumentMetadata.EMPTY;
        }
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        meta.getStructValue().getFieldsMap().forEach((key, v) -> {
            if (v.hasListValue()) {
                values.put(key, new MetadataValue.Text(v.getListValue().getValuesList().stream().map(Value::getStringValue).toList()));
            } else if (v.hasDoubleValue()) {
                values.put(key, new MetadataValue.Number(v.getDoubleValue()));
            } else if (v.hasIntegerValue()) {
                values.put(key, new MetadataValue.Number(v.getIntegerValue()));
            } else if (v.hasStructValue()) {
                values.put(key, new MetadataValue.Date(Instant.ofEpochMilli(v.getStructValue().getFieldsMap().get("date").getIntegerValue())));
            }
        });
        return new DocumentMetadata(values);
    }

    /** Whether a condition cannot be put to Qdrant (substrings), so results are checked here. */
    private static boolean isSubstring(MetadataCondition c) {
        return switch (c.operator()) {
            case CONTAINS, NOT_CONTAINS, START_WITH, END_WITH -> true;
            default -> false;
        };
    }

    private static boolean needsVerification(MetadataFilter filter) {
        return filter.conditions().stream().anyMatch(QdrantKnowledgeIndex::isSubstring);
    }

    /**
     * The part of the filter Qdrant can apply (null: none): all of an {@code and} filter's conditions but substring
     * ones (checked afterwards); an {@code or} filter only if it has no substring condition (otherwise all is checked
     * afterwards).
     */
    static Filter nativeFilter(MetadataFilter filter) {
        if (filter.isNone()) {
            return null;
        }
        if (filter.logic() == MetadataFilter.Logic.OR && needsVerification(filter)) {
            return null;
        }
        Filter.Builder f = Filter.newBuilder();
        boolean any = false;
        for (MetadataCondition c : filter.conditions()) {
            if (isSubstring(c)) {
                continue;
            }
            any = true;
            Condition condition = Condition.newBuilder().setFilter(condition(c)).build();
            if (filter.logic() == MetadataFilter.Logic.AND) {
                f.addMust(condition);
            } else {
                f.addShould(condition);
            }
        }
        return any ? f.build() : null;
    }

    private static Filter condition(MetadataCondition c) {
        String key = c.key();
        return switch (c.operator()) {
            case IS -> equal(c);
            case IS_NOT -> Filter.newBuilder().addMustNot(Condition.newBuilder().setFilter(equal(c))).build();
            case EMPTY -> Filter.newBuilder().addMustNot(keyword(META_KEYS, key)).build();
            case NOT_EMPTY -> Filter.newBuilder().addMust(keyword(META_KEYS, key)).build();
            case BEFORE -> Filter.newBuilder().addMust(range(field("md_", key), Range.newBuilder()
                    .setLt(c.date().orElseThrow().toEpochMilli()).build())).build();
            case AFTER -> Filter.newBuilder().addMust(range(field("md_", key), Range.newBuilder()
                    .setGt(c.date().orElseThrow().toEpochMilli()).build())).build();
            case GREATER, LESS, GREATER_OR_EQUAL, LESS_OR_EQUAL -> ordered(c);
            default -> throw new IllegalStateException("substring conditions are checked after the search");
        };
    }

    private static Filter equal(MetadataCondition c) {
        Filter.Builder any = Filter.newBuilder().addShould(keyword(field("m_", c.key()), c.value()));
        c.number().ifPresent(n -> any.addShould(range(field("mn_", c.key()), Range.newBuilder().setGte(n).setLte(n).build())));
        c.date().ifPresent(d -> any.addShould(range(field("md_", c.key()), Range.newBuilder()
                .setGte(d.toEpochMilli()).setLte(d.toEpochMilli()).build())));
        return any.build();
    }

    private static Filter ordered(MetadataCondition c) {
        Filter.Builder any = Filter.newBuilder();
        c.number().ifPresent(n -> any.addShould(range(field("mn_", c.key()), bound(c.operator(), n))));
        c.date().ifPresent(d -> any.addShould(range(field("md_", c.key()), bound(c.operator(), d.toEpochMilli()))));
        return any.build();
    }

    private static Range bound(MetadataCondition.Operator operator, double v) {
        return switch (operator) {
            case GREATER -> Range.newBuilder().setGt(v).build();
            case LESS -> Range.newBuilder().setLt(v).build();
            case GREATER_OR_EQUAL -> Range.newBuilder().setGte(v).build();
            default -> Range.newBuilder().setLte(v).build();
        };
    }

    private static Condition range(String key, Range range) {
        return Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(key).setRange(range)).build();
    }

    /** Name-based (v3) UUID of the length-prefixed tenant, base and chunk id: the same chunk always gets the same point. */
    static PointId pointId(String tenant, String knowledgeBase, String chunkId) {
        String key = tenant.length() + ":" + tenant + knowledgeBase.length() + ":" + knowledgeBase + chunkId.length() + ":" + chunkId;
        return PointId.newBuilder().setUuid(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString()).build();
    }

    /**
     * The collection for a tenant's base: {@code <prefix>_chunks} when shared; otherwise {@code <prefix>_kb_} and a
     * SHA-256 prefix of tenant and base (names may hold characters Qdrant does not accept in collection names).
     */
    String collection(String tenant, String knowledgeBase) {
        if (settings.layout() == CollectionLayout.SHARED) {
            return settings.collectionPrefix() + "_chunks";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (tenant.length() + ":" + tenant + knowledgeBase.length() + ":" + knowledgeBase).getBytes(StandardCharsets.UTF_8));
            return settings.collectionPrefix() + "_kb_" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Creates the collection (a dense cosine vector per space, sparse with IDF) and its payload indexes once, if it does not exist. */
    private CompletableFuture<Void> ensureCollection(String collection) {
        CompletableFuture<Void> existing = ensured.get(collection);
        if (existing != null && !existing.isCompletedExceptionally()) {
            return existing;
        }
        CompletableFuture<Void> creation = call(() -> client.collections().collectionExists(
                CollectionExistsRequest.newBuilder().setCollectionName(collection).build()))
                .thenCompose(response -> response.getResult().getExists() ? CompletableFuture.completedFuture(null) : create(collection));
        ensured.put(collection, creation);
        return creation;
    }

    private CompletableFuture<Void> create(String collection) {
        VectorParamsMap.Builder dense = VectorParamsMap.newBuilder();
        settings.spaces().forEach((space, size) ->
                dense.putMap(DENSE_PREFIX + space, VectorParams.newBuilder().setSize(size).setDistance(Distance.Cosine).build()));
        CreateCollection request = CreateCollection.newBuilder()
                .setCollectionName(collection)
                .setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(dense))
                .setSparseVectorsConfig(SparseVectorConfig.newBuilder()
                        .putMap(SPARSE, SparseVectorParams.newBuilder().setModifier(Modifier.Idf).build()))
                .build();
        CompletableFuture<Void> created = call(() -> client.collections().create(request)).thenApply(r -> (Void) null)
                .exceptionallyCompose(e -> alreadyExists(e) ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(e));
        return created.thenCompose(done -> CompletableFuture.allOf(
                index(collection, TENANT, true), index(collection, KNOWLEDGE_BASE, false), index(collection, DOCUMENT_ID, false),
                index(collection, SPACE, false), index(collection, META_KEYS, false), integerIndex(collection, TERMS)));
    }

    private CompletableFuture<Void> index(String collection, String field, boolean isTenant) {
        return call(() -> client.points().createFieldIndex(CreateFieldIndexCollection.newBuilder()
                .setCollectionName(collection).setWait(true).setFieldName(field).setFieldType(FieldType.FieldTypeKeyword)
                .setFieldIndexParams(PayloadIndexParams.newBuilder().setKeywordIndexParams(KeywordIndexParams.newBuilder().setIsTenant(isTenant)))
                .build())).thenApply(r -> null);
    }

    private CompletableFuture<Void> integerIndex(String collection, String field) {
        return call(() -> client.points().createFieldIndex(CreateFieldIndexCollection.newBuilder()
                .setCollectionName(collection).setWait(true).setFieldName(field).setFieldType(FieldType.FieldTypeInteger)
                .setFieldIndexParams(PayloadIndexParams.newBuilder().setIntegerIndexParams(IntegerIndexParams.newBuilder()
                        .setLookup(true).setRange(false)))
                .build())).thenApply(r -> null);
    }

    private static Filter scopeFilter(String tenant, List<String> knowledgeBases) {
        Condition bases = knowledgeBases.size() == 1 ? keyword(KNOWLEDGE_BASE, knowledgeBases.get(0))
                : Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(KNOWLEDGE_BASE)
                        .setMatch(Match.newBuilder().setKeywords(RepeatedStrings.newBuilder().addAllStrings(knowledgeBases)))).build();
        return Filter.newBuilder().addMust(keyword(TENANT, tenant)).addMust(bases).build();
    }

    private static Condition keyword(String key, String value) {
        return Condition.newBuilder().setField(FieldCondition.newBuilder().setKey(key).setMatch(Match.newBuilder().setKeyword(value))).build();
    }

    private void checkVector(String space, float[] vector, String what) {
        Integer dimensions = settings.spaces().get(space);
        if (dimensions == null) {
            throw new IllegalArgumentException(what + " is in the vector space '" + space + "', which the Qdrant collections do not hold "
                    + "(they hold " + settings.spaces().keySet() + ")");
        }
        if (vector == null || vector.length != dimensions) {
            throw new IllegalArgumentException(what + " must have " + dimensions + " dimensions (the collection's for " + space + ")");
        }
        boolean nonZero = false;
        for (float v : vector) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(what + " contains a value that is not a finite number");
            }
            nonZero |= v != 0;
        }
        if (!nonZero) {
            throw new IllegalArgumentException(what + " is all zeros");
        }
    }

    private static float[] normalise(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        double norm = Math.sqrt(sum);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }

    private <T> CompletableFuture<T> onExecutor(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RetrievalUnavailableException(SOURCE,
                    executor.isShutdown() ? "the Qdrant index is closed" : "the Qdrant index is overloaded"));
        }
    }

    /** Sends a call; its outcome completes the future on the adapter's threads, failures as RetrievalUnavailableException. */
    private <T> CompletableFuture<T> call(Supplier<ListenableFuture<T>> send) {
        CompletableFuture<T> result = new CompletableFuture<>();
        ListenableFuture<T> future;
        try {
            future = send.get();
        } catch (RuntimeException e) {
            result.completeExceptionally(unavailable(e));
            return result;
        }
        Executor completer = command -> {
            try {
                executor.execute(command);
            } catch (RejectedExecutionException e) {
                command.run(); // closing: complete on the gRPC thread rather than never
            }
        };
        Futures.addCallback(future, new FutureCallback<T>() {
            @Override
            public void onSuccess(T value) {
                result.complete(value);
            }

            @Override
            public void onFailure(Throwable t) {
                result.completeExceptionally(unavailable(t));
            }
        }, completer);
        return result;
    }

    private static <T> CompletableFuture<T> ignoringMissingCollection(CompletableFuture<T> call, T whenMissing) {
        return call.exceptionallyCompose(e -> isNotFound(e) ? CompletableFuture.completedFuture(whenMissing) : CompletableFuture.failedFuture(e));
    }

    private static boolean isNotFound(Throwable e) {
        return status(e).map(s -> s.getCode() == Status.Code.NOT_FOUND).orElse(false);
    }

    private static boolean alreadyExists(Throwable e) {
        return status(e).map(s -> s.getCode() == Status.Code.ALREADY_EXISTS
                || (s.getDescription() != null && s.getDescription().contains("already exists"))).orElse(false);
    }

    private static java.util.Optional<Status> status(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException sre) {
                return java.util.Optional.of(sre.getStatus());
            }
            if (t instanceof io.grpc.StatusException se) {
                return java.util.Optional.of(se.getStatus());
            }
        }
        return java.util.Optional.empty();
    }

    private static RetrievalUnavailableException unavailable(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RetrievalUnavailableException r) {
            return r;
        }
        String reason = status(cause).map(s -> s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription()))
                .orElse(String.valueOf(cause.getMessage()));
        return new RetrievalUnavailableException(SOURCE, "Qdrant call failed: " + reason, cause);
    }

    @Override
    public void close() {
        client.close();
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
