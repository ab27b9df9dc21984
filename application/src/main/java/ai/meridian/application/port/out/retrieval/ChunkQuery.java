package ai.meridian.application.port.out.retrieval;

import ai.meridian.domain.knowledge.MetadataFilter;
import java.util.List;
import java.util.Objects;

/**
 * One search of a tenant's knowledge bases: by keywords ({@code text}, may be empty), by nearest neighbours
 * ({@code vector} in {@code space}, may be absent), or both; the best {@code candidates} of each; only chunks whose
 * document passes {@code filter}. Invalid arguments throw {@link IllegalArgumentException} when the query is made.
 */
public record ChunkQuery(String tenant, List<String> knowledgeBases, String text, String space, float[] vector, int candidates,
                         MetadataFilter filter) {

    public ChunkQuery {
        KnowledgeIndexPort.checkSearch(tenant, knowledgeBases, candidates);
        knowledgeBases = List.copyOf(knowledgeBases);
        text = text == null ? "" : text;
        if (vector != null) {
            VectorSpaces.check(space);
            if (vector.length == 0 || vector.length > 4096) {
                throw new IllegalArgumentException("a query vector has 1 to 4096 dimensions");
            }
            boolean nonZero = false;
            for (float v : vector) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("the query vector contains a value that is not a finite number");
                }
                nonZero |= v != 0;
            }
            if (!nonZero) {
                throw new IllegalArgumentException("the query vector is all zeros");
            }
        }
        filter = filter == null ? MetadataFilter.NONE : filter;
    }

    public static ChunkQuery keyword(String tenant, List<String> knowledgeBases, String text, int candidates) {
        return new ChunkQuery(tenant, knowledgeBases, text, null, null, candidates, MetadataFilter.NONE);
    }

    public static ChunkQuery nearest(String tenant, List<String> knowledgeBases, String space, float[] vector, int candidates) {
        return new ChunkQuery(tenant, knowledgeBases, "", space, Objects.requireNonNull(vector, "vector"), candidates, MetadataFilter.NONE);
    }

    public ChunkQuery withFilter(MetadataFilter newFilter) {
        return new ChunkQuery(tenant, knowledgeBases, text, space, vector, candidates, newFilter);
    }

    public boolean hasText() {
        return !text.isBlank();
    }

    public boolean hasVector() {
        return vector != null;
    }
}
