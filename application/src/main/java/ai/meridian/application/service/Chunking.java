package ai.meridian.application.service;

import ai.meridian.domain.retrieval.ChunkingPolicy;
import ai.meridian.domain.retrieval.TextChunk;
import ai.meridian.domain.retrieval.TextChunker;
import java.util.List;
import java.util.function.Function;

/**
 * How ingestion cuts documents, shared by the gateway and the evaluation tool so both embed the same chunks:
 * the domain chunker, with tokens counted by the model that will embed each piece, and chunks kept within the
 * smallest input of the configured models minus room for the document's title (which is embedded with each chunk).
 */
public final class Chunking {
    /** Tokens left for the title prefixed to a chunk when it is embedded. */
    public static final int TITLE_ROOM = 32;

    private Chunking() {
    }

    /** The policy asked for, its chunk size lowered to what the models can read whole. */
    public static ChunkingPolicy fitted(ChunkingPolicy wanted, LanguageEmbeddings embeddings) {
        int room = embeddings.maxTokens() - TITLE_ROOM;
        if (wanted.maxTokens() <= room) {
            return wanted;
        }
        return new ChunkingPolicy(room, Math.min(wanted.overlapTokens(), room / 2 - 1));
    }

    public static Function<String, List<String>> chunker(ChunkingPolicy wanted, LanguageEmbeddings embeddings) {
        TextChunker chunker = new TextChunker(fitted(wanted, embeddings), embeddings::countTokens);
        return text -> chunker.chunk(text).stream().map(TextChunk::text).toList();
    }
}
