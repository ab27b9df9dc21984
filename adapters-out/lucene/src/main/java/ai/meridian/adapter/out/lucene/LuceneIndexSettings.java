package ai.meridian.adapter.out.lucene;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the index lives ({@code meridian.knowledge.lucene.path}, default {@code <data dir>/knowledge}); how many
 * searches and how many writes run at once (each on the adapter's own threads); the indexing RAM buffer; up to
 * how many chunks in a search's scope vectors are compared exhaustively ({@code exact-search-limit}); and how
 * many candidates an HNSW search collects above that ({@code hnsw-candidates}, at least the number asked for); and when
 * the index compacts itself ({@code compact-after-idle}, {@code compact-to-segments}).
 */
public record LuceneIndexSettings(Path directory, int searchThreads, int writeThreads, double ramBufferMb,
                                  int exactSearchLimit, int hnswCandidates, java.time.Duration compactAfterIdle, int compactToSegments) {
    /**
     * Exhaustive search costs about a tenth of a 100 000-vector scan (measured p50 78 ms for 100 000 × 512 on the loaded
     * 2-core build host, Java 17 without the vector API), so up to 10 000 it stays within a few milliseconds.
     */
    public static final int DEFAULT_EXACT_SEARCH_LIMIT = 10_000;
    /**
     * Recall against exact search on 100 000 real bge-small-en-v1.5 sentence vectors (bench/retrieval VectorRecall, 500
     * queries): 0.9878 (50: 0.946, 100: 0.968, 150: 0.982); on 14 206 of them 0.998. Graph search needs more candidates as
     * the graph grows, and 50 fell below 0.98 at 100k. Fused retrieval on 100k chunks stays under the 20 ms p99 with it.
     */
    public static final int DEFAULT_HNSW_CANDIDATES = 200;
    /**
     * Writes quiet this long, the index merges itself down to {@link #DEFAULT_COMPACT_TO_SEGMENTS} segments when it has more
     * than twice that: on 100k chunks 6 segments gave a fused p99 of 19.5 ms, 2 segments 13.7 ms (1: 11.4 ms), and the merge
     * took 78 s of the two cores once, after the ingestion burst.
     */
    public static final java.time.Duration DEFAULT_COMPACT_AFTER_IDLE = java.time.Duration.ofMinutes(5);
    public static final int DEFAULT_COMPACT_TO_SEGMENTS = 2;

    public LuceneIndexSettings {
        Objects.requireNonNull(directory, "meridian.knowledge.lucene.path");
        if (searchThreads < 1 || writeThreads < 1) {
            throw new IllegalArgumentException("meridian.knowledge.lucene.search-threads and write-threads must be at least 1");
        }
        if (!(ramBufferMb >= 16)) {
            throw new IllegalArgumentException("meridian.knowledge.lucene.ram-buffer-mb must be at least 16");
        }
        if (exactSearchLimit < 0) {
            throw new IllegalArgumentException("meridian.knowledge.lucene.exact-search-limit must not be negative");
        }
        if (hnswCandidates < 1 || hnswCandidates > 10_000) {
            throw new IllegalArgumentException("meridian.knowledge.lucene.hnsw-candidates must be between 1 and 10000");
        }
        Objects.requireNonNull(compactAfterIdle, "meridian.knowledge.lucene.compact-after-idle");
        if (compactAfterIdle.isNegative()) {
            throw new IllegalArgumentException("meridian.knowledge.lucene.compact-after-idle must not be negative (0 turns it off)");
        }
        if (compactToSegments < 1) {
            throw new IllegalArgumentException("meridian.knowledge.lucene.compact-to-segments must be at least 1");
        }
    }

    public LuceneIndexSettings(Path directory, int searchThreads, int writeThreads, double ramBufferMb, int exactSearchLimit, int hnswCandidates) {
        this(directory, searchThreads, writeThreads, ramBufferMb, exactSearchLimit, hnswCandidates, DEFAULT_COMPACT_AFTER_IDLE,
                DEFAULT_COMPACT_TO_SEGMENTS);
    }

    public LuceneIndexSettings(Path directory, int searchThreads, int writeThreads, double ramBufferMb) {
        this(directory, searchThreads, writeThreads, ramBufferMb, DEFAULT_EXACT_SEARCH_LIMIT, DEFAULT_HNSW_CANDIDATES);
    }

    /** One search and one write thread per core, a 64 MB indexing buffer, the exactness defaults. */
    public static LuceneIndexSettings defaults(Path directory) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new LuceneIndexSettings(directory, cores, cores, 64);
    }

    public LuceneIndexSettings withVectorSearch(int newExactSearchLimit, int newHnswCandidates) {
        return new LuceneIndexSettings(directory, searchThreads, writeThreads, ramBufferMb, newExactSearchLimit, newHnswCandidates,
                compactAfterIdle, compactToSegments);
    }

    /** Idle compaction: after {@code idle} without writes, down to {@code segments} when above twice that; {@code idle} 0: never. */
    public LuceneIndexSettings withCompaction(java.time.Duration idle, int segments) {
        return new LuceneIndexSettings(directory, searchThreads, writeThreads, ramBufferMb, exactSearchLimit, hnswCandidates, idle, segments);
    }
}
