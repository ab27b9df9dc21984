package ai.meridian.adapter.out.lucene;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the index lives ({@code meridian.knowledge.lucene.path}, default {@code <data dir>/knowledge}); how many
 * searches and how many writes run at once (each on the adapter's own threads); and the indexing RAM buffer.
 */
public record LuceneIndexSettings(Path directory, int searchThreads, int writeThreads, double ramBufferMb) {

    public LuceneIndexSettings {
        Objects.requireNonNull(directory, "meridian.knowledge.lucene.path");
        if (searchThreads < 1 || writeThreads < 1) {
            throw new IllegalArgumentException("meridian.knowledge.lucene.search-threads and write-threads must be at least 1");
        }
        if (!(ramBufferMb >= 16)) {
            throw new IllegalArgumentException("meridian.knowledge.lucene.ram-buffer-mb must be at least 16");
        }
    }

    /** One search and one write thread per core, a 64 MB indexing buffer. */
    public static LuceneIndexSettings defaults(Path directory) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new LuceneIndexSettings(directory, cores, cores, 64);
    }
}
