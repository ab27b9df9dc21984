package ai.meridian.application.service;

import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.domain.retrieval.ChunkingPolicy;
import ai.meridian.domain.retrieval.TextChunker;

/**
 * The chunker ingestion uses, here once so that the product and the retrieval evaluation cut documents the
 * same way: the configured policy within the embedding model's input window, tokens counted with the
 * model's own tokenizer without truncation, so that every chunk is embedded whole.
 */
public final class DocumentChunking {
    private DocumentChunking() {
    }

    public static TextChunker forEmbedder(EmbedTextPort embedder, ChunkingPolicy wanted) {
        return new TextChunker(policyFor(embedder, wanted), embedder::countAllTokens);
    }

    /** {@code wanted}, cut down to the model's window when it is smaller. */
    public static ChunkingPolicy policyFor(EmbedTextPort embedder, ChunkingPolicy wanted) {
        return wanted.within(embedder.maxInputTokens());
    }
}
