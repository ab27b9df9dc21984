package ai.meridian.adapter.out.embedding;

/**
 * How the embedding adapter runs: which bundled model; how many texts run in parallel ({@code threads}, one
 * ONNX run each) and how many cores one run may use ({@code intraOpThreads}); how many texts go into one run
 * ({@code maxBatchSize}); and how many runs may wait before new work is refused ({@code queueCapacity}).
 */
public record OnnxEmbeddingSettings(String model, int threads, int intraOpThreads, int maxBatchSize, int queueCapacity) {

    public OnnxEmbeddingSettings {
        BundledModel.named(model);
        if (threads < 1 || intraOpThreads < 1) {
            throw new IllegalArgumentException("meridian.embedding.threads and intra-op-threads must be at least 1");
        }
        if (maxBatchSize < 1 || maxBatchSize > 256) {
            throw new IllegalArgumentException("meridian.embedding.max-batch-size must be between 1 and 256");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("meridian.embedding.queue-capacity must be at least 1");
        }
    }

    /**
     * bge-small-zh-v1.5; one run per core, each single-threaded (parallel requests use every core without
     * oversubscribing); 32 texts per run; 256 runs queued at most.
     */
    public static OnnxEmbeddingSettings defaults() {
        return new OnnxEmbeddingSettings(BundledModel.BGE_SMALL_ZH_V15.id(), Runtime.getRuntime().availableProcessors(), 1, 32, 256);
    }

    public OnnxEmbeddingSettings withModel(String name) {
        return new OnnxEmbeddingSettings(name, threads, intraOpThreads, maxBatchSize, queueCapacity);
    }
}
