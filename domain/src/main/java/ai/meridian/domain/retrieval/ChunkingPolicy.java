package ai.meridian.domain.retrieval;

/**
 * How documents are cut: at most {@code maxTokens} per chunk, and each chunk after the first repeats up to
 * {@code overlapTokens} of whole sentences from the end of the previous one, so a fact stated across a
 * boundary is still found whole in one chunk.
 */
public record ChunkingPolicy(int maxTokens, int overlapTokens) {
    /** Fits both embedding models' 512-token input with room for bge's query instruction. */
    public static final ChunkingPolicy DEFAULT = new ChunkingPolicy(300, 50);

    public ChunkingPolicy {
        if (maxTokens < 16) {
            throw new IllegalArgumentException("chunks must allow at least 16 tokens");
        }
        if (overlapTokens < 0 || overlapTokens >= maxTokens / 2) {
            throw new IllegalArgumentException("overlap must be at least 0 and under half the chunk size");
        }
    }

    /**
     * This policy within a model's input window of {@code windowTokens} (special tokens included): chunks no
     * longer than the window, so the model reads every chunk whole; the overlap shrinks with them if it must.
     */
    public ChunkingPolicy within(int windowTokens) {
        if (windowTokens >= maxTokens) {
            return this;
        }
        int max = Math.max(16, windowTokens);
        return new ChunkingPolicy(max, Math.min(overlapTokens, (max - 1) / 2));
    }
}
