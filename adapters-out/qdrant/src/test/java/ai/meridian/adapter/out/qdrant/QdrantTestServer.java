package ai.meridian.adapter.out.qdrant;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.qdrant.client.grpc.Collections.CollectionExists;
import io.qdrant.client.grpc.Collections.CollectionExistsRequest;
import io.qdrant.client.grpc.Collections.CollectionExistsResponse;
import io.qdrant.client.grpc.Collections.CollectionOperationResponse;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.DeleteCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.CollectionsGrpc;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.FieldCondition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.Common.Match;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsOperationResponse;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.QueryResponse;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.UpdateResult;
import io.qdrant.client.grpc.Points.UpdateStatus;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import io.qdrant.client.grpc.Points.VectorInput;
import io.qdrant.client.grpc.PointsGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Qdrant stand-in for tests: a real gRPC server on loopback, built on the {@code io.qdrant:client} generated
 * service bases, implementing the subset of Qdrant's API the adapter uses, the way Qdrant does:
 * <ul>
 * <li>Collections: Create (named dense vectors with size and distance, named sparse vectors with the IDF
 * modifier; ALREADY_EXISTS for a duplicate), Delete (NOT_FOUND for a missing collection), CollectionExists.</li>
 * <li>Points: Upsert (replace by id; INVALID_ARGUMENT for an unknown vector name or a wrong dense size; cosine
 * vectors stored normalised, as Qdrant does), Delete by ids or by filter, CreateFieldIndex (recorded), and Query
 * with {@code nearest} on a dense (cosine or dot) or sparse vector ({@code using} names it), a filter, a limit
 * and payload selection.</li>
 * <li>Filters: {@code must}, {@code should} (at least one), {@code must_not} of {@code match.keyword},
 * {@code match.keywords} and {@code match.integer} (on a value or any element of an array value), {@code range} on
 * numbers, {@code has_id}, and nested filters.</li>
 * <li>Count (exact) with a filter; Scroll with a filter and a limit (no offsets); collection listing; Query's
 * {@code with_vectors} naming dense vectors; {@code params} (HNSW breadth) accepted, search being exhaustive.</li>
 * <li>Sparse scoring: the dot product of the query's and the point's weights over shared indices, each query
 * weight multiplied, when the vector has the IDF modifier, by {@code ln((N − n + 0.5)/(n + 0.5) + 1)} with N the
 * points in the collection and n those having the index; only points sharing an index are candidates.</li>
 * <li>Optional API-key check of the {@code api-key} header (UNAUTHENTICATED otherwise), like Qdrant's.</li>
 * </ul>
 * Anything else the adapter might send (prefetch, other query kinds, range filters) is answered UNIMPLEMENTED,
 * so a change in what the adapter sends fails loudly instead of being silently misread. Search is exhaustive,
 * not HNSW: results equal Qdrant's exact search.
 */
final class QdrantTestServer implements AutoCloseable {
    private final Map<String, StoredCollection> collections = new ConcurrentHashMap<>();
    final List<CreateFieldIndexCollection> fieldIndexes = new CopyOnWriteArrayList<>();
    final List<QueryPoints> queries = new CopyOnWriteArrayList<>();
    private final Server server;

    QdrantTestServer(String apiKey) throws IOException {
        ServerInterceptor auth = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                if (apiKey != null && !apiKey.equals(headers.get(Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER)))) {
                    call.close(Status.UNAUTHENTICATED.withDescription("Invalid api-key"), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                return next.startCall(call, headers);
            }
        };
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new CollectionsService(), auth))
                .addService(ServerInterceptors.intercept(new PointsService(), auth))
                .build().start();
    }

    int port() {
        return server.getPort();
    }

    boolean hasCollection(String name) {
        return collections.containsKey(name);
    }

    int pointCount(String name) {
        StoredCollection c = collections.get(name);
        return c == null ? 0 : c.points.size();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private record StoredPoint(String id, Map<String, float[]> dense, Map<String, Map<Integer, Float>> sparse, Map<String, Value> payload) {
    }

    private static final class StoredCollection {
        final Map<String, VectorParams> dense;
        final Map<String, SparseVectorParams> sparse;
        final Map<String, StoredPoint> points = new HashMap<>();

        StoredCollection(Map<String, VectorParams> dense, Map<String, SparseVectorParams> sparse) {
            this.dense = dense;
            this.sparse = sparse;
        }
    }

    private StoredCollection collection(String name) {
        StoredCollection c = collections.get(name);
        if (c == null) {
            throw Status.NOT_FOUND.withDescription("Not found: Collection `" + name + "` doesn't exist!").asRuntimeException();
        }
        return c;
    }

    private static <T> void answer(StreamObserver<T> observer, java.util.function.Supplier<T> work) {
        T value;
        try {
            value = work.get();
        } catch (io.grpc.StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onNext(value);
        observer.onCompleted();
    }

    private final class CollectionsService extends CollectionsGrpc.CollectionsImplBase {
        @Override
        public void create(CreateCollection request, StreamObserver<CollectionOperationResponse> observer) {
            answer(observer, () -> {
                if (!request.getVectorsConfig().hasParamsMap() && !request.getVectorsConfig().hasParams()) {
                    throw Status.UNIMPLEMENTED.withDescription("test server: collections without vectors").asRuntimeException();
                }
                Map<String, VectorParams> dense = request.getVectorsConfig().hasParamsMap()
                        ? Map.copyOf(request.getVectorsConfig().getParamsMap().getMapMap())
                        : Map.of("", request.getVectorsConfig().getParams());
                StoredCollection fresh = new StoredCollection(dense, Map.copyOf(request.getSparseVectorsConfig().getMapMap()));
                if (collections.putIfAbsent(request.getCollectionName(), fresh) != null) {
                    throw Status.ALREADY_EXISTS.withDescription("Wrong input: Collection `" + request.getCollectionName()
                            + "` already exists!").asRuntimeException();
                }
                return CollectionOperationResponse.newBuilder().setResult(true).build();
            });
        }

        @Override
        public void delete(DeleteCollection request, StreamObserver<CollectionOperationResponse> observer) {
            answer(observer, () -> CollectionOperationResponse.newBuilder()
                    .setResult(collections.remove(request.getCollectionName()) != null).build());
        }

        @Override
        public void list(io.qdrant.client.grpc.Collections.ListCollectionsRequest request,
                         StreamObserver<io.qdrant.client.grpc.Collections.ListCollectionsResponse> observer) {
            answer(observer, () -> {
                var response = io.qdrant.client.grpc.Collections.ListCollectionsResponse.newBuilder();
                collections.keySet().stream().sorted().forEach(name -> response.addCollections(
                        io.qdrant.client.grpc.Collections.CollectionDescription.newBuilder().setName(name)));
                return response.build();
            });
        }

        @Override
        public void collectionExists(CollectionExistsRequest request, StreamObserver<CollectionExistsResponse> observer) {
            answer(observer, () -> CollectionExistsResponse.newBuilder()
                    .setResult(CollectionExists.newBuilder().setExists(collections.containsKey(request.getCollectionName()))).build());
        }
    }

    private final class PointsService extends PointsGrpc.PointsImplBase {
        @Override
        public void upsert(UpsertPoints request, StreamObserver<PointsOperationResponse> observer) {
            answer(observer, () -> {
                StoredCollection c = collection(request.getCollectionName());
                List<StoredPoint> parsed = new ArrayList<>();
                for (PointStruct point : request.getPointsList()) {
                    parsed.add(parse(c, point));
                }
                synchronized (c) {
                    parsed.forEach(p -> c.points.put(p.id(), p));
                }
                return completed();
            });
        }

        @Override
        public void delete(DeletePoints request, StreamObserver<PointsOperationResponse> observer) {
            answer(observer, () -> {
                StoredCollection c = collection(request.getCollectionName());
                synchronized (c) {
                    if (request.getPoints().hasFilter()) {
                        Filter filter = request.getPoints().getFilter();
                        c.points.values().removeIf(p -> matches(filter, p));
                    } else {
                        request.getPoints().getPoints().getIdsList().forEach(id -> c.points.remove(id.getUuid()));
                    }
                }
                return completed();
            });
        }

        @Override
        public void createFieldIndex(CreateFieldIndexCollection request, StreamObserver<PointsOperationResponse> observer) {
            answer(observer, () -> {
                collection(request.getCollectionName());
                fieldIndexes.add(request);
                return completed();
            });
        }

        @Override
        public void count(io.qdrant.client.grpc.Points.CountPoints request, StreamObserver<io.qdrant.client.grpc.Points.CountResponse> observer) {
            answer(observer, () -> {
                StoredCollection c = collection(request.getCollectionName());
                long n;
                synchronized (c) {
                    n = c.points.values().stream().filter(p -> !request.hasFilter() || matches(request.getFilter(), p)).count();
                }
                return io.qdrant.client.grpc.Points.CountResponse.newBuilder()
                        .setResult(io.qdrant.client.grpc.Points.CountResult.newBuilder().setCount(n)).build();
            });
        }

        @Override
        public void scroll(io.qdrant.client.grpc.Points.ScrollPoints request, StreamObserver<io.qdrant.client.grpc.Points.ScrollResponse> observer) {
            answer(observer, () -> {
                if (request.hasOffset()) {
                    throw Status.UNIMPLEMENTED.withDescription("test server: scroll offsets").asRuntimeException();
                }
                StoredCollection c = collection(request.getCollectionName());
                var response = io.qdrant.client.grpc.Points.ScrollResponse.newBuilder();
                synchronized (c) {
                    c.points.values().stream().filter(p -> !request.hasFilter() || matches(request.getFilter(), p))
                            .sorted(Comparator.comparing(StoredPoint::id)).limit(request.hasLimit() ? request.getLimit() : 10)
                            .forEach(p -> response.addResult(io.qdrant.client.grpc.Points.RetrievedPoint.newBuilder()
                                    .setId(io.qdrant.client.grpc.Common.PointId.newBuilder().setUuid(p.id()))
                                    .putAllPayload(request.hasWithPayload() && request.getWithPayload().getEnable() ? p.payload() : Map.of())));
                }
                return response.build();
            });
        }

        @Override
        public void query(QueryPoints request, StreamObserver<QueryResponse> observer) {
            answer(observer, () -> {
                queries.add(request);
                StoredCollection c = collection(request.getCollectionName());
                if (request.getPrefetchCount() > 0 || !request.getQuery().hasNearest()) {
                    throw Status.UNIMPLEMENTED.withDescription("test server: only plain nearest queries").asRuntimeException();
                }
                VectorInput input = request.getQuery().getNearest();
                String using = request.getUsing();
                List<ScoredPoint> scored = new ArrayList<>();
                synchronized (c) {
                    List<StoredPoint> candidates = c.points.values().stream()
                            .filter(p -> !request.hasFilter() || matches(request.getFilter(), p)).toList();
                    if (input.hasDense()) {
                        VectorParams params = c.dense.get(using);
                        if (params == null) {
                            throw Status.INVALID_ARGUMENT.withDescription("Wrong input: Not existing vector name error: " + using).asRuntimeException();
                        }
                        float[] query = toArray(input.getDense().getDataList());
                        if (query.length != params.getSize()) {
                            throw Status.INVALID_ARGUMENT.withDescription("Wrong input: Vector dimension error: expected dim: " + params.getSize()
                                    + ", got " + query.length).asRuntimeException();
                        }
                        if (params.getDistance() == Distance.Cosine) {
                            query = normalise(query);
                        }
                        for (StoredPoint p : candidates) {
                            float[] v = p.dense().get(using);
                            if (v != null) {
                                scored.add(scoredPoint(p, dot(query, v), request));
                            }
                        }
                    } else if (input.hasSparse()) {
                        SparseVectorParams params = c.sparse.get(using);
                        if (params == null) {
                            throw Status.INVALID_ARGUMENT.withDescription("Wrong input: Not existing vector name error: " + using).asRuntimeException();
                        }
                        boolean idf = params.getModifier() == Modifier.Idf;
                        int total = c.points.size();
                        List<Integer> indices = input.getSparse().getIndicesList();
                        List<Float> values = input.getSparse().getValuesList();
                        Map<Integer, Double> weights = new HashMap<>();
                        for (int i = 0; i < indices.size(); i++) {
                            int index = indices.get(i);
                            double weight = values.get(i);
                            if (idf) {
                                long having = c.points.values().stream().filter(p -> p.sparse().getOrDefault(using, Map.of()).containsKey(index)).count();
                                weight *= Math.log((total - having + 0.5) / (having + 0.5) + 1);
                            }
                            weights.merge(index, weight, Double::sum);
                        }
                        for (StoredPoint p : candidates) {
                            Map<Integer, Float> v = p.sparse().getOrDefault(using, Map.of());
                            double score = 0;
                            boolean shares = false;
                            for (Map.Entry<Integer, Double> w : weights.entrySet()) {
                                Float d = v.get(w.getKey());
                                if (d != null) {
                                    shares = true;
                                    score += w.getValue() * d;
                                }
                            }
                            if (shares) {
                                scored.add(scoredPoint(p, score, request));
                            }
                        }
                    } else {
                        throw Status.UNIMPLEMENTED.withDescription("test server: nearest by dense or sparse vector only").asRuntimeException();
                    }
                }
                scored.sort(Comparator.comparingDouble(ScoredPoint::getScore).reversed().thenComparing(p -> p.getId().getUuid()));
                long limit = request.hasLimit() ? request.getLimit() : 10;
                return QueryResponse.newBuilder().addAllResult(scored.subList(0, (int) Math.min(limit, scored.size()))).build();
            });
        }
    }

    private static StoredPoint parse(StoredCollection c, PointStruct point) {
        if (!point.getVectors().hasVectors()) {
            throw Status.UNIMPLEMENTED.withDescription("test server: named vectors only").asRuntimeException();
        }
        Map<String, float[]> dense = new HashMap<>();
        Map<String, Map<Integer, Float>> sparse = new HashMap<>();
        for (Map.Entry<String, Vector> named : point.getVectors().getVectors().getVectorsMap().entrySet()) {
            Vector vector = named.getValue();
            if (vector.hasDense()) {
                VectorParams params = c.dense.get(named.getKey());
                if (params == null) {
                    throw Status.INVALID_ARGUMENT.withDescription("Wrong input: Not existing vector name error: " + named.getKey()).asRuntimeException();
                }
                float[] data = toArray(vector.getDense().getDataList());
                if (data.length != params.getSize()) {
                    throw Status.INVALID_ARGUMENT.withDescription("Wrong input: Vector dimension error: expected dim: " + params.getSize()
                            + ", got " + data.length).asRuntimeException();
                }
                dense.put(named.getKey(), params.getDistance() == Distance.Cosine ? normalise(data) : data);
            } else if (vector.hasSparse()) {
                if (!c.sparse.containsKey(named.getKey())) {
                    throw Status.INVALID_ARGUMENT.withDescription("Wrong input: Not existing vector name error: " + named.getKey()).asRuntimeException();
                }
                if (vector.getSparse().getIndicesCount() != vector.getSparse().getValuesCount()) {
                    throw Status.INVALID_ARGUMENT.withDescription("Wrong input: sparse indices and values differ in length").asRuntimeException();
                }
                Map<Integer, Float> weights = new HashMap<>();
                for (int i = 0; i < vector.getSparse().getIndicesCount(); i++) {
                    if (weights.put(vector.getSparse().getIndices(i), vector.getSparse().getValues(i)) != null) {
                        throw Status.INVALID_ARGUMENT.withDescription("Validation error: sparse indices must be unique").asRuntimeException();
                    }
                }
                sparse.put(named.getKey(), weights);
            } else {
                throw Status.UNIMPLEMENTED.withDescription("test server: dense and sparse vectors only").asRuntimeException();
            }
        }
        String id = point.getId().hasUuid() ? point.getId().getUuid() : Long.toUnsignedString(point.getId().getNum());
        return new StoredPoint(id, dense, sparse, Map.copyOf(point.getPayloadMap()));
    }

    private static ScoredPoint scoredPoint(StoredPoint p, double score, QueryPoints request) {
        ScoredPoint.Builder b = ScoredPoint.newBuilder().setId(io.qdrant.client.grpc.Common.PointId.newBuilder().setUuid(p.id())).setScore((float) score);
        if (request.hasWithPayload() && request.getWithPayload().getEnable()) {
            b.putAllPayload(p.payload());
        }
        if (request.hasWithVectors() && request.getWithVectors().hasInclude()) {
            var named = io.qdrant.client.grpc.Points.NamedVectorsOutput.newBuilder();
            for (String name : request.getWithVectors().getInclude().getNamesList()) {
                float[] v = p.dense().get(name);
                if (v != null) {
                    var dense = io.qdrant.client.grpc.Points.DenseVector.newBuilder();
                    for (float x : v) {
                        dense.addData(x);
                    }
                    named.putVectors(name, io.qdrant.client.grpc.Points.VectorOutput.newBuilder().setDense(dense).build());
                }
            }
            b.setVectors(io.qdrant.client.grpc.Points.VectorsOutput.newBuilder().setVectors(named));
        } else if (request.hasWithVectors() && request.getWithVectors().getEnable()) {
            throw Status.UNIMPLEMENTED.withDescription("test server: all vectors of a point").asRuntimeException();
        }
        return b.build();
    }

    static boolean matches(Filter filter, StoredPoint point) {
        for (Condition condition : filter.getMustList()) {
            if (!matches(condition, point)) {
                return false;
            }
        }
        for (Condition condition : filter.getMustNotList()) {
            if (matches(condition, point)) {
                return false;
            }
        }
        if (filter.getShouldCount() > 0 && filter.getShouldList().stream().noneMatch(c -> matches(c, point))) {
            return false;
        }
        if (filter.hasMinShould()) {
            throw Status.UNIMPLEMENTED.withDescription("test server: min_should").asRuntimeException();
        }
        return true;
    }

    /** A condition as Qdrant evaluates it: a field matches when its value, or any element of its array value, does. */
    private static boolean matches(Condition condition, StoredPoint point) {
        if (condition.hasFilter()) {
            return matches(condition.getFilter(), point);
        }
        if (condition.hasHasId()) {
            return condition.getHasId().getHasIdList().stream().anyMatch(id -> id.getUuid().equals(point.id()));
        }
        if (!condition.hasField()) {
            throw Status.UNIMPLEMENTED.withDescription("test server: field, has_id and nested filter conditions only").asRuntimeException();
        }
        FieldCondition field = condition.getField();
        Value value = point.payload().get(field.getKey());
        List<Value> values = value == null ? List.of() : value.hasListValue() ? value.getListValue().getValuesList() : List.of(value);
        if (field.hasRange()) {
            io.qdrant.client.grpc.Common.Range r = field.getRange();
            return values.stream().anyMatch(v -> {
                if (!v.hasDoubleValue() && !v.hasIntegerValue()) {
                    return false;
                }
                double x = v.hasDoubleValue() ? v.getDoubleValue() : v.getIntegerValue();
                return (!r.hasGt() || x > r.getGt()) && (!r.hasGte() || x >= r.getGte())
                        && (!r.hasLt() || x < r.getLt()) && (!r.hasLte() || x <= r.getLte());
            });
        }
        if (!field.hasMatch()) {
            throw Status.UNIMPLEMENTED.withDescription("test server: match and range conditions only").asRuntimeException();
        }
        Match match = field.getMatch();
        switch (match.getMatchValueCase()) {
            case KEYWORD:
                return values.stream().anyMatch(v -> v.hasStringValue() && v.getStringValue().equals(match.getKeyword()));
            case KEYWORDS:
                return values.stream().anyMatch(v -> v.hasStringValue() && match.getKeywords().getStringsList().contains(v.getStringValue()));
            case INTEGER:
                return values.stream().anyMatch(v -> v.hasIntegerValue() && v.getIntegerValue() == match.getInteger());
            default:
                throw Status.UNIMPLEMENTED.withDescription("test server: keyword, keywords and integer matches only").asRuntimeException();
        }
    }

    private static PointsOperationResponse completed() {
        return PointsOperationResponse.newBuilder().setResult(UpdateResult.newBuilder().setStatus(UpdateStatus.Completed)).build();
    }

    private static float[] toArray(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }

    private static float[] normalise(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        double norm = Math.sqrt(sum);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = norm == 0 ? 0 : (float) (v[i] / norm);
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
