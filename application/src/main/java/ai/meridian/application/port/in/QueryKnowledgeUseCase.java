package ai.meridian.application.port.in;

import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.tenancy.Access;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A client wants passages from its knowledge bases without an answer ({@code /v1/knowledge_bases/{name}/query} and
 * Dify's external knowledge API). Hybrid: keyword and vector search, each chunk given a calibrated relevance in 0..1
 * (the same meaning for every query, so a threshold works), ranked by it; results by document (each document once,
 * with its best passages) or by chunk; only documents whose metadata passes the filter.
 */
public interface QueryKnowledgeUseCase {

    CompletableFuture<List<KnowledgeMatch>> query(KnowledgeQuery query);

    /** How results are given: one per document (with its best passages) or one per chunk. */
    enum Grouping {
        DOCUMENT, CHUNK
    }

    /** At most this many passages of one document are returned with it. */
    int PASSAGES_PER_DOCUMENT = 3;

    /**
     * A query of the caller's knowledge bases. {@code access} is what the caller may do (its role must permit reading,
     * and its key's allow-list limits the bases); the constructor without it is for the gateway's own queries.
     */
    record KnowledgeQuery(String tenant, List<String> knowledgeBases, String text, int topK, double minScore,
                          MetadataFilter filter, Grouping grouping, Access access) {

        public KnowledgeQuery(String tenant, List<String> knowledgeBases, String text, int topK, double minScore,
                              MetadataFilter filter, Grouping grouping) {
            this(tenant, knowledgeBases, text, topK, minScore, filter, grouping, Access.OPERATOR);
        }

        public KnowledgeQuery {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(access, "access");
            knowledgeBases = List.copyOf(knowledgeBases);
            Objects.requireNonNull(text, "text");
            filter = filter == null ? MetadataFilter.NONE : filter;
            Objects.requireNonNull(grouping, "grouping");
        }
    }

    /** A passage of a document, with its relevance. */
    record MatchedPassage(String chunkId, int position, String text, double score) {
    }

    /**
     * A document (or, by chunk, one chunk of it) that matched: where it is, its metadata, its relevance (its best
     * passage's) and its passages, best first.
     */
    record KnowledgeMatch(String knowledgeBase, String documentId, String title, String url, DocumentMetadata metadata,
                          double score, List<MatchedPassage> passages) {
        public KnowledgeMatch {
            passages = List.copyOf(passages);
        }

        /** The passages joined in document order, as one text. */
        public String content() {
            return passages.stream().sorted(java.util.Comparator.comparingInt(MatchedPassage::position))
                    .map(MatchedPassage::text).collect(java.util.stream.Collectors.joining("\n…\n"));
        }
    }
}
