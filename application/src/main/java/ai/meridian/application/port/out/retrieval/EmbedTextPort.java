package ai.meridian.application.port.out.retrieval;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Turns texts into vectors with a local embedding model. Embedding is CPU work: implementations run it on
 * their own bounded executor, never on the caller's thread, and complete the future from there.
 */
public interface EmbedTextPort {

    /** The model's name as {@code /v1/embeddings} reports it, e.g. {@code bge-small-zh-v1.5}. */
    String model();

    int dimensions();

    /**
     * How many of the model's own tokens the text costs when embedded (after truncation to the model's input
     * limit), for {@code usage.prompt_tokens}. Cheap, but CPU work: call it where blocking is allowed.
     */
    int countTokens(String text);

    /**
     * The most tokens the model reads from one text, special tokens included (its input window); anything
     * longer is truncated when embedded. Chunks are cut to fit it. Unlimited unless the model says otherwise.
     */
    default int maxInputTokens() {
        return Integer.MAX_VALUE;
    }

    /**
     * How many of the model's tokens the whole text is, special tokens included, without truncation: what
     * chunking counts, so that no chunk runs past {@link #maxInputTokens()} unseen. CPU work, like
     * {@link #countTokens}. Models without an input limit count the same either way.
     */
    default int countAllTokens(String text) {
        return countTokens(text);
    }

    /** One vector per text, in order, L2-normalised. Queries and documents may be embedded differently. */
    CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use);

    /** What a text is embedded for: some models prefix queries with an instruction. */
    enum EmbeddingUse {
        QUERY, DOCUMENT
    }
}
