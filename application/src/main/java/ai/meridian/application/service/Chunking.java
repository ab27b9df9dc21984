package ai.meridian.application.service;

import ai.meridian.domain.retrieval.ChunkingPolicy;
import ai.meridian.domain.retrieval.TextChunk;
import ai.meridian.domain.retrieval.TextChunker;
import java.util.List;
import java.util.function.Function;

/**
 * How ingestion cuts documents, shared by the gateway and the evaluation tool so both embed the same chunks:
 * the domain chunker, with tokens counted without truncation by the model that will embed each piece, and chunks
 * kept within the smallest input window of the configured models minus room for the document's title (embedded
 * with each chunk). ({@link DocumentChunking} is the same for one model, without the title.)
 */
public final class Chunking {
    /** Tokens left for the title prefixed to a chunk when it is embedded. */
    public static final int TITLE_ROOM = 32;

    private Chunking() {
    }

    /** The policy asked for, its chunk size lowered to what the models can read whole with a title. */
    public static ChunkingPolicy fitted(ChunkingPolicy wanted, LanguageEmbeddings embeddings) {
        int window = embeddings.maxTokens();
        return wanted.within(window == Integer.MAX_VALUE ? window : window - TITLE_ROOM);
    }

    public static Function<String, List<String>> chunker(ChunkingPolicy wanted, LanguageEmbeddings embeddings) {
        TextChunker chunker = new TextChunker(fitted(wanted, embeddings), embeddings::countTokens);
        return text -> chunker.chunk(text).stream().map(TextChunk::text).toList();
    }
}
