package ai.meridian.application.port.out.retrieval;

import java.util.Objects;

/** A chunk as stored, with the tenant and knowledge base it belongs to (for re-embedding). */
public record StoredChunk(KnowledgeScope scope, IndexedChunk chunk) {

    public StoredChunk {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(chunk, "chunk");
    }
}
