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
     * How many of the model's own tokens the text is, special tokens included, not cut at the model's input limit
     * (chunking compares it with {@link #maxTokens()}). Cheap, but CPU work: call it where blocking is allowed.
     */
    int countTokens(String text);

    /** The most tokens the model reads: a longer text is cut to it when embedded. */
    int maxTokens();

    /** One vector per text, in order, L2-normalised. Queries and documents may be embedded differently. */
    CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use);

    /** What a text is embedded for: some models prefix queries with an instruction. */
    enum EmbeddingUse {
        QUERY, DOCUMENT
    }
}
