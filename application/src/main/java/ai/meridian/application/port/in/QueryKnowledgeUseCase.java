package ai.meridian.application.port.in;

import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.RateLimitStatus;
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

    /**
     * The matches, and where the caller's key stands against its limits: a query counts as a request and costs the
     * tokens of embedding it, like any other use of the gateway's models (a refusal is a 429 {@code GatewayException}).
     */
    CompletableFuture<QueriedKnowledge> query(KnowledgeQuery query);

    /** The matches of a query, best first, and the caller's rate-limit standing after it. */
    record QueriedKnowledge(List<KnowledgeMatch> matches, RateLimitStatus rateLimit) {
        public QueriedKnowledge {
            matches = List.copyOf(matches);
            rateLimit = rateLimit == null ? RateLimitStatus.NONE : rateLimit;
        }
    }

    /** How results are given: one per document (with its best passages) or one per chunk. */
    enum Grouping {
        DOCUMENT, CHUNK
    }

    /** At most this many passages of one document are returned with it. */
    int PASSAGES_PER_DOCUMENT = 3;

    /**
     * A query of the caller's knowledge bases. {@code access} is what the caller may do (its role must permit reading,
     * and its key's allow-list limits the bases); {@code keyId} the key whose limits and usage it counts against (empty:
     * the gateway's own query, not metered). The constructors without them are for the gateway's own queries.
     */
    record KnowledgeQuery(String tenant, List<String> knowledgeBases, String text, int topK, double minScore,
                          MetadataFilter filter, Grouping grouping, Access access, String keyId) {

        public KnowledgeQuery(String tenant, List<String> knowledgeBases, String text, int topK, double minScore,
                              MetadataFilter filter, Grouping grouping) {
            this(tenant, knowledgeBases, text, topK, minScore, filter, grouping, Access.OPERATOR, "");
        }

        public KnowledgeQuery(String tenant, List<String> knowledgeBases, String text, int topK, double minScore,
                              MetadataFilter filter, Grouping grouping, Access access) {
            this(tenant, knowledgeBases, text, topK, minScore, filter, grouping, access, "");
        }

        /** A caller's query: its tenant, what it may do, and its key. */
        public static KnowledgeQuery of(CallerContext caller, List<String> knowledgeBases, String text, int topK, double minScore,
                                        MetadataFilter filter, Grouping grouping) {
            return new KnowledgeQuery(caller.tenant(), knowledgeBases, text, topK, minScore, filter, grouping, caller.access(),
                    caller.keyId());
        }

        public KnowledgeQuery {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(access, "access");
            keyId = keyId == null ? "" : keyId;
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
