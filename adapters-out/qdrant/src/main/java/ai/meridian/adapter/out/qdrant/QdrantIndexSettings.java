package ai.meridian.adapter.out.qdrant;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach Qdrant and lay out its collections ({@code meridian.knowledge.qdrant.*}): gRPC host and port
 * (6334 by default), TLS, API key (may be null), the deadline of each call, the collection layout and name
 * prefix, the dense vectors' dimensions (the embedding model's), and the adapter's thread count for the
 * CPU work around calls (text analysis, response mapping).
 */
public record QdrantIndexSettings(String host, int port, boolean tls, String apiKey, Duration timeout, CollectionLayout layout,
                                  String collectionPrefix, int dimensions, int threads) {

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
        if (dimensions < 1 || dimensions > 65536) {
            throw new IllegalArgumentException("the dense vector size must be positive (the embedding model's dimensions)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("meridian.knowledge.qdrant.threads must be at least 1");
        }
    }

    /** localhost:6334, no TLS or key, 5 s per call, one shared collection named {@code meridian_chunks}, one thread per core. */
    public static QdrantIndexSettings defaults(int dimensions) {
        return new QdrantIndexSettings("localhost", 6334, false, null, Duration.ofSeconds(5), CollectionLayout.SHARED, "meridian",
                dimensions, Runtime.getRuntime().availableProcessors());
    }

    public QdrantIndexSettings withEndpoint(String newHost, int newPort) {
        return new QdrantIndexSettings(newHost, newPort, tls, apiKey, timeout, layout, collectionPrefix, dimensions, threads);
    }

    public QdrantIndexSettings withLayout(CollectionLayout newLayout) {
        return new QdrantIndexSettings(host, port, tls, apiKey, timeout, newLayout, collectionPrefix, dimensions, threads);
    }

    public QdrantIndexSettings withApiKey(String key) {
        return new QdrantIndexSettings(host, port, tls, key, timeout, layout, collectionPrefix, dimensions, threads);
    }

    public QdrantIndexSettings withTimeout(Duration newTimeout) {
        return new QdrantIndexSettings(host, port, tls, apiKey, newTimeout, layout, collectionPrefix, dimensions, threads);
    }
}
