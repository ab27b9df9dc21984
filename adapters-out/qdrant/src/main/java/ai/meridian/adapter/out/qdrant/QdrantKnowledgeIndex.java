package ai.meridian.adapter.out.qdrant;

import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
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
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.RepeatedStrings;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.DenseVector;
import io.qdrant.client.grpc.Points.FieldType;
import io.qdrant.client.grpc.Points.NamedVectors;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.Query;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.SparseVector;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.Points.Vectors;
import io.qdrant.client.grpc.Points.WithPayloadSelector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
 * The knowledge index in Qdrant, over gRPC with the official client's stubs. Each chunk is a point with two
 * named vectors, {@code dense} (the embedding, cosine) and {@code text} (BM25 term weights, see
 * {@link SparseTerms}), and its tenant, knowledge base, ids, title, url, text and position as payload. Point
 * ids are name-based UUIDs of tenant, base and chunk id, so an upsert of the same chunk replaces it. Every
 * query and delete filters on tenant and knowledge base, in either {@link CollectionLayout}.
 *
 * <p>Writes wait until Qdrant has applied them ({@code wait=true}): when the future completes the change is
 * searchable. Qdrant unreachable, timing out or refusing (e.g. a wrong API key) completes futures with
 * {@link RetrievalUnavailableException}; a missing collection is simply empty.
 */
public final class QdrantKnowledgeIndex implements KnowledgeIndexPort, AutoCloseable {
    static final String SOURCE = "qdrant";
    static final String DENSE = "dense";
    static final String SPARSE = "text";

    private static final String TENANT = "tenant";
    private static final String KNOWLEDGE_BASE = "kb";
    private static final String DOCUMENT_ID = "document_id";
    private static final String CHUNK_ID = "chunk_id";
    private static final String TITLE = "title";
    private static final String URL = "url";
    private static final String TEXT = "text";
    private static final String POSITION = "position";

    private final QdrantIndexSettings settings;
    private final QdrantGrpcClient client;
    private final SparseTerms terms = new SparseTerms();
    private final ThreadPoolExecutor executor;
    private final Map<String, CompletableFuture<Void>> ensured = new ConcurrentHashMap<>();

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
            checkVector(chunk.vector(), "the vector of chunk " + chunk.chunkId());
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
    public CompletableFuture<List<IndexHit>> keywordSearch(String tenant, List<String> knowledgeBases, String query, int limit) {
        KnowledgeIndexPort.checkSearch(tenant, knowledgeBases, limit);
        if (knowledgeBases.isEmpty() || query == null || query.isBlank()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return onExecutor(() -> terms.query(query)).thenCompose(sparse -> {
            if (sparse.isEmpty()) {
                return CompletableFuture.completedFuture(List.of());
            }
            SparseVector.Builder vector = SparseVector.newBuilder();
            for (int i = 0; i < sparse.indices().length; i++) {
                vector.addIndices(sparse.indices()[i]).addValues(sparse.values()[i]);
            }
            return query(tenant, knowledgeBases, Query.newBuilder().setNearest(VectorInput.newBuilder().setSparse(vector)).build(), SPARSE, limit);
        });
    }

    @Override
    public CompletableFuture<List<IndexHit>> vectorSearch(String tenant, List<String> knowledgeBases, float[] vector, int limit) {
        KnowledgeIndexPort.checkSearch(tenant, knowledgeBases, limit);
        checkVector(vector, "the query vector");
        if (knowledgeBases.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        DenseVector.Builder dense = DenseVector.newBuilder();
        for (float v : vector) {
            dense.addData(v);
        }
        return query(tenant, knowledgeBases, Query.newBuilder().setNearest(VectorInput.newBuilder().setDense(dense)).build(), DENSE, limit);
    }

    /** One query per collection involved (one in the shared layout), results merged by score. */
    private CompletableFuture<List<IndexHit>> query(String tenant, List<String> knowledgeBases, Query query, String using, int limit) {
        Map<String, List<String>> byCollection = new java.util.LinkedHashMap<>();
        for (String kb : knowledgeBases) {
            byCollection.computeIfAbsent(collection(tenant, kb), c -> new ArrayList<>()).add(kb);
        }
        List<CompletableFuture<List<ScoredPoint>>> calls = new ArrayList<>();
        byCollection.forEach((collection, bases) -> calls.add(ignoringMissingCollection(call(() -> client.points().query(
                QueryPoints.newBuilder().setCollectionName(collection).setQuery(query).setUsing(using)
                        .setFilter(scopeFilter(tenant, bases)).setLimit(limit)
                        .setWithPayload(WithPayloadSelector.newBuilder().setEnable(true)).build()))
                .thenApply(response -> response.getResultList()), List.of())));
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApplyAsync(done -> {
            List<ScoredPoint> all = new ArrayList<>();
            calls.forEach(c -> all.addAll(c.join()));
            all.sort(Comparator.comparingDouble(ScoredPoint::getScore).reversed());
            List<IndexHit> hits = new ArrayList<>(Math.min(limit, all.size()));
            for (ScoredPoint point : all.subList(0, Math.min(limit, all.size()))) {
                hits.add(hit(point));
            }
            return hits;
        }, executor);
    }

    private static IndexHit hit(ScoredPoint point) {
        Map<String, Value> payload = point.getPayloadMap();
        return new IndexHit(string(payload, CHUNK_ID), string(payload, DOCUMENT_ID), string(payload, KNOWLEDGE_BASE),
                string(payload, TITLE), string(payload, URL), string(payload, TEXT),
                (int) payload.getOrDefault(POSITION, Value.getDefaultInstance()).getIntegerValue(), point.getScore());
    }

    private static String string(Map<String, Value> payload, String key) {
        return payload.getOrDefault(key, Value.getDefaultInstance()).getStringValue();
    }

    private PointStruct point(KnowledgeScope scope, IndexedChunk chunk) {
        DenseVector.Builder dense = DenseVector.newBuilder();
        for (float v : chunk.vector()) {
            dense.addData(v);
        }
        NamedVectors.Builder vectors = NamedVectors.newBuilder().putVectors(DENSE, Vector.newBuilder().setDense(dense).build());
        SparseTerms.Sparse sparse = terms.document(chunk.title().isEmpty() ? chunk.text() : chunk.title() + "\n" + chunk.text());
        if (!sparse.isEmpty()) {
            SparseVector.Builder sv = SparseVector.newBuilder();
            for (int i = 0; i < sparse.indices().length; i++) {
                sv.addIndices(sparse.indices()[i]).addValues(sparse.values()[i]);
            }
            vectors.putVectors(SPARSE, Vector.newBuilder().setSparse(sv).build());
        }
        return PointStruct.newBuilder()
                .setId(pointId(scope.tenant(), scope.knowledgeBase(), chunk.chunkId()))
                .setVectors(Vectors.newBuilder().setVectors(vectors))
                .putPayload(TENANT, Value.newBuilder().setStringValue(scope.tenant()).build())
                .putPayload(KNOWLEDGE_BASE, Value.newBuilder().setStringValue(scope.knowledgeBase()).build())
                .putPayload(DOCUMENT_ID, Value.newBuilder().setStringValue(chunk.documentId()).build())
                .putPayload(CHUNK_ID, Value.newBuilder().setStringValue(chunk.chunkId()).build())
                .putPayload(TITLE, Value.newBuilder().setStringValue(chunk.title()).build())
                .putPayload(URL, Value.newBuilder().setStringValue(chunk.url()).build())
                .putPayload(TEXT, Value.newBuilder().setStringValue(chunk.text()).build())
                .putPayload(POSITION, Value.newBuilder().setIntegerValue(chunk.position()).build())
                .build();
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

    /** Creates the collection (dense cosine + sparse with IDF) and its payload indexes once, if it does not exist. */
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
        CreateCollection request = CreateCollection.newBuilder()
                .setCollectionName(collection)
                .setVectorsConfig(VectorsConfig.newBuilder().setParamsMap(VectorParamsMap.newBuilder()
                        .putMap(DENSE, VectorParams.newBuilder().setSize(settings.dimensions()).setDistance(Distance.Cosine).build())))
                .setSparseVectorsConfig(SparseVectorConfig.newBuilder()
                        .putMap(SPARSE, SparseVectorParams.newBuilder().setModifier(Modifier.Idf).build()))
                .build();
        CompletableFuture<Void> created = call(() -> client.collections().create(request)).thenApply(r -> (Void) null)
                .exceptionallyCompose(e -> alreadyExists(e) ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(e));
        return created.thenCompose(done -> CompletableFuture.allOf(
                index(collection, TENANT, true), index(collection, KNOWLEDGE_BASE, false), index(collection, DOCUMENT_ID, false)));
    }

    private CompletableFuture<Void> index(String collection, String field, boolean isTenant) {
        return call(() -> client.points().createFieldIndex(CreateFieldIndexCollection.newBuilder()
                .setCollectionName(collection).setWait(true).setFieldName(field).setFieldType(FieldType.FieldTypeKeyword)
                .setFieldIndexParams(PayloadIndexParams.newBuilder().setKeywordIndexParams(KeywordIndexParams.newBuilder().setIsTenant(isTenant)))
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

    private void checkVector(float[] vector, String what) {
        if (vector == null || vector.length != settings.dimensions()) {
            throw new IllegalArgumentException(what + " must have " + settings.dimensions() + " dimensions (the collection's)");
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
