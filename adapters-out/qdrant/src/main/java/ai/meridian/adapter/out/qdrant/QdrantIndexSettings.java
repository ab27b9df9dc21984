package ai.meridian.adapter.out.qdrant;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach Qdrant and lay out its collections ({@code meridian.knowledge.qdrant.*}): gRPC host and port
 * (6334 by default), TLS, API key (may be null), the deadline of each call, the collection layout and name
 * prefix, the vector spaces a collection holds (one named dense vector per embedding model, with its size: every
 * bundled model's, so a change of model needs no new collection), the HNSW search breadth ({@code hnsw-ef}), and the
 * adapter's thread count for the CPU work around calls (text analysis, response mapping).
 */
public record QdrantIndexSettings(String host, int port, boolean tls, String apiKey, Duration timeout, CollectionLayout layout,
                                  String collectionPrefix, Map<String, Integer> spaces, int hnswEf, int threads) {
    /** Qdrant's own default is 100; twice that, since Qdrant's search time is the server's, not this gateway's. */
    public static final int DEFAULT_HNSW_EF = 200;

    public QdrantIndexSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("meridian.knowledge.qdrant.host is required");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("meridian.knowledge.qdrant.port must be a TCP port");
        }
        Objects.requireNonNull(timeout, "meridian.knowledge.qdrant.timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("meridian.knowledge.qdrant.timeout must be positive");
        }
        Objects.requireNonNull(layout, "meridian.knowledge.qdrant.layout");
        if (collectionPrefix == null || !collectionPrefix.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("meridian.knowledge.qdrant.collection-prefix must be 1 to 64 letters, digits, _ or -");
        }
        spaces = Map.copyOf(Objects.requireNonNull(spaces, "spaces"));
        if (spaces.isEmpty()) {
            throw new IllegalArgumentException("a Qdrant collection needs at least one vector space");
        }
        spaces.forEach((space, dimensions) -> {
            ai.meridian.application.port.out.retrieval.VectorSpaces.check(space);
            if (dimensions < 1 || dimensions > 65536) {
                throw new IllegalArgumentException("the vector size of " + space + " must be positive");
            }
        });
        if (hnswEf < 1 || hnswEf > 10_000) {
            throw new IllegalArgumentException("meridian.knowledge.qdrant.hnsw-ef must be between 1 and 10000");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("meridian.knowledge.qdrant.threads must be at least 1");
        }
    }

    /** localhost:6334, no TLS or key, 5 s per call, one shared collection named {@code meridian_chunks}, one thread per core. */
    public static QdrantIndexSettings defaults(Map<String, Integer> spaces) {
        return new QdrantIndexSettings("localhost", 6334, false, null, Duration.ofSeconds(5), CollectionLayout.SHARED, "meridian",
                spaces, DEFAULT_HNSW_EF, Runtime.getRuntime().availableProcessors());
    }

    public QdrantIndexSettings withEndpoint(String newHost, int newPort) {
        return new QdrantIndexSettings(newHost, newPort, tls, apiKey, timeout, layout, collectionPrefix, spaces, hnswEf, threads);
    }

    public QdrantIndexSettings withLayout(CollectionLayout newLayout) {
        return new QdrantIndexSettings(host, port, tls, apiKey, timeout, newLayout, collectionPrefix, spaces, hnswEf, threads);
    }

    public QdrantIndexSettings withApiKey(String key) {
        return new QdrantIndexSettings(host, port, tls, key, timeout, layout, collectionPrefix, spaces, hnswEf, threads);
    }

    public QdrantIndexSettings withTimeout(Duration newTimeout) {
        return new QdrantIndexSettings(host, port, tls, apiKey, newTimeout, layout, collectionPrefix, spaces, hnswEf, threads);
    }
}
